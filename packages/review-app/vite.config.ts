import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

export default defineConfig({
  plugins: [react()],
  // Relative asset URLs, so the server can mount the built app under any path.
  base: './',
  build: { outDir: 'dist', emptyOutDir: true },
});
