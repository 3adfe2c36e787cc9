import type { Lesson } from './lesson.ts';

/**
 * A lesson as both stores keep it in SQL (device store and server store):
 * instants as integers, lists as JSON text, booleans as 0/1.
 */
export interface LessonRow {
  uid: string;
  starts_at: number;
  ends_at: number;
  subject: string | null;
  groups: string;
  teachers: string;
  location: string | null;
  cancelled: number;
  online: number;
}

export function lessonFromRow(row: LessonRow): Lesson {
  return {
    uid: row.uid,
    start: row.starts_at,
    end: row.ends_at,
    subject: row.subject,
    groups: JSON.parse(row.groups) as string[],
    teachers: JSON.parse(row.teachers) as string[],
    location: row.location,
    cancelled: row.cancelled === 1,
    online: row.online === 1,
  };
}
