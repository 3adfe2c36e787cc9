import { mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

// Every test runs with the machine in UTC, and everything that touches time
// runs again in New York: results must never depend on the process's zone.
const TIME_SENSITIVE = ['test/core/**/*.test.ts', 'test/cli/**/*.test.ts', 'test/adapters/**/*.test.ts', 'test/agent/store/**/*.test.ts', 'test/agent/runtime/**/*.test.ts', 'test/desktop/tray-model.test.ts', 'test/e2e/school-catalog.e2e.test.ts', 'test/agent/catalog/**/*.test.ts'];

// The suite starts the real program (servers, agents, CLI commands) a few hundred times: V8's code
// cache for the sources, type-stripped TypeScript included, spares each start a third of its work.
// Inherited by every process a test spawns; the launcher's own cache in the home folder stays untouched.
const COMPILE_CACHE = fileURLToPath(new URL('node_modules/.cache/lesmodus-test-compile', import.meta.url));
mkdirSync(COMPILE_CACHE, { recursive: true, mode: 0o700 });
const env = { NODE_COMPILE_CACHE: COMPILE_CACHE };

export default defineConfig({
  test: {
    reporters: ['default', './test/summary-reporter.ts'],
    testTimeout: 20_000,
    projects: [
      { test: { name: 'utc', include: ['test/**/*.test.ts'], pool: 'forks', env: { ...env, TZ: 'UTC' } } },
      { test: { name: 'new-york', include: TIME_SENSITIVE, pool: 'forks', env: { ...env, TZ: 'America/New_York' } } },
    ],
  },
});
