import { describe, expect, it } from "vitest";
import { CLEAR_BELOW, confusingLookedKey, heatColor, heatmapPixels } from "./heatmap";

describe("heatColor", () => {
  it("leaves cold cells clear and makes hot ones warm and opaque", () => {
    expect(heatColor(0)[3]).toBe(0);
    expect(heatColor(CLEAR_BELOW / 2)[3]).toBe(0);
    const hot = heatColor(1);
    expect(hot[0]).toBeGreaterThan(200);
    expect(hot[2]).toBeLessThan(60);
    expect(hot[3]).toBeGreaterThan(150);
  });

  it("grows more opaque as the AI looked more", () => {
    const alphas = [0.2, 0.4, 0.6, 0.8, 1].map((v) => heatColor(v)[3]);
    expect([...alphas].sort((a, b) => a - b)).toEqual(alphas);
    expect(new Set(alphas).size).toBe(alphas.length);
  });

  it("clamps values outside [0, 1] and NaN", () => {
    expect(heatColor(7)).toEqual(heatColor(1));
    expect(heatColor(-1)).toEqual(heatColor(0));
    expect(heatColor(Number.NaN)).toEqual(heatColor(0));
  });
});

describe("heatmapPixels", () => {
  it("has one RGBA pixel per cell, row-major from the top-left", () => {
    const values = [1, 0, 0, 0, 0, 0];  // 3 x 2: only the top-left cell is hot
    const pixels = heatmapPixels({ width: 3, height: 2, values })!;
    expect(pixels.length).toBe(24);
    expect(pixels[3]).toBeGreaterThan(0);
    expect([...pixels.slice(4)].every((x) => x === 0)).toBe(true);
  });

  it("refuses a heatmap whose size does not match its values", () => {
    expect(heatmapPixels({ width: 7, height: 7, values: [1, 2] })).toBeNull();
    expect(heatmapPixels({ width: 0, height: 0, values: [] })).toBeNull();
  });
});

describe("confusingLookedKey", () => {
  const map = { width: 2, height: 1, values: [0, 1] };
  it("names the class only when the model now answers the cross-validated guess", () => {
    expect(confusingLookedKey(map, "cup", "cup")).toBe("heatmapExplain");
    expect(confusingLookedKey(map, "cat", "cup")).toBe("confusingLooked");
    expect(confusingLookedKey(map, null, "cup")).toBe("confusingLooked");
  });
  it("says it cannot be shown without a drawable map", () => {
    expect(confusingLookedKey(null, "cup", "cup")).toBe("confusingLookedNone");
    expect(confusingLookedKey(undefined, null, "cup")).toBe("confusingLookedNone");
    expect(confusingLookedKey({ width: 2, height: 2, values: [1] }, "cup", "cup")).toBe("confusingLookedNone");
  });
});
