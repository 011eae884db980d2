import { describe, expect, it } from "vitest";
import { downscalePhoto, fitWithin, type CanvasLike, type DownscaleDeps } from "./downscale";

describe("fitWithin", () => {
  it.each([
    [4032, 3024, { width: 1024, height: 768 }],   // landscape iPad photo
    [3024, 4032, { width: 768, height: 1024 }],   // portrait
    [1000, 1000, { width: 1000, height: 1000 }],  // small enough: unchanged
    [800, 600, { width: 800, height: 600 }],      // never upscaled
    [5000, 10, { width: 1024, height: 2 }],       // a sliver keeps at least... its ratio
    [10000, 1, { width: 1024, height: 1 }],       // ...and at least one pixel
    [1024, 1025, { width: 1023, height: 1024 }],
  ])("%d x %d -> %o", (w, h, expected) => {
    expect(fitWithin(w, h)).toEqual(expected);
  });

  it("respects a custom limit", () => {
    expect(fitWithin(2000, 1000, 500)).toEqual({ width: 500, height: 250 });
  });

  it("rejects sizes that are not images", () => {
    expect(() => fitWithin(0, 10)).toThrow(RangeError);
    expect(() => fitWithin(Number.NaN, 10)).toThrow(RangeError);
  });
});

function fakeDeps(width: number, height: number, options: { decodeFails?: boolean } = {}) {
  const drawn: { dw: number; dh: number }[] = [];
  const canvases: CanvasLike[] = [];
  let closed = false;
  let decodedWith: Blob | null = null;
  const deps: DownscaleDeps = {
    decode: async (blob) => {
      decodedWith = blob;
      if (options.decodeFails) throw new Error("cannot decode");
      return { width, height, close: () => { closed = true; } } as unknown as ImageBitmap;
    },
    makeCanvas: (w, h) => {
      const canvas: CanvasLike = {
        width: w, height: h,
        getContext: () => ({ drawImage: (_img, _dx, _dy, dw, dh) => drawn.push({ dw, dh }) }),
      };
      canvases.push(canvas);
      return canvas;
    },
    toJpeg: async (canvas, quality) => new Blob([`jpeg ${canvas.width}x${canvas.height} q${quality}`], { type: "image/jpeg" }),
  };
  return { deps, drawn, canvases, isClosed: () => closed, decodedWith: () => decodedWith };
}

describe("downscalePhoto", () => {
  it("draws the decoded photo onto a canvas of the fitted size and encodes JPEG 0.85", async () => {
    const fake = fakeDeps(4032, 3024);
    const original = new Blob(["x"], { type: "image/jpeg" });
    const result = await downscalePhoto(original, fake.deps);
    expect(fake.decodedWith()).toBe(original);
    expect(fake.canvases.map((c) => [c.width, c.height])).toEqual([[1024, 768]]);
    expect(fake.drawn).toEqual([{ dw: 1024, dh: 768 }]);
    expect(result).toMatchObject({ width: 1024, height: 768, downscaled: true });
    expect(await result.blob.text()).toBe("jpeg 1024x768 q0.85");
    expect(result.blob.type).toBe("image/jpeg");
    expect(fake.isClosed()).toBe(true);  // the bitmap's memory is given back
  });

  it("sends the original when the browser cannot decode the file", async () => {
    const fake = fakeDeps(0, 0, { decodeFails: true });
    const original = new Blob(["heic?"], { type: "image/heic" });
    const result = await downscalePhoto(original, fake.deps);
    expect(result.blob).toBe(original);
    expect(result.downscaled).toBe(false);
    expect(fake.canvases).toHaveLength(0);
  });

  it("asks the browser to apply EXIF orientation while decoding", async () => {
    const seen: unknown[] = [];
    const original = globalThis.createImageBitmap;
    globalThis.createImageBitmap = (async (...args: unknown[]) => {
      seen.push(args[1]);
      throw new Error("no decoder in jsdom");
    }) as typeof createImageBitmap;
    try {
      const blob = new Blob(["x"], { type: "image/jpeg" });
      const result = await downscalePhoto(blob);
      expect(result.blob).toBe(blob);
      expect(seen).toEqual([{ imageOrientation: "from-image" }]);
    } finally {
      globalThis.createImageBitmap = original;
    }
  });
});
