// The page at a group's export link (/m/<token>/, served by the BFF: bff/exports.py): runs
// the exported model in the browser with the camera and shows one bar per class. No account,
// no server work beyond the static files; TF.js is bundled here (no CDN), and a service
// worker keeps the page, the model and this script for offline use once loaded.
//
// Built as its own entry to a fixed name, /model-page/app.js (vite.config.ts), since the
// BFF's page cannot know the hashed names of the app's assets.
import * as tf from "@tensorflow/tfjs-core";
import "@tensorflow/tfjs-backend-webgl";
import "@tensorflow/tfjs-backend-cpu";
import { setWasmPaths } from "@tensorflow/tfjs-backend-wasm";
import { loadLayersModel, type LayersModel } from "@tensorflow/tfjs-layers";
import wasmPlain from "@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm.wasm?url";
import wasmSimd from "@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-simd.wasm?url";
import wasmThreaded from "@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-threaded-simd.wasm?url";
import { isMuted, playSound, setMuted, unlockAudioOnFirstTap } from "../lib/soundPlayer";
import { exportUrlFor, modelInput } from "./modelInput";

interface Reaction {
  emoji?: string | null;
  sound?: string | null;
  words?: string | null;
}

interface Metadata {
  labels: string[];
  modelName?: string;
  imageSize?: number;
  // PictoLab's own key (ml_api/export): the group's reaction per class, in label order.
  pictolab?: { reactions?: (Reaction | null)[] };
}

interface PageState {
  labels: string[];
  probabilities: number[];
  predictions: number;
  backend: string;
  ready: boolean;
  error?: string;
  reactions: (Reaction | null)[];
  /** The last reaction shown (the top class changed to ``classIndex``) and whether it sounded. */
  reaction?: { classIndex: number; played: boolean };
}

declare global {
  interface Window {
    pictolabModel?: PageState;
  }
}

const TEXT = {
  loading: "AI を よみこみ中… / Loading the AI…",
  camera: "カメラで ためす / Try with the camera",
  photo: "しゃしんで ためす / Try a photo",
  gone: "この AI は もう ありません / This AI is gone.",
  failed: "よみこめませんでした / Could not load the AI.",
  noCamera: "カメラが つかえません / The camera is not available.",
  soundOn: "🔊 おと あり / Sound on",
  soundOff: "🔇 おと なし / Sound off",
  scratch: "Scratch で つかう: この URL を「画像分類モデルURL」に いれてね / Use it in Scratch: put this URL in the “image classification model URL” block",
};

function el<K extends keyof HTMLElementTagNameMap>(tag: K, text?: string, style?: Partial<CSSStyleDeclaration>) {
  const node = document.createElement(tag);
  if (text !== undefined) node.textContent = text;
  if (style) Object.assign(node.style, style);
  return node;
}

async function registerOffline(modelJson: unknown, base: URL) {
  if (!("serviceWorker" in navigator)) return;
  try {
    await navigator.serviceWorker.register(new URL("sw.js", base).href, { scope: base.pathname });
    await navigator.serviceWorker.ready;
    if (!navigator.serviceWorker.controller) {
      // The worker claims this page when it activates; only then do fetches pass through it.
      await new Promise((resolve) => navigator.serviceWorker.addEventListener("controllerchange", resolve, { once: true }));
    }
    // Fetched again through the worker now that it runs, so it has everything for offline.
    const manifest = modelJson as { weightsManifest?: { paths: string[] }[] };
    // Everything this page has loaded from its own origin (the script, its chunks and
    // WebAssembly, the model), plus the page and the model's files by name.
    const loaded = performance.getEntriesByType("resource").map((entry) => entry.name)
      .filter((url) => url.startsWith(location.origin) && !url.endsWith("/sw.js"));
    const urls = [...new Set([base.href, new URL("metadata.json", base).href, new URL("model.json", base).href,
      ...(manifest.weightsManifest ?? []).flatMap((g) => g.paths.map((p) => new URL(p, base).href)),
      ...Array.from(document.scripts, (s) => s.src).filter(Boolean), ...loaded])];
    await Promise.all(urls.map((url) => fetch(url).catch(() => undefined)));
    document.documentElement.dataset.offlineReady = "true";
  } catch {
    // Offline use is a bonus: the page works without it.
  }
}

/** WebAssembly first: the same answers as the tests check (frontend/scripts/tfjs-predict.mjs),
 * ~0.1 s a frame on any iPad or laptop CPU, and no seconds of shader compiling before the
 * first answer as WebGL has; then WebGL, then plain JavaScript. */
async function pickBackend() {
  setWasmPaths({ "tfjs-backend-wasm.wasm": wasmPlain, "tfjs-backend-wasm-simd.wasm": wasmSimd,
    "tfjs-backend-wasm-threaded-simd.wasm": wasmThreaded });
  for (const backend of ["wasm", "webgl", "cpu"]) {
    if (await tf.setBackend(backend).catch(() => false)) return;
  }
}

async function main() {
  const root = document.getElementById("model-page") ?? document.body;
  const state: PageState = { labels: [], probabilities: [], predictions: 0, backend: "", ready: false, reactions: [] };
  window.pictolabModel = state;
  const status = el("p", TEXT.loading);
  root.replaceChildren(status);
  Object.assign(document.body.style, { fontFamily: "system-ui, sans-serif", margin: "0", background: "#fffaf0" });
  Object.assign(root.style, { maxWidth: "40rem", margin: "0 auto", padding: "1rem" });

  const base = new URL("./", location.href);
  let meta: Metadata;
  let model: LayersModel;
  let manifest: unknown;
  try {
    const [metaResponse, modelResponse] = await Promise.all([fetch(new URL("metadata.json", base)),
      fetch(new URL("model.json", base))]);
    if (metaResponse.status === 404 || modelResponse.status === 404) {
      status.textContent = TEXT.gone;
      state.error = "gone";
      return;
    }
    meta = await metaResponse.json();
    manifest = await modelResponse.json();
    await pickBackend();
    await tf.ready();
    model = await loadLayersModel(new URL("model.json", base).href);
  } catch (error) {
    status.textContent = TEXT.failed;
    state.error = String(error);
    return;
  }
  state.backend = tf.getBackend();
  state.labels = meta.labels;
  state.reactions = meta.labels.map((_, i) => meta.pictolab?.reactions?.[i] ?? null);
  document.title = meta.modelName || document.title;
  const size = meta.imageSize || 224;

  const title = el("h1", meta.modelName || "PictoLab AI", { fontSize: "1.6rem" });
  const video = el("video", undefined, { width: "100%", maxWidth: "22rem", borderRadius: "1rem", background: "#222" });
  video.muted = true;
  video.playsInline = true;
  const image = el("img", undefined, { width: "100%", maxWidth: "22rem", borderRadius: "1rem", display: "none" });
  image.alt = "";
  const bars = el("div");
  const rows = meta.labels.map((label) => {
    const row = el("div", undefined, { margin: "0.4rem 0" });
    const name = el("div", label, { fontSize: "1.2rem", fontWeight: "bold" });
    const track = el("div", undefined, { background: "#eee", borderRadius: "0.5rem", height: "1.4rem" });
    const fill = el("div", undefined, { background: "#fb8500", borderRadius: "0.5rem", height: "100%", width: "0%" });
    fill.setAttribute("role", "meter");
    fill.setAttribute("aria-label", label);
    fill.setAttribute("aria-valuemin", "0");
    fill.setAttribute("aria-valuemax", "100");
    track.append(fill);
    row.append(name, track);
    bars.append(row);
    return fill;
  });
  const buttons = el("div", undefined, { display: "flex", gap: "0.5rem", flexWrap: "wrap", margin: "0.8rem 0" });
  const cameraButton = el("button", TEXT.camera, { fontSize: "1.1rem", padding: "0.6rem 1rem" });
  const photoLabel = el("label", TEXT.photo, { fontSize: "1.1rem", padding: "0.6rem 1rem", border: "1px solid #999", borderRadius: "0.3rem" });
  const photoInput = el("input");
  photoInput.type = "file";
  photoInput.accept = "image/*";
  photoInput.style.display = "none";
  photoLabel.append(photoInput);
  buttons.append(cameraButton, photoLabel);
  const scratch = el("p", TEXT.scratch, { fontSize: "0.9rem", color: "#444" });
  const url = el("code", exportUrlFor(location.href), { wordBreak: "break-all" });
  const reactionBox = el("div", undefined, { display: "flex", alignItems: "center", gap: "0.8rem", minHeight: "4rem" });
  reactionBox.setAttribute("role", "status");
  reactionBox.dataset.testid = "reaction";
  const hasReactions = state.reactions.some(Boolean);
  if (hasReactions) {
    const muteButton = el("button", undefined, { fontSize: "1.1rem", padding: "0.6rem 1rem" });
    muteButton.dataset.testid = "mute-toggle";
    const showMuted = () => {
      muteButton.textContent = isMuted() ? TEXT.soundOff : TEXT.soundOn;
      muteButton.setAttribute("aria-pressed", String(isMuted()));
    };
    showMuted();
    muteButton.addEventListener("click", () => { setMuted(!isMuted()); showMuted(); });
    buttons.append(muteButton);
    unlockAudioOnFirstTap();
  }
  root.replaceChildren(title, buttons, video, image, reactionBox, bars, scratch, url);

  // The group's reaction when the AI's answer changes to another class: the emoji rising
  // (with prefers-reduced-motion, simply shown), its sound unless muted, and its words. The
  // Web Animations API, since the page's CSP allows no inline style sheet.
  const reducedMotion = !!window.matchMedia?.("(prefers-reduced-motion: reduce)").matches;
  reactionBox.dataset.motion = reducedMotion ? "reduced" : "full";
  let lastTop = -1;
  const react = (top: number) => {
    if (top === lastTop) return;
    lastTop = top;
    const reaction = state.reactions[top];
    reactionBox.dataset.emoji = reaction?.emoji ?? "";
    reactionBox.dataset.classIndex = String(top);
    if (!reaction) {
      reactionBox.replaceChildren();
      state.reaction = { classIndex: top, played: false };
      return;
    }
    const parts: HTMLElement[] = [];
    if (reaction.emoji) {
      const emoji = el("span", undefined, { position: "relative", display: "inline-block", width: "6rem",
        height: "4rem", fontSize: "2.6rem" });
      emoji.setAttribute("aria-hidden", "true");
      for (const i of reducedMotion ? [0] : [0, 1, 2, 3, 4]) {
        const bit = el("span", reaction.emoji, { position: "absolute", bottom: "0", left: `${[1.5, 0, 3, 0.8, 2.2][i]}rem` });
        emoji.append(bit);
        if (!reducedMotion) {
          bit.animate([{ transform: "translateY(0) scale(0.6)", opacity: 0 }, { opacity: 1, offset: 0.2 },
            { transform: "translateY(-3rem) scale(1.2)", opacity: 0 }],
          { duration: 1400, delay: i * 100, easing: "ease-out", fill: "both" });
        }
      }
      parts.push(emoji);
    }
    if (reaction.words) {
      const words = el("span", reaction.words, { fontSize: "1.5rem", fontWeight: "800", color: "#1d3557" });
      words.dataset.testid = "reaction-words";
      parts.push(words);
    }
    reactionBox.replaceChildren(...parts);
    state.reaction = { classIndex: top, played: playSound(reaction.sound) };
  };

  const show = async (source: HTMLVideoElement | HTMLImageElement) => {
    const width = source instanceof HTMLVideoElement ? source.videoWidth : source.naturalWidth;
    const height = source instanceof HTMLVideoElement ? source.videoHeight : source.naturalHeight;
    if (!width || !height) return;
    const output = tf.tidy(() => model.predict(modelInput(tf.browser.fromPixels(source), size)) as tf.Tensor);
    const values = Array.from(await output.data());
    output.dispose();
    state.probabilities = values;
    state.predictions += 1;
    values.forEach((p, i) => {
      rows[i].style.width = `${Math.round(p * 100)}%`;
      rows[i].setAttribute("aria-valuenow", String(Math.round(p * 100)));
    });
    if (values.length) react(values.indexOf(Math.max(...values)));
  };

  let running = false;
  cameraButton.addEventListener("click", async () => {
    try {
      video.srcObject = await navigator.mediaDevices.getUserMedia({ video: { facingMode: "environment" }, audio: false });
      await video.play();
    } catch {
      scratch.textContent = TEXT.noCamera;
      return;
    }
    video.style.display = "";
    image.style.display = "none";
    if (running) return;
    running = true;
    const loop = async () => {
      if (video.srcObject) await show(video);
      requestAnimationFrame(() => void loop());
    };
    void loop();
  });
  photoInput.addEventListener("change", () => {
    const file = photoInput.files?.[0];
    if (!file) return;
    image.src = URL.createObjectURL(file);
    image.onload = () => void show(image);
    image.style.display = "";
  });
  state.ready = true;
  void registerOffline(manifest, base);
}

void main();
