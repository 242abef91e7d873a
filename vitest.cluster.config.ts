import { defineConfig } from 'vitest/config';

// `npm run test:cluster`: the Temporal-facing suites under test/cluster/ on the real Temporal server
// (scripts/cluster.js) with worker processes of their own. Not part of `npm test`.
export default defineConfig({
  test: {
    name: 'cluster',
    include: ['test/cluster/**/*.int.test.ts'],
    globalSetup: ['test/cluster/global-setup.ts'],
    pool: 'forks',
    poolOptions: { forks: { singleFork: true } },
    testTimeout: 180_000,
    // A cold build of the server takes ~9 CPU-minutes; it happens in globalSetup, before any hook.
    hookTimeout: 300_000,
  },
});
