import { describe, expect, it } from 'vitest';
import { planLanes, type PlannedFile } from './sequencer.ts';

interface File extends PlannedFile {
  readonly name: string;
}
const heavy = (name: string, durationMs: number): File => ({ name, heavy: true, durationMs, project: 'utc-heavy' });
const light = (name: string, durationMs: number, project = 'utc'): File => ({ name, heavy: false, durationMs, project });

/**
 * Runs a queue as vitest's workers do: each free worker takes the next file;
 * a heavy file waits until no other heavy file runs (heavy-lane.ts). Returns
 * when the last file ends and how long workers sat waiting for the lane.
 */
function run(queue: readonly File[], workers: number): { endMs: number; waitedMs: number } {
  const freeAt = Array.from({ length: workers }, () => 0);
  let laneFreeAt = 0;
  let waitedMs = 0;
  for (const file of queue) {
    const now = Math.min(...freeAt);
    const worker = freeAt.indexOf(now);
    const start = file.heavy ? Math.max(now, laneFreeAt) : now;
    waitedMs += start - now;
    freeAt[worker] = start + file.durationMs;
    if (file.heavy) laneFreeAt = freeAt[worker]!;
  }
  return { endMs: Math.max(...freeAt), waitedMs };
}

describe('planning the test files into a heavy lane and light work', () => {
  it('keeps the heavy lane busy from the start while the other worker takes the light files', () => {
    const files = [heavy('pg', 10), heavy('browser', 10), light('a', 5), light('b', 5), light('c', 5), light('d', 5)];
    const queue = planLanes(files, 2);
    expect(queue.map((f) => f.name)).toEqual(['pg', 'a', 'b', 'browser', 'c', 'd']);
    expect(run(queue, 2)).toEqual({ endMs: 20, waitedMs: 0 });
  });

  it('finishes when the heavy lane does, which putting the heavy files first does not (a worker waits for the lane)', () => {
    const files = [heavy('h1', 30), heavy('h2', 20), heavy('h3', 20), heavy('h4', 10),
      ...Array.from({ length: 40 }, (_, i) => light(`l${i}`, i < 10 ? 4 : 1))];
    const planned = run(planLanes(files, 2), 2);
    expect(planned.waitedMs).toBe(0);
    // The heavy files take 80 one after another (all the work, 150, would fit in 75 on two workers): nothing ends sooner.
    expect(planned.endMs).toBe(80);
    expect(run([...files], 2).endMs).toBeGreaterThan(planned.endMs);
  });

  it('lets the light files fill in once the heavy lane is done, and the heavy ones queue when nothing light is left', () => {
    const manyHeavy = [heavy('h1', 10), heavy('h2', 10), heavy('h3', 10), light('a', 1)];
    const queue = planLanes(manyHeavy, 3);
    expect(queue.map((f) => f.name).sort()).toEqual(['a', 'h1', 'h2', 'h3']);
    expect(run(queue, 3).endMs).toBe(30);
  });

  it('takes the light files a project at a time, each project in its own order', () => {
    const files = [light('ny-long', 9, 'new-york'), light('utc-long', 8), light('ny-short', 2, 'new-york'), light('utc-short', 1), heavy('h', 5)];
    const names = planLanes(files, 2).filter((f) => !f.heavy).map((f) => f.name);
    expect(names).toEqual(['ny-long', 'ny-short', 'utc-long', 'utc-short']);
  });

  it('keeps every file once and the order of each kind, with one worker too', () => {
    const files = [heavy('h1', 10), light('a', 3), heavy('h2', 5), light('b', 2)];
    const queue = planLanes(files, 1);
    expect([...queue].sort((x, y) => x.name.localeCompare(y.name))).toEqual([...files].sort((x, y) => x.name.localeCompare(y.name)));
    expect(queue.filter((f) => f.heavy).map((f) => f.name)).toEqual(['h1', 'h2']);
    expect(queue.filter((f) => !f.heavy).map((f) => f.name)).toEqual(['a', 'b']);
  });
});
