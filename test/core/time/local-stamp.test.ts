import { describe, expect, it } from 'vitest';
import { formatLocalStamp } from '../../../src/core/time/zoned.ts';

describe('formatLocalStamp', () => {
  it('shows the wall clock of the zone with its offset, winter and summer time alike', () => {
    expect(formatLocalStamp(Date.parse('2026-12-02T09:45:03Z'), 'Europe/Amsterdam')).toBe('2026-12-02 10:45:03+01:00');
    expect(formatLocalStamp(Date.parse('2026-06-02T09:45:03Z'), 'Europe/Amsterdam')).toBe('2026-06-02 11:45:03+02:00');
    expect(formatLocalStamp(Date.parse('2026-12-02T09:45:03Z'), 'America/New_York')).toBe('2026-12-02 04:45:03-05:00');
    expect(formatLocalStamp(Date.parse('2026-12-02T09:45:03Z'), 'Asia/Kolkata')).toBe('2026-12-02 15:15:03+05:30');
  });

  it('tells the two 02:30s of the night the clocks go back apart', () => {
    expect(formatLocalStamp(Date.parse('2026-10-25T00:30:00Z'), 'Europe/Amsterdam')).toBe('2026-10-25 02:30:00+02:00');
    expect(formatLocalStamp(Date.parse('2026-10-25T01:30:00Z'), 'Europe/Amsterdam')).toBe('2026-10-25 02:30:00+01:00');
  });
});
