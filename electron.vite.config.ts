import { resolve } from 'node:path';
import { defineConfig } from 'electron-vite';
import react from '@vitejs/plugin-react';
import { contentSecurityPolicy } from './src/shared/csp';

export default defineConfig({
  main: {
    build: {
      outDir: 'out/main',
      rollupOptions: {
        input: {
          index: resolve('src/main/index.ts'),
          // Envelope verification runs on worker threads (src/main/core/envelope/open-pool.ts).
          'open-worker': resolve('src/main/core/envelope/open-worker.ts'),
          // Journal checkpoints run on a worker thread (src/main/core/store/checkpointer.ts).
          'checkpoint-worker': resolve('src/main/core/store/checkpoint-worker.ts'),
          // A profile's database is checked ahead of its sign-in on a worker thread (src/main/core/store/check-ahead.ts).
          'check-worker': resolve('src/main/core/store/check-worker.ts'),
          // Argon2id (the PIN) runs on a worker thread that exits after (src/main/core/lock/pin-hash.ts).
          'pin-worker': resolve('src/main/core/lock/pin-worker.ts'),
        },
      },
    },
  },
  preload: {
    // A sandboxed preload cannot load ES modules or other files: one self-contained CommonJS bundle.
    build: {
      outDir: 'out/preload',
      externalizeDeps: false,
      rollupOptions: {
        input: { index: resolve('src/preload/index.ts') },
        external: ['electron'],
        output: { format: 'cjs', entryFileNames: '[name].cjs' },
      },
    },
  },
  renderer: {
    root: 'src/renderer',
    build: {
      outDir: 'out/renderer',
      rollupOptions: { input: { index: resolve('src/renderer/index.html') } },
    },
    plugins: [
      react(),
      {
        name: 'clinical-messenger-csp',
        transformIndexHtml: (html) => html.replace('%CONTENT_SECURITY_POLICY%', contentSecurityPolicy),
      },
    ],
  },
});
