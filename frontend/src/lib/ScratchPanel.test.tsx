import { act } from "react";
import { createRoot } from "react-dom/client";
import { afterEach, describe, expect, it } from "vitest";
import * as tf from "@tensorflow/tfjs-core";
import "@tensorflow/tfjs-backend-cpu";
import { exportUrlFor, modelInput } from "../modelPage/modelInput";
import { latestExportUrl, ScratchPanel } from "./ScratchPanel";

(globalThis as { IS_REACT_ACT_ENVIRONMENT?: boolean }).IS_REACT_ACT_ENVIRONMENT = true;

let container: HTMLDivElement;
afterEach(() => container?.remove());

const URL_ = "https://pictolab.example/m/abcDEF123_-xyz/";

describe("ScratchPanel", () => {
  it("shows the link as a QR code and text, three steps, the page and the zip", () => {
    container = document.createElement("div");
    document.body.append(container);
    act(() => createRoot(container).render(<ScratchPanel url={URL_} />));
    expect(container.querySelector('[data-testid="qr"]')!.getAttribute("data-text")).toBe(URL_);
    expect(container.querySelector('[data-testid="export-url"]')!.textContent).toBe(URL_);
    const steps = container.querySelectorAll('[data-testid="scratch-step"]');
    expect(steps).toHaveLength(3);
    expect(steps[1].textContent).toContain("画像分類モデルURL");
    const links = [...container.querySelectorAll("a")].map((a) => a.getAttribute("href"));
    expect(links).toEqual([URL_, `${URL_}model.zip`]);
  });

  it("picks the newest succeeded run with a link", () => {
    expect(latestExportUrl([
      { id: "r3", status: "RUNNING", exportUrl: null },
      { id: "r2", status: "SUCCEEDED", exportUrl: "u2" },
      { id: "r1", status: "SUCCEEDED", exportUrl: "u1" },
    ])).toEqual({ runId: "r2", url: "u2" });
    expect(latestExportUrl([{ id: "r1", status: "FAILED", exportUrl: null }])).toBeNull();
  });
});

describe("the model page's input", () => {
  it("takes the centre square, resizes it and scales [0, 255] to [-1, 1]", async () => {
    await tf.setBackend("cpu");
    // 2 x 4 picture: the centre square is columns 1-2 (white); the sides are black.
    const pixels = tf.tensor3d([
      [[0, 0, 0], [255, 255, 255], [255, 255, 255], [0, 0, 0]],
      [[0, 0, 0], [255, 255, 255], [255, 255, 255], [0, 0, 0]],
    ], [2, 4, 3], "int32");
    const x = modelInput(pixels, 4);
    expect(x.shape).toEqual([1, 4, 4, 3]);
    const values = await x.data();
    expect(Math.min(...values)).toBeCloseTo(1);
    expect(Math.max(...values)).toBeCloseTo(1);
    const black = modelInput(tf.zeros([3, 3, 3], "int32") as tf.Tensor3D, 2);
    expect(Math.max(...(await black.data()))).toBeCloseTo(-1);
  });

  it("names the export link whatever file the page was opened as", () => {
    expect(exportUrlFor("https://h/m/tok/index.html?x=1#y")).toBe("https://h/m/tok/");
    expect(exportUrlFor("https://h/m/tok/")).toBe("https://h/m/tok/");
  });
});
