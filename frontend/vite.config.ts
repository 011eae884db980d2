/// <reference types="vitest/config" />
import { readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { defineConfig, type Plugin } from "vite";
import react from "@vitejs/plugin-react";

/** Write a .gz next to every text asset: the Flask server sends it to browsers that accept
 * gzip (venue Wi-Fi is slow and shared; nothing in front of the server compresses). */
function precompress(): Plugin {
  let outDir = "dist";
  return {
    name: "pictolab-precompress",
    apply: "build",
    configResolved(config) {
      outDir = config.build.outDir;
    },
    closeBundle() {
      const walk = (dir: string) => {
        for (const name of readdirSync(dir)) {
          const path = join(dir, name);
          if (statSync(path).isDirectory()) walk(path);
          else if (/\.(js|css|svg|html|json)$/.test(name) && statSync(path).size > 1024) {
            writeFileSync(`${path}.gz`, gzipSync(readFileSync(path), { level: 9 }));
          }
        }
      };
      walk(outDir);
    },
  };
}

// The Flask server (frontend/server.py) serves dist/; under `npm run dev` Vite proxies the
// API to a BFF on :8001 so the browser still sees one origin.
export default defineConfig({
  plugins: [react(), precompress()],
  build: {
    outDir: "dist",
    assetsDir: "assets",
    // Our CSP forbids inline scripts; keep every asset a file with a hashed name.
    assetsInlineLimit: 0,
    sourcemap: false,
    rollupOptions: {
      // The exported-model page (src/modelPage) at a fixed name: the BFF serves its HTML at
      // each export link (bff/exports.py) and cannot know hashed names.
      input: { index: "index.html", "model-page": "src/modelPage/main.ts" },
      output: {
        entryFileNames: (chunk) => (chunk.name === "model-page" ? "model-page/app.js" : "assets/[name]-[hash].js"),
        // Its WebAssembly and the chunks both entries share (the bundler's small runtime,
        // the reactions' sounds) beside it: the export link is opened from outside the venue,
        // and only /m/ and /model-page/ are let through from there (not the app's /assets/).
        chunkFileNames: (chunk) => (chunk.name.startsWith("rolldown-runtime") || chunk.name.startsWith("soundPlayer")
          ? "model-page/[name]-[hash].js" : "assets/[name]-[hash].js"),
        assetFileNames: (asset) => ((asset.names ?? []).some((n) => n.endsWith(".wasm"))
          ? "model-page/[name]-[hash][extname]" : "assets/[name]-[hash][extname]"),
      },
    },
  },
  server: {
    proxy: {
      "/graphql": "http://127.0.0.1:8001",
      "/media": "http://127.0.0.1:8001",
    },
  },
  test: {
    environment: "jsdom",
    include: ["src/**/*.test.{ts,tsx}"],
  },
});
