// What a Teachable Machine image model takes, as TM's own library and ml5 make it: the
// picture's centre square, resized to size x size, RGB scaled from [0, 255] to [-1, 1]
// (the exported model folds the backbone's own normalisation in: ml_api/export/convert.py).
import * as tf from "@tensorflow/tfjs-core";

export function modelInput(pixels: tf.Tensor3D, size: number): tf.Tensor4D {
  return tf.tidy(() => {
    const [height, width] = pixels.shape;
    const side = Math.min(height, width);
    const top = Math.floor((height - side) / 2);
    const left = Math.floor((width - side) / 2);
    const square = tf.slice(pixels, [top, left, 0], [side, side, 3]);
    const resized = tf.image.resizeBilinear(square, [size, size], false, true);
    return tf.expandDims(tf.sub(tf.div(tf.cast(resized, "float32"), 127.5), 1), 0) as tf.Tensor4D;
  });
}

/** The export link itself (the page's own folder), whatever file the page was opened as. */
export function exportUrlFor(href: string): string {
  const url = new URL("./", href);
  url.search = "";
  url.hash = "";
  return url.href;
}
