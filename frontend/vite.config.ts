import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import adapter from '@sveltejs/adapter-static';
import { sveltekit } from '@sveltejs/kit/vite';
import { defineConfig } from 'vite';

// Workspace packages resolve to their TypeScript source, so the dashboard needs no
// protocol build first and shares the exact reducer the backend runs.
const conditions = ['source', 'browser', 'module', 'development|production'];

// app.html's one inline script (the first read) is allowed by its hash, taken from the file
// itself so the two cannot drift apart.
const appHtml = readFileSync(new URL('src/app.html', import.meta.url), 'utf8');
const firstRead = /<script>([\s\S]*?)<\/script>/.exec(appHtml)?.[1];
if (firstRead === undefined) throw new Error('src/app.html has no first-read script');
const firstReadHash = `sha256-${createHash('sha256').update(firstRead).digest('base64')}` as const;

export default defineConfig({
  plugins: [
    sveltekit({
      // An SPA: the backend (embedded mode) and Caddy both serve build/ and fall back to
      // index.html for every client-side route.
      adapter: adapter({ pages: 'build', assets: 'build', fallback: 'index.html' }),
      // One script and one stylesheet, all named in index.html: split chunks cost the first
      // paint a second round of requests (the route's code is only found once the router
      // runs, since the SPA fallback page cannot name it), and the whole app is ~60 KB gzip.
      output: { bundleStrategy: 'single' },
      // No inline script runs but SvelteKit's own boot script and app.html's first read,
      // each allowed by its hash; no plugin, no base-tag or form tricks. A page sent as a
      // file cannot carry frame-ancestors in a meta tag: the servers send that header
      // (backend and Caddy).
      csp: {
        mode: 'hash',
        directives: {
          'default-src': ['self'],
          'script-src': ['self', firstReadHash],
          'style-src': ['self', 'unsafe-inline'],
          'img-src': ['self', 'data:'],
          'connect-src': ['self'],
          'object-src': ['none'],
          'base-uri': ['none'],
          'form-action': ['self'],
        },
      },
    }),
  ],
  resolve: { conditions },
  server: {
    proxy: {
      '/api': { target: 'http://127.0.0.1:8080', changeOrigin: false },
    },
  },
});
