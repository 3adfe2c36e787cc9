import { loadTimetable } from '../../adapters/timetable-source.ts';
import type { Timetable } from '../../core/timetable/lesson.ts';
import { storeTimetable, type DayRange, type ImportResult } from '../app/timetable-import.ts';
import type { School } from '../store/index.ts';
import { audit, type Actor, type Services } from './service.ts';

/**
 * A school's timetable replaced for the days it covers: audited (a leader can
 * see when lessons changed under a grant), and the school's laptops pull
 * their newly signed schedule when anything changed.
 */
/** `source` names where it came from for the audit log (a feed URL loses its query, which holds the token). */
export async function importSchoolTimetable(services: Services, actor: Actor, school: School, timetable: Timetable, range: DayRange, at: number,
  source: string): Promise<ImportResult> {
  const result = await storeTimetable(services.store, school, timetable, range);
  await audit(services, actor, at, {
    action: 'import-timetable', subject: { kind: 'timetable', id: school.id }, schoolId: school.id,
    detail: `${redactedSource(source)}: ${result.added} added, ${result.removed} removed, ${result.skipped} outside the days`,
  });
  if (result.added + result.removed > 0) services.laptops.refresh({ schoolId: school.id }, 'timetable');
  return result;
}

/** From a file or an http(s)/webcal URL (the command line, and a scheduled feed refresh). */
export async function importTimetableFrom(services: Services, actor: Actor, school: School, source: string, range: DayRange, at: number): Promise<ImportResult> {
  const timetable = await loadTimetable(source, { schoolTimeZone: school.timeZone });
  return importSchoolTimetable(services, actor, school, timetable, range, at, source);
}

/** Feed URLs carry access tokens (Zermelo's `?token=`): the audit log keeps only where it came from. */
export function redactedSource(source: string): string {
  try {
    const url = new URL(source);
    if (url.protocol === 'file:') return source;
    return `${url.protocol}//${url.host}${url.pathname}`.slice(0, 200);
  } catch {
    return source.slice(0, 200);
  }
}
