import { BaseSequencer, type TestSpecification } from 'vitest/node';

/**
 * The order vitest's workers take the test files in. Each free worker takes
 * the next file in the queue; heavy files (heavy-files.ts) run one at a time
 * (heavy-lane.ts), and a worker that takes one while another runs waits idle.
 * So the queue is planned by playing the run through with last run's
 * durations: whenever a worker comes free and no heavy file runs, it gets the
 * next heavy file, otherwise the next light one. The heavy lane then never
 * pauses, and no worker waits for it while light files are left.
 *
 * Durations come from vitest's cache of the last run; a clean clone has
 * none, and then a heavy file counts as fifteen light ones.
 */

export const HEAVY_PROJECT = 'utc-heavy';
const GUESS_MS = { heavy: 15_000, light: 1_000 };
/**
 * Durations vary from run to run, so the plan errs on one side: it counts
 * heavy files shorter than they were, and each comes up a little early. An
 * early one waits for the lane (one worker idle while the others run); a late
 * one leaves the lane empty, and the heavy files one after another are the
 * longest path through the run.
 */
export const HEAVY_EARLY = 0.75;

export interface PlannedFile {
  readonly heavy: boolean;
  readonly durationMs: number;
  /** Its project: a worker goes on to the next light file in the same process only within one project. */
  readonly project: string;
}

/**
 * The queue for `workers` workers: `files` reordered as the run is expected
 * to take them. Heavy files keep their order; light ones are taken a project
 * at a time, each project's in the order given.
 */
export function planLanes<F extends PlannedFile>(files: readonly F[], workers: number): F[] {
  const heavy = files.filter((f) => f.heavy);
  const projects = [...new Set(files.filter((f) => !f.heavy).map((f) => f.project))];
  const light = projects.flatMap((project) => files.filter((f) => !f.heavy && f.project === project));
  const freeAt = Array.from({ length: Math.max(1, workers) }, () => 0);
  let laneFreeAt = 0;
  const queue: F[] = [];
  while (heavy.length + light.length > 0) {
    const now = Math.min(...freeAt);
    const worker = freeAt.indexOf(now);
    const takeHeavy = heavy.length > 0 && (laneFreeAt <= now || light.length === 0);
    const file = (takeHeavy ? heavy : light).shift()!;
    // A heavy file taken while the lane is busy (only heavy ones left) starts when the lane comes free.
    const start = file.heavy ? Math.max(now, laneFreeAt) : now;
    freeAt[worker] = start + file.durationMs;
    if (file.heavy) laneFreeAt = freeAt[worker]!;
    queue.push(file);
  }
  return queue;
}

export default class LaneSequencer extends BaseSequencer {
  override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    // Longest first within each kind, as vitest's own order.
    const sorted = await super.sort(files);
    const planned = sorted.map((spec) => {
      const heavy = spec.project.name === HEAVY_PROJECT;
      const lastMs = this.ctx.cache.getTestSpecificationResult(spec)?.duration ?? (heavy ? GUESS_MS.heavy : GUESS_MS.light);
      return { spec, heavy, project: spec.project.name, durationMs: heavy ? lastMs * HEAVY_EARLY : lastMs };
    });
    return planLanes(planned, this.ctx.config.maxWorkers).map((p) => p.spec);
  }
}
