/// <reference types="vitest/config" />
import { defineConfig } from "vite";
import react from "@vitejs/plugin-react";
import tailwindcss from "@tailwindcss/vite";

// `npm run dev` serves on :5173 and forwards the API to a running gateway
// (CHITTI_GATEWAY_URL, default the gateway's own default address).
const gateway = process.env.CHITTI_GATEWAY_URL ?? "http://127.0.0.1:6001";

export default defineConfig({
  plugins: [react(), tailwindcss()],
  server: {
    port: 5173,
    strictPort: true,
    proxy: {
      "/api": { target: gateway, ws: true, changeOrigin: false },
      "/health": gateway,
      "/docs": gateway,
      "/openapi.json": gateway,
    },
  },
  build: {
    target: "es2022",
    sourcemap: false,
    chunkSizeWarningLimit: 600,
  },
  test: {
    environment: "jsdom",
    include: ["src/**/*.test.{ts,tsx}"],
    setupFiles: ["src/test-setup.ts"],
    testTimeout: 20_000,
  },
});
