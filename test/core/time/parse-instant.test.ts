import { describe, expect, it } from 'vitest';
import { parseInstant } from '../../../src/core/time/parse-instant.ts';

const AMS = 'Europe/Amsterdam';
const iso = (ms: number | undefined) => (ms === undefined ? undefined : new Date(ms).toISOString());

describe('parseInstant', () => {
  it('reads UTC and explicit offsets exactly', () => {
    expect(iso(parseInstant('2026-11-23T07:45:00Z', AMS))).toBe('2026-11-23T07:45:00.000Z');
    expect(iso(parseInstant('2026-11-23T08:45+01:00', AMS))).toBe('2026-11-23T07:45:00.000Z');
    expect(iso(parseInstant('2026-11-23T02:45:30.250-0500', AMS))).toBe('2026-11-23T07:45:30.250Z');
  });

  it('reads a time without an offset in the given zone, DST included', () => {
    expect(iso(parseInstant('2026-11-23T08:45', AMS))).toBe('2026-11-23T07:45:00.000Z');
    expect(iso(parseInstant('2027-03-29 08:30', AMS))).toBe('2027-03-29T06:30:00.000Z');
    expect(iso(parseInstant('2027-03-29', AMS))).toBe('2027-03-28T22:00:00.000Z');
  });

  it('refuses what is not a real date and time', () => {
    for (const bad of ['', 'maandag', '2026-02-30T10:00', '2026-11-23T24:00', '2026-11-23T08:61', '23-11-2026 08:45']) {
      expect(parseInstant(bad, AMS)).toBeUndefined();
    }
  });
});
