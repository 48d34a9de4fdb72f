import vue from '@vitejs/plugin-vue';
import { defineConfig } from 'vitest/config';

export default defineConfig({
  plugins: [vue()],
  test: {
    include: ['tests/**/*.test.ts', 'web/src/**/*.test.ts'],
    globalSetup: ['tests/helpers/global-setup.ts'],
    // Integration tests start real services (PostgreSQL, Temporal, sshd, borg); forks keep each
    // file's child processes and signal handlers isolated from the others.
    pool: 'forks',
    // Two cores: more parallel files only make the real services fight for CPU.
    maxWorkers: 2,
    // Real borg and a real Temporal dev server take seconds, not milliseconds.
    testTimeout: 60_000,
    hookTimeout: 120_000,
    reporters: ['default'],
  },
});
