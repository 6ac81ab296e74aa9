/**
 * Builds the review app to static files (dist/) that `mephisto review` serves at `/`. Routing is in the
 * URL fragment (#/runs/7), so the server needs no fallback route and relative asset URLs always resolve.
 */
import react from '@vitejs/plugin-react';
import { defaultClientConditions, defineConfig } from 'vite';

export default defineConfig({
  plugins: [react()],
  resolve: {
    // mephisto-ts exports `./review-api` (the HTTP contract) as TypeScript source under this condition,
    // so the app builds without building the server package first.
    conditions: ['mephisto-source', ...defaultClientConditions],
  },
  // Relative asset URLs, so the server can mount the built app under any path.
  base: './',
  build: { outDir: 'dist', emptyOutDir: true },
});
