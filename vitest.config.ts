import { defineConfig } from 'vitest/config';

// Every test runs with the machine in UTC, and everything that touches time
// runs again in New York: results must never depend on the process's zone.
const TIME_SENSITIVE = ['test/core/**/*.test.ts', 'test/cli/**/*.test.ts', 'test/adapters/**/*.test.ts', 'test/agent/store/**/*.test.ts', 'test/agent/runtime/**/*.test.ts', 'test/desktop/tray-model.test.ts', 'test/e2e/school-catalog.e2e.test.ts', 'test/agent/catalog/**/*.test.ts'];

export default defineConfig({
  test: {
    reporters: ['default', './test/summary-reporter.ts'],
    testTimeout: 20_000,
    projects: [
      { test: { name: 'utc', include: ['test/**/*.test.ts'], pool: 'forks', env: { TZ: 'UTC' } } },
      { test: { name: 'new-york', include: TIME_SENSITIVE, pool: 'forks', env: { TZ: 'America/New_York' } } },
    ],
  },
});
