import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // Says once, before the tests, what is missing for the integration tests (test/global-setup.ts).
    globalSetup: ['test/global-setup.ts'],
    // Integration tests start containers and daemons; give them room, but keep unit tests fast.
    testTimeout: 60_000,
    hookTimeout: 120_000,
    // One broker container per file; two cores are shared by the broker, the daemon and the runner.
    fileParallelism: false,
  },
});
