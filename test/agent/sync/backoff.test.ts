import { describe, expect, it } from 'vitest';
import { Backoff, BACKOFF_BASE_MS, BACKOFF_MAX_MS } from '../../../src/agent/sync/backoff.ts';

describe('Backoff', () => {
  it('doubles the ceiling with each failure up to the maximum, and waits a random part of it', () => {
    const top = new Backoff({ random: () => 0.999_999 });
    const waits = Array.from({ length: 12 }, () => top.next());
    expect(waits.slice(0, 3)).toEqual([BACKOFF_BASE_MS - 1, 2 * BACKOFF_BASE_MS - 1, 4 * BACKOFF_BASE_MS - 1]);
    expect(Math.max(...waits)).toBeLessThan(BACKOFF_MAX_MS);
    expect(waits.at(-1)).toBe(BACKOFF_MAX_MS - 1);
    expect(new Backoff({ random: () => 0 }).next()).toBe(0);
  });

  it('starts again from the base after a success', () => {
    const backoff = new Backoff({ random: () => 0.5 });
    backoff.next();
    backoff.next();
    backoff.reset();
    expect(backoff.failures).toBe(0);
    expect(backoff.next()).toBe(BACKOFF_BASE_MS / 2);
  });
});
