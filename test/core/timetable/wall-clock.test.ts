import { describe, expect, it } from 'vitest';
import { epochMsToLocal, localToEpochMs, localToInstant } from '../../../src/core/time/zoned.ts';
import { wallMs, wallToInstant } from '../../../src/core/timetable/wall-clock.ts';

const HALF_HOUR = 30 * 60_000;

describe('the cached wall-clock conversion', () => {
  it('agrees with localToInstant every half hour around the clock changes of several zones', () => {
    const zones = ['Europe/Amsterdam', 'America/New_York', 'Australia/Sydney', 'Australia/Lord_Howe', 'Asia/Tokyo'];
    const windows = [Date.UTC(2026, 2, 27), Date.UTC(2026, 3, 3), Date.UTC(2026, 9, 2), Date.UTC(2026, 9, 23), Date.UTC(2026, 10, 0)];
    for (const zone of zones) {
      for (const from of windows) {
        for (let wall = from; wall < from + 4 * 86_400_000; wall += HALF_HOUR) {
          const local = epochMsToLocal(wall);
          expect(wallToInstant(local, zone), `${zone} ${new Date(wall).toISOString()}`).toBe(localToInstant(local, zone));
        }
      }
    }
  });

  it('reads wall-clock fields like localToEpochMs, also for years before 100', () => {
    for (const local of [
      { year: 2026, month: 11, day: 23, hour: 8, minute: 30, second: 15 },
      { year: 1601, month: 1, day: 1, hour: 3, minute: 0, second: 0 },
      { year: 45, month: 3, day: 1, hour: 0, minute: 0, second: 0 },
      { year: 2400, month: 2, day: 29, hour: 23, minute: 59, second: 59 },
    ]) {
      expect(wallMs(local)).toBe(localToEpochMs(local));
    }
  });
});
