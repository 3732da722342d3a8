// The console's build: `npm run build:console` (from the repository root)
// writes dist/console/, which the server serves at `/`. `npm run dev:console`
// serves the sources with hot reload and proxies /api to a running server.
import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

const api = process.env['WARDROOM_URL'] ?? 'http://127.0.0.1:8080';

export default defineConfig({
  root: 'console',
  plugins: [react()],
  build: {
    outDir: '../dist/console',
    emptyOutDir: true,
    // Vite inlines small assets as data: URLs by default; the CSP allows only 'self'.
    assetsInlineLimit: 0,
  },
  server: { proxy: { '/api': api, '/docs': api } },
});
