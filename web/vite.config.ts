/**
 * Vite build of the browser UI (web/) into dist/web: index.html + hashed assets, relative base so
 * the local server can serve it under any path. web/ imports pure modules of src/ (the UI protocol,
 * src/model) by relative paths; `server.fs.allow` lets the dev server read them too.
 */
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

const webRoot = fileURLToPath(new URL('.', import.meta.url));
const repoRoot = fileURLToPath(new URL('..', import.meta.url));

export default defineConfig({
  root: webRoot,
  base: './',
  publicDir: false,
  build: {
    outDir: fileURLToPath(new URL('../dist/web', import.meta.url)),
    emptyOutDir: true,
    target: 'es2022',
    sourcemap: true,
    reportCompressedSize: false,
    chunkSizeWarningLimit: 400,
  },
  worker: { format: 'es' },
  server: { fs: { allow: [repoRoot] } },
});
