/// <reference types="vitest/config" />
import { defineConfig } from "vite";
import react from "@vitejs/plugin-react";

// The Flask server (frontend/server.py) serves dist/; under `npm run dev` Vite proxies the
// API to a BFF on :8001 so the browser still sees one origin.
export default defineConfig({
  plugins: [react()],
  build: {
    outDir: "dist",
    assetsDir: "assets",
    // Our CSP forbids inline scripts; keep every asset a file with a hashed name.
    assetsInlineLimit: 0,
    sourcemap: false,
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
