/**
 * Builds the task app into one classic script, build/bundle.js, the file task_source names: the task
 * page (src/static/index.html) loads it with a plain <script src="bundle.js"> after the provider's
 * wrap_crowd_source.js, as Mephisto's webpack builds do. So: an IIFE, no hashed names, no HTML entry,
 * no separate chunks or CSS files.
 */
import react from '@vitejs/plugin-react';
import { defaultClientConditions, defineConfig } from 'vite';

export default defineConfig({
  plugins: [react()],
  resolve: {
    // Inside the mephisto-ts repository, workspace packages offer their TypeScript sources under this
    // condition, so the app builds without building @mephisto-ts/task-client first. Elsewhere no
    // package declares it and it changes nothing.
    conditions: ['mephisto-source', ...defaultClientConditions],
  },
  build: {
    outDir: 'build',
    emptyOutDir: true,
    copyPublicDir: false,
    rolldownOptions: {
      input: 'src/main.tsx',
      output: { format: 'iife', entryFileNames: 'bundle.js' },
    },
  },
});
