import { describe, expect, it } from 'vitest';
import {
  addDays,
  canonicalTimeZone,
  instantToLocal,
  isInGap,
  isoWeekday,
  isValidTimeZone,
  localToInstant,
  offsetAt,
  parseLocalDate,
  startOfLocalDay,
} from '../../../src/core/time/zoned.ts';

const AMS = 'Europe/Amsterdam';
const iso = (ms: number) => new Date(ms).toISOString();

describe('zoned time', () => {
  it('reads Amsterdam winter time as UTC+1 and summer time as UTC+2', () => {
    expect(iso(localToInstant({ year: 2026, month: 11, day: 23, hour: 8, minute: 30, second: 0 }, AMS))).toBe('2026-11-23T07:30:00.000Z');
    expect(iso(localToInstant({ year: 2027, month: 3, day: 29, hour: 8, minute: 30, second: 0 }, AMS))).toBe('2027-03-29T06:30:00.000Z');
  });

  it('moves a time in the spring gap forward, as RFC 5545 says', () => {
    const gap = { year: 2027, month: 3, day: 28, hour: 2, minute: 30, second: 0 };
    expect(isInGap(gap, AMS)).toBe(true);
    expect(iso(localToInstant(gap, AMS))).toBe('2027-03-28T01:30:00.000Z'); // 03:30 CEST
  });

  it('takes the first of the repeated October hour', () => {
    const fold = { year: 2026, month: 10, day: 25, hour: 2, minute: 30, second: 0 };
    expect(iso(localToInstant(fold, AMS))).toBe('2026-10-25T00:30:00.000Z'); // 02:30 CEST
    expect(isInGap(fold, AMS)).toBe(false);
  });

  it('changes offset exactly at 01:00 UTC on the last Sunday of October', () => {
    const change = Date.UTC(2026, 9, 25, 1, 0, 0);
    expect(offsetAt(change - 1000, AMS)).toBe(7_200_000);
    expect(offsetAt(change, AMS)).toBe(3_600_000);
  });

  it('round-trips instants through wall-clock time', () => {
    const instant = Date.UTC(2026, 2, 29, 0, 59, 59);
    expect(localToInstant(instantToLocal(instant, AMS), AMS)).toBe(instant);
  });

  it('adds calendar days, not 86 400 s, across a DST change', () => {
    const saturday = { year: 2027, month: 3, day: 27, hour: 8, minute: 30, second: 0 };
    const monday = addDays(saturday, 2);
    expect(monday).toEqual({ year: 2027, month: 3, day: 29, hour: 8, minute: 30, second: 0 });
    expect(isoWeekday(monday)).toBe(1);
    expect(localToInstant(monday, AMS) - localToInstant(saturday, AMS)).toBe(2 * 86_400_000 - 3_600_000);
  });

  it('finds the start of a 23-hour day', () => {
    expect(iso(startOfLocalDay(Date.UTC(2027, 2, 28, 12), AMS))).toBe('2027-03-27T23:00:00.000Z');
  });

  it('validates zone names and dates', () => {
    expect(isValidTimeZone('Europe/Amsterdam')).toBe(true);
    expect(isValidTimeZone('W. Europe Standard Time')).toBe(false);
    expect(isValidTimeZone('')).toBe(false);
    expect(canonicalTimeZone('europe/amsterdam')).toBe('Europe/Amsterdam');
    expect(parseLocalDate('2026-02-30')).toBeUndefined();
    expect(parseLocalDate('2028-02-29')).toEqual({ year: 2028, month: 2, day: 29 });
  });
});
