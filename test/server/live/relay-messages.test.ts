import { describe, expect, it } from 'vitest';
import { LiveMessageSchema, liveChannel, refreshMessage } from '../../../src/server/live/postgres-relay.ts';

describe('the messages server processes send each other', () => {
  it('name the students of a refresh while they fit in a NOTIFY, and the whole school when they do not', () => {
    const few = refreshMessage('p1', { schoolId: 'svok', studentIds: new Set(['s1', 's2']) }, 'consents');
    expect(few).toEqual({ kind: 'refresh', origin: 'p1', schoolId: 'svok', reason: 'consents', studentIds: ['s1', 's2'] });
    const many = new Set(Array.from({ length: 2_000 }, (_, i) => `leerling-${i}`));
    const all = refreshMessage('p1', { schoolId: 'svok', studentIds: many }, 'consents');
    expect(all).toEqual({ kind: 'refresh', origin: 'p1', schoolId: 'svok', reason: 'consents' });
    expect(JSON.stringify(all).length).toBeLessThan(8_000);
  });

  it('carry ids only, and refuse anything else', () => {
    expect(LiveMessageSchema.safeParse({ kind: 'grant', origin: 'p1', grantId: 'g1' }).success).toBe(true);
    expect(LiveMessageSchema.safeParse({ kind: 'grant', origin: 'p1', grantId: 'g1', record: {} }).success).toBe(true);
    expect(LiveMessageSchema.parse({ kind: 'grant', origin: 'p1', grantId: 'g1', record: { reason: 'x' } })).toEqual({ kind: 'grant', origin: 'p1', grantId: 'g1' });
    expect(LiveMessageSchema.safeParse({ kind: 'shutdown', origin: 'p1' }).success).toBe(false);
    expect(LiveMessageSchema.safeParse({ kind: 'close', origin: 'p1' }).success).toBe(false);
  });

  it('use one channel per schema', () => {
    expect(liveChannel('public')).toBe('lesmodus_live.public');
    expect(liveChannel('svok')).not.toBe(liveChannel('lyceum'));
  });
});
