// Load a TF.js Layers model with the real @tensorflow/tfjs-layers (what Teachable Machine's
// library and ml5 use) and print its predictions as JSON, so Python tests and benches can
// compare them with the ML API's. Usage:
//   node scripts/tfjs-predict.mjs <model.json URL or path> <inputs.bin> <n> [size]
// inputs.bin: n images, float32 little-endian, NHWC, already scaled to [-1, 1].
// A URL is fetched over HTTP (relative weight paths resolve as in a browser); a path is read
// from disk, its weight paths resolved against the model.json's folder.
import { readFileSync } from "node:fs";
import { dirname, resolve } from "node:path";
import * as tf from "@tensorflow/tfjs-core";
import "@tensorflow/tfjs-backend-cpu";
import { setThreadsCount, setWasmPaths } from "@tensorflow/tfjs-backend-wasm";
import { loadLayersModel } from "@tensorflow/tfjs-layers";

const [source, inputsPath, countText, sizeText] = process.argv.slice(2);
const count = Number(countText);
const size = Number(sizeText || 224);

function fileHandler(path) {
  return {
    async load() {
      const manifest = JSON.parse(readFileSync(path, "utf8"));
      const specs = [];
      const buffers = [];
      for (const group of manifest.weightsManifest) {
        specs.push(...group.weights);
        for (const p of group.paths) buffers.push(readFileSync(resolve(dirname(path), p)));
      }
      const all = Buffer.concat(buffers);
      return {
        modelTopology: manifest.modelTopology,
        weightSpecs: specs,
        weightData: all.buffer.slice(all.byteOffset, all.byteOffset + all.byteLength),
        format: manifest.format,
      };
    },
  };
}

// WebAssembly (SIMD) by default: ~10x the plain-JS CPU backend. TFJS_BACKEND=cpu for the other.
const backend = process.env.TFJS_BACKEND || "wasm";
if (backend === "wasm") {
  const dist = new URL("../node_modules/@tensorflow/tfjs-backend-wasm/dist/", import.meta.url);
  setWasmPaths(dist.pathname);
  setThreadsCount(1);
}
if (!(await tf.setBackend(backend))) throw new Error(`backend ${backend} unavailable`);
const started = performance.now();
const model = await loadLayersModel(/^https?:/.test(source) ? source : fileHandler(source));
const loadedMs = performance.now() - started;
const raw = readFileSync(inputsPath);
const values = new Float32Array(raw.buffer, raw.byteOffset, raw.byteLength / 4);
const probabilities = [];
const batch = 4;
const predictStarted = performance.now();
for (let start = 0; start < count; start += batch) {
  const n = Math.min(batch, count - start);
  const per = size * size * 3;
  const x = tf.tensor4d(values.subarray(start * per, (start + n) * per), [n, size, size, 3]);
  const y = model.predict(x);
  const rows = await y.array();
  probabilities.push(...rows);
  tf.dispose([x, y]);
}
const predictMs = performance.now() - predictStarted;
console.log(JSON.stringify({
  probabilities, loadedMs, predictMs,
  inputShape: model.inputs[0].shape, outputShape: model.outputs[0].shape,
  layers: model.layers.length, tfjs: tf.version_core, backend: tf.getBackend(),
}));
