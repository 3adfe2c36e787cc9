import { mkdirSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';
import { HEAVY_FILES } from './test/lanes/heavy-files.ts';
import LaneSequencer, { HEAVY_PROJECT } from './test/lanes/sequencer.ts';

/** Two lanes at least (see HEAVY below); a bigger machine runs more light files at once. */
const WORKERS = Math.max(2, availableParallelism() - 1);

// Every test runs with the machine in UTC, and everything that touches time
// runs again in New York: results must never depend on the process's zone.
const TIME_SENSITIVE = ['test/core/**/*.test.ts', 'test/cli/**/*.test.ts', 'test/adapters/**/*.test.ts', 'test/agent/store/**/*.test.ts', 'test/agent/runtime/**/*.test.ts', 'test/desktop/tray-model.test.ts', 'test/e2e/school-catalog.e2e.test.ts', 'test/agent/catalog/**/*.test.ts'];

// The suite starts the real program (servers, agents, CLI commands) a few hundred times: V8's code
// cache for the sources, type-stripped TypeScript included, spares each start a third of its work.
// Inherited by every process a test spawns; the launcher's own cache in the home folder stays untouched.
const COMPILE_CACHE = fileURLToPath(new URL('node_modules/.cache/lesmodus-test-compile', import.meta.url));
mkdirSync(COMPILE_CACHE, { recursive: true, mode: 0o700 });
const env = { NODE_COMPILE_CACHE: COMPILE_CACHE };

/**
 * The files that keep a core busy by themselves (test/lanes/heavy-files.ts) take turns on one
 * lane (test/lanes/heavy-lane.ts); the sequencer spreads them through the queue so the light
 * files keep the other worker busy meanwhile.
 */
const HEAVY = [...HEAVY_FILES];
const common = { pool: 'forks' } as const;
/**
 * A light file runs in the process the file before it ran in (of the same project): a new
 * process and its imports cost each file about a third of a second, a third of the light
 * files' time. The tests keep no state between files (no module mocks, stubbed globals, fake
 * timers or changed environment); the heavy files keep their own process (a browser per file).
 */
const light = { isolate: false } as const;

export default defineConfig({
  test: {
    reporters: ['default', './test/summary-reporter.ts'],
    testTimeout: 20_000,
    maxWorkers: WORKERS,
    sequence: { sequencer: LaneSequencer },
    projects: [
      { test: { ...common, name: HEAVY_PROJECT, include: HEAVY, env: { ...env, TZ: 'UTC' }, setupFiles: ['./test/lanes/heavy-setup.ts'] } },
      { test: { ...common, ...light, name: 'utc', include: ['test/**/*.test.ts'], exclude: HEAVY, env: { ...env, TZ: 'UTC' } } },
      { test: { ...common, ...light, name: 'new-york', include: TIME_SENSITIVE, exclude: HEAVY, env: { ...env, TZ: 'America/New_York' } } },
    ],
  },
});
