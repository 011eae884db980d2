// "Where the AI looked": the predict heatmap (row-major from the top-left, values in [0, 1],
// over the whole photo as sent) as a soft colour map drawn on a canvas over the photo. The
// canvas has one pixel per heatmap cell; the browser's smooth upscaling to the photo's size
// makes the soft blobs, so no blur pass is needed.

export interface Heatmap { width: number; height: number; values: number[] }

/** Where the AI hardly looked stays clear: a child sees their photo, not a colour wash. */
export const CLEAR_BELOW = 0.15;
const MAX_ALPHA = 0.7;

/** RGBA (0..255) for one heatmap value: clear below CLEAR_BELOW, then sky blue -> sun yellow
 * -> warm red with growing opacity (the palette of the app, readable for colour-blind eyes:
 * the ramp also gets darker/more opaque, not only redder). Out-of-range or NaN values clamp. */
export function heatColor(value: number): [number, number, number, number] {
  const v = Number.isFinite(value) ? Math.min(1, Math.max(0, value)) : 0;
  if (v < CLEAR_BELOW) return [0, 0, 0, 0];
  const t = (v - CLEAR_BELOW) / (1 - CLEAR_BELOW);
  const stops: [number, number, number][] = [[33, 158, 188], [255, 183, 3], [214, 40, 40]];
  const [from, to, local] = t < 0.5 ? [stops[0], stops[1], t * 2] : [stops[1], stops[2], (t - 0.5) * 2];
  const mix = (i: number) => Math.round(from[i] + (to[i] - from[i]) * local);
  return [mix(0), mix(1), mix(2), Math.round(255 * MAX_ALPHA * (0.25 + 0.75 * t))];
}

/** The spotlight: what the AI ignored is dimmed, where it looked stays as the photo is. It
 * needs no colour at all (nothing to tell apart for colour-blind eyes, no "red part"). */
export const SPOTLIGHT_DIM = 0.72;
export function spotlightColor(value: number): [number, number, number, number] {
  const v = Number.isFinite(value) ? Math.min(1, Math.max(0, value)) : 0;
  return [2, 24, 38, Math.round(255 * SPOTLIGHT_DIM * (1 - v) ** 1.5)];
}

export type HeatmapMode = "color" | "spotlight";

/** The RGBA pixels of a heatmap (width * height * 4), or null for a malformed one. */
export function heatmapPixels(heatmap: Heatmap, mode: HeatmapMode = "color"): Uint8ClampedArray<ArrayBuffer> | null {
  const { width, height, values } = heatmap;
  if (!Number.isInteger(width) || !Number.isInteger(height) || width <= 0 || height <= 0
      || values.length !== width * height) return null;
  const pixels = new Uint8ClampedArray(width * height * 4);
  const color = mode === "spotlight" ? spotlightColor : heatColor;
  values.forEach((value, i) => pixels.set(color(value), i * 4));
  return pixels;
}

/** Draw the heatmap on ``canvas`` (resized to the heatmap's cells); false if malformed. */
export function drawHeatmap(canvas: HTMLCanvasElement, heatmap: Heatmap, mode: HeatmapMode = "color"): boolean {
  const pixels = heatmapPixels(heatmap, mode);
  const context = canvas.getContext("2d");
  if (!pixels || !context) return false;
  canvas.width = heatmap.width;
  canvas.height = heatmap.height;
  context.putImageData(new ImageData(pixels, heatmap.width, heatmap.height), 0, 0);
  return true;
}

/** What to say under a confusing photo's heatmap (Train screen): "it looked here and thought
 * <class>" only when the model, which trained with the photo, now answers the class the
 * cross-validation guessed; otherwise "where it looked" alone; none drawn: "can't show it". */
export function confusingLookedKey(heatmap: Heatmap | null | undefined, heatmapClassId: string | null | undefined,
                                   predictedClassId: string): "heatmapExplain" | "confusingLooked" | "confusingLookedNone" {
  if (!heatmap || !heatmapPixels(heatmap)) return "confusingLookedNone";
  return heatmapClassId === predictedClassId ? "heatmapExplain" : "confusingLooked";
}
