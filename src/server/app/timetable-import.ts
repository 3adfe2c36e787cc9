import { addDays, instantToLocal, localToInstant, type LocalDate } from '../../core/time/zoned.ts';
import type { ImportWarning, Timetable } from '../../core/timetable/lesson.ts';
import type { School, ServerStore } from '../store/index.ts';

/**
 * Putting a school's timetable into the store. The range replaced is whole
 * school days, from the first lesson's day to the last one's (or the days
 * the admin names), so a lesson the feed dropped within that range
 * disappears, and lessons outside it are left alone.
 */

export interface ImportResult {
  readonly from: number;
  readonly to: number;
  readonly added: number;
  readonly removed: number;
  /** Lessons of the feed outside the range asked for, left out. */
  readonly skipped: number;
  readonly warnings: readonly ImportWarning[];
}

export interface DayRange {
  readonly from?: LocalDate | undefined;
  /** The last day included. */
  readonly to?: LocalDate | undefined;
}

function dayOf(instant: number, zone: string): LocalDate {
  const { year, month, day } = instantToLocal(instant, zone);
  return { year, month, day };
}

export async function storeTimetable(store: ServerStore, school: School, timetable: Timetable, range: DayRange = {}): Promise<ImportResult> {
  const { lessons } = timetable;
  const zone = school.timeZone;
  const first = range.from ?? (lessons[0] === undefined ? undefined : dayOf(lessons[0].start, zone));
  const last = range.to ?? (lessons.length === 0 ? undefined : dayOf(lessons[lessons.length - 1]!.start, zone));
  if (first === undefined || last === undefined) throw new Error('the timetable has no lessons; name the first and last day to clear a range on purpose');
  const from = localToInstant(first, zone);
  const to = localToInstant(addDays(last, 1), zone);
  if (to <= from) throw new Error('the last day must not be before the first');
  const inRange = lessons.filter((l) => l.start >= from && l.start < to);
  const result = await store.replaceLessons(school.id, { from, to }, inRange);
  return { from, to, added: result.added, removed: result.removed, skipped: lessons.length - inRange.length, warnings: timetable.warnings };
}
