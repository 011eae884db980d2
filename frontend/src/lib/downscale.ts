// Photos leave the iPad at most 1024 px on the long side as JPEG 0.85: a 12 MP photo is
// ~3 MB, the downscaled one ~150 KB, which matters on a venue's shared Wi-Fi. EXIF
// orientation is applied while decoding (imageOrientation: "from-image"), so the pixels
// are upright; the BFF strips metadata again anyway.

export const MAX_SIDE = 1024;
export const JPEG_QUALITY = 0.85;

export interface Size { width: number; height: number }

/** The size that fits within maxSide on the long side, keeping the aspect; never upscales. */
export function fitWithin(width: number, height: number, maxSide = MAX_SIDE): Size {
  if (!(width > 0) || !(height > 0)) throw new RangeError(`bad image size ${width}x${height}`);
  const longSide = Math.max(width, height);
  if (longSide <= maxSide) return { width: Math.round(width), height: Math.round(height) };
  const scale = maxSide / longSide;
  return {
    width: Math.max(1, Math.min(maxSide, Math.round(width * scale))),
    height: Math.max(1, Math.min(maxSide, Math.round(height * scale))),
  };
}

interface Canvas2D {
  drawImage(image: CanvasImageSource, dx: number, dy: number, dw: number, dh: number): void;
  imageSmoothingEnabled?: boolean;
  imageSmoothingQuality?: ImageSmoothingQuality;
}

export interface CanvasLike {
  width: number;
  height: number;
  getContext(kind: "2d"): Canvas2D | null;
}

export interface DownscaleDeps {
  decode: (blob: Blob) => Promise<ImageBitmap>;
  makeCanvas: (width: number, height: number) => CanvasLike;
  toJpeg: (canvas: CanvasLike, quality: number) => Promise<Blob>;
}

/** Older Safari lacks createImageBitmap options: an <img> decodes (and orients) instead. */
async function decodeWithImage(blob: Blob): Promise<ImageBitmap> {
  const url = URL.createObjectURL(blob);
  try {
    const image = new Image();
    image.src = url;
    await image.decode();
    const { naturalWidth: width, naturalHeight: height } = image;
    return Object.assign(image, { width, height, close: () => undefined }) as unknown as ImageBitmap;
  } finally {
    URL.revokeObjectURL(url);
  }
}

async function decodeInBrowser(blob: Blob): Promise<ImageBitmap> {
  if (typeof createImageBitmap === "function") {
    try {
      return await createImageBitmap(blob, { imageOrientation: "from-image" });
    } catch {
      /* fall through to <img> */
    }
  }
  return decodeWithImage(blob);
}

const browserDeps: DownscaleDeps = {
  decode: decodeInBrowser,
  makeCanvas: (width, height) => {
    if (typeof OffscreenCanvas !== "undefined") return new OffscreenCanvas(width, height) as unknown as CanvasLike;
    const canvas = document.createElement("canvas");
    canvas.width = width;
    canvas.height = height;
    return canvas as unknown as CanvasLike;
  },
  toJpeg: (canvas, quality) => {
    if (typeof OffscreenCanvas !== "undefined" && canvas instanceof OffscreenCanvas) {
      return canvas.convertToBlob({ type: "image/jpeg", quality });
    }
    return new Promise<Blob>((resolve, reject) =>
      (canvas as unknown as HTMLCanvasElement).toBlob(
        (blob) => (blob ? resolve(blob) : reject(new Error("canvas.toBlob gave nothing"))), "image/jpeg", quality));
  },
};

export interface Downscaled { blob: Blob; width: number; height: number; downscaled: boolean }

/**
 * Decode, orient, shrink and re-encode one photo. When the browser cannot decode it (an
 * unusual format), the original goes up unchanged: the BFF decodes more formats and
 * answers with a clear error for what it cannot.
 */
export async function downscalePhoto(file: Blob, deps: DownscaleDeps = browserDeps,
                                     maxSide = MAX_SIDE, quality = JPEG_QUALITY): Promise<Downscaled> {
  let bitmap: ImageBitmap;
  try {
    bitmap = await deps.decode(file);
  } catch {
    return { blob: file, width: 0, height: 0, downscaled: false };
  }
  try {
    const size = fitWithin(bitmap.width, bitmap.height, maxSide);
    const canvas = deps.makeCanvas(size.width, size.height);
    const context = canvas.getContext("2d");
    if (!context) return { blob: file, width: bitmap.width, height: bitmap.height, downscaled: false };
    context.imageSmoothingEnabled = true;
    context.imageSmoothingQuality = "high";
    context.drawImage(bitmap, 0, 0, size.width, size.height);
    const blob = await deps.toJpeg(canvas, quality);
    return { blob, ...size, downscaled: true };
  } finally {
    bitmap.close?.();
  }
}
