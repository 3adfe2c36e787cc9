import { relative } from 'node:path';
import { afterAll, beforeAll, expect } from 'vitest';
import { HEAVY_FILES } from './heavy-files.ts';
import { takeHeavyLane } from './heavy-lane.ts';

// Runs before each heavy test file (vitest.config.ts): its own hooks and tests wait for their turn.
let release: (() => void) | undefined;
beforeAll(async () => {
  const path = relative(process.cwd(), expect.getState().testPath ?? '');
  if (!HEAVY_FILES.includes(path)) throw new Error(`${path} runs as a heavy test file but is not in test/lanes/heavy-files.ts`);
  release = await takeHeavyLane();
}, 30 * 60_000);
afterAll(() => release?.());
