import adapter from '@sveltejs/adapter-static';
import { sveltekit } from '@sveltejs/kit/vite';
import { defineConfig } from 'vite';

// Workspace packages resolve to their TypeScript source, so the dashboard needs no
// protocol build first and shares the exact reducer the backend runs.
const conditions = ['source', 'browser', 'module', 'development|production'];

export default defineConfig({
  plugins: [
    sveltekit({
      // An SPA: the backend (embedded mode) and Caddy both serve build/ and fall back to
      // index.html for every client-side route.
      adapter: adapter({ pages: 'build', assets: 'build', fallback: 'index.html' }),
    }),
  ],
  resolve: { conditions },
  server: {
    proxy: {
      '/api': { target: 'http://127.0.0.1:8080', changeOrigin: false },
    },
  },
});
