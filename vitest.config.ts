import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts', 'src/**/*.test.ts'],
    // Native addons (DuckDB, onnxruntime, better-sqlite3) are safest in child processes.
    pool: 'forks',
    // Every test's temporary files under one folder, removed after the run (see the file).
    globalSetup: ['test/global-setup.ts'],
    testTimeout: 60_000,
    hookTimeout: 120_000,
  },
});
