import { describe, expect, it } from 'vitest';
import { parseDate, parseDateTime, parseDuration, parseUtcOffset } from '../../../src/core/timetable/ics/date-values.ts';

describe('iCalendar date values', () => {
  it('reads a DATE', () => {
    expect(parseDate('20261104')).toEqual({ year: 2026, month: 11, day: 4 });
  });

  it('rejects dates that do not exist', () => {
    expect(parseDate('20270229')).toBeUndefined();
    expect(parseDate('20261301')).toBeUndefined();
    expect(parseDate('2026-11-04')).toBeUndefined();
  });

  it('reads a UTC DATE-TIME and a local one', () => {
    expect(parseDateTime('20261123T073000Z')).toEqual({
      local: { year: 2026, month: 11, day: 23, hour: 7, minute: 30, second: 0 },
      utc: true,
    });
    expect(parseDateTime('20261123T083000')?.utc).toBe(false);
  });

  it('rejects malformed or impossible DATE-TIMEs', () => {
    for (const bad of ['20261123T243000', '20261123T0830', '20261123 083000', '2026112XT083000', '20261123T083000+01', '']) {
      expect(parseDateTime(bad), bad).toBeUndefined();
    }
  });

  it('reads a leap second as the last second of the minute', () => {
    expect(parseDateTime('20261231T235960Z')?.local.second).toBe(59);
  });

  it('splits a DURATION into nominal days and exact milliseconds', () => {
    expect(parseDuration('PT50M')).toEqual({ days: 0, ms: 50 * 60_000 });
    expect(parseDuration('P1W2DT1H')).toEqual({ days: 9, ms: 3_600_000 });
    expect(parseDuration('-P1D')).toEqual({ days: -1, ms: -0 });
  });

  it('rejects DURATIONs that say nothing or are malformed', () => {
    for (const bad of ['P', 'PT', 'P1DT', 'PT1.5H', '50M', 'P' + '9'.repeat(100) + 'D']) expect(parseDuration(bad), bad).toBeUndefined();
  });

  it('reads UTC offsets', () => {
    expect(parseUtcOffset('+0100')).toBe(3_600_000);
    expect(parseUtcOffset('-0430')).toBe(-(4 * 60 + 30) * 60_000);
    expect(parseUtcOffset('0100')).toBeUndefined();
  });
});
