import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: 'unit',
          include: ['test/**/*.test.ts'],
          exclude: ['test/**/*.int.test.ts', 'test/cluster/**'],
          pool: 'forks',
        },
      },
      {
        test: {
          name: 'integration',
          include: ['test/**/*.int.test.ts'],
          // On the real Temporal server, with worker processes: `npm run test:cluster` (vitest.cluster.config.ts).
          exclude: ['test/cluster/**'],
          // Each suite starts a Temporal dev server; on 2 cores they run one file at a time.
          pool: 'forks',
          poolOptions: { forks: { singleFork: true } },
          testTimeout: 60_000,
          hookTimeout: 120_000,
        },
      },
    ],
  },
});
