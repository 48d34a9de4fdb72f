import vue from '@vitejs/plugin-vue';
import { defineConfig } from 'vite';

const apiTarget = 'http://127.0.0.1:8081';

export default defineConfig({
  root: decodeURIComponent(new URL('.', import.meta.url).pathname),
  plugins: [vue()],
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    // ECharts' core alone is about 500 kB minified; it is loaded lazily with the size chart.
    chunkSizeWarningLimit: 600,
  },
  server: {
    proxy: {
      '/api': { target: apiTarget, changeOrigin: false },
      '/healthz': apiTarget,
      '/readyz': apiTarget,
    },
  },
});
