import { describe, expect, it } from 'vitest';
import { parseEventBatch } from '../../../src/core/events/batch.ts';
import { MAX_EVENTS_PER_BATCH } from '../../../src/core/events/limits.ts';
import { APP_BLOCKED, VALID_EVENTS } from './fixtures.ts';

const idFor = (n: number) => `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`;
const numbered = (n: number) => ({ ...APP_BLOCKED, id: idFor(n), seq: n });

describe('pushed event batches', () => {
  it('accepts events of every type in seq order', () => {
    const batch = Object.values(VALID_EVENTS).map((event, i) => ({ ...event, id: idFor(i + 1), seq: i + 1 }));
    expect(parseEventBatch(batch)).toEqual({ ok: true, value: batch });
  });

  it('refuses seqs that do not increase, naming the event by its index', () => {
    expect(parseEventBatch([numbered(5), numbered(7), { ...numbered(8), seq: 7 }])).toEqual({
      ok: false,
      issues: [{ path: '[2].seq', message: 'seq must increase: 7 follows 7' }],
    });
  });

  it('refuses the same event id twice', () => {
    const result = parseEventBatch([numbered(1), { ...numbered(2), id: idFor(1) }]);
    expect(result).toEqual({ ok: false, issues: [{ path: '[1].id', message: 'the same event id appears twice in the batch' }] });
  });

  it('names a bad field inside an event with the event index first', () => {
    const result = parseEventBatch([numbered(1), { ...numbered(2), payload: { ...APP_BLOCKED.payload, count: -3 } }]);
    expect(result).toEqual({ ok: false, issues: [{ path: '[1].payload.count', message: 'at least 1' }] });
  });

  it(`refuses more than ${MAX_EVENTS_PER_BATCH} events at once`, () => {
    const batch = Array.from({ length: MAX_EVENTS_PER_BATCH + 1 }, (_, i) => numbered(i + 1));
    expect(parseEventBatch(batch.slice(0, MAX_EVENTS_PER_BATCH)).ok).toBe(true);
    expect(parseEventBatch(batch)).toMatchObject({ ok: false, issues: [{ path: '', message: `at most ${MAX_EVENTS_PER_BATCH} events per batch` }] });
  });
});
