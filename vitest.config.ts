import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    exclude: ['dist/**', 'node_modules/**'],
    // Tests spawn real servers; on a loaded 2-core machine give them room, but never rely on timing.
    testTimeout: 60_000,
    hookTimeout: 60_000,
    pool: 'forks',
    // Most test time is spent waiting on spawned servers (gates, ttls), not on CPU: six files at once fit two cores.
    maxWorkers: 6,
  },
});
