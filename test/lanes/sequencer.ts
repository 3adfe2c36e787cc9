import { BaseSequencer, type TestSpecification } from 'vitest/node';

/**
 * Two lanes on a 2-core machine: the heavy files (heavy-files.ts) one after
 * another (each waits for the one before, heavy-lane.ts), the light ones in
 * between. So the queue spreads the heavy files out, each followed by about
 * as much light work as it takes: the other worker runs that meanwhile.
 * Durations come from vitest's cache of the last run; a clean clone has
 * none, and then a heavy file counts as fifteen light ones.
 */

export const HEAVY_PROJECT = 'utc-heavy';
const GUESS_MS = { heavy: 15_000, light: 1_000 };

export default class LaneSequencer extends BaseSequencer {
  override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    // Longest first within each kind, as vitest's own order.
    const sorted = await super.sort(files);
    const duration = (spec: TestSpecification, guess: number) => this.ctx.cache.getTestSpecificationResult(spec)?.duration ?? guess;
    const heavy = sorted.filter((s) => s.project.name === HEAVY_PROJECT);
    const light = sorted.filter((s) => s.project.name !== HEAVY_PROJECT);
    const queue: TestSpecification[] = [];
    let next = 0;
    for (const file of heavy) {
      queue.push(file);
      let filled = 0;
      const wanted = duration(file, GUESS_MS.heavy);
      while (next < light.length && filled < wanted) filled += duration(light[next]!, GUESS_MS.light), queue.push(light[next++]!);
    }
    return [...queue, ...light.slice(next)];
  }
}
