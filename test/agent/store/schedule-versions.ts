import type { ScheduleMeta } from '../../../src/agent/store/index.ts';
import type { Lesson } from '../../../src/core/timetable/lesson.ts';
import { lesson as baseLesson } from '../../helpers/policy.ts';

/** Monday 15 September 2025, 08:30 in Amsterdam (06:30 UTC). */
export const MONDAY = Date.UTC(2025, 8, 15, 6, 30);
const HOUR = 3_600_000;

export function lesson(uid: string, start: number, overrides: Partial<Lesson> = {}): Lesson {
  return baseLesson({ uid, start, subject: 'biologie', groups: ['h4a'], location: 'B1.04', ...overrides });
}

/**
 * Two recognisably different timetables: version A has 40 lessons with
 * subject "A", version B 60 with subject "B". A reader that sees anything
 * else has seen half of a replacement.
 */
export const VERSION_SIZES = { A: 40, B: 60 } as const;

export function scheduleVersion(version: 'A' | 'B'): [Lesson[], ScheduleMeta] {
  const lessons = Array.from({ length: VERSION_SIZES[version] }, (_, i) =>
    lesson(`${version}-${i}@school.example`, MONDAY + i * HOUR, { subject: version }));
  return [lessons, { source: `test-${version}`, fetchedAt: MONDAY, validUntil: MONDAY + 7 * 24 * HOUR, signature: null, keyId: null }];
}
