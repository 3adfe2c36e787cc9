import type { Lesson } from '../../../core/timetable/lesson.ts';
import type { SqlDriver, SqlExecutor } from '../driver.ts';
import { ServerStoreError } from '../errors.ts';
import { LessonsSchema, RangeSchema, validate } from '../inputs.ts';
import { sql, where, type Sql } from '../sql.ts';
import type { LessonQuery, ReplaceLessonsResult, TimeRange } from '../types.ts';
import { requireSchool } from './people.ts';
import { lessonFromRow, type LessonRow } from '../../../core/timetable/lesson-row.ts';
export type { LessonRow };

/** The timetable: lesson occurrences per school, replaced a range at a time. */

export const LESSON_COLUMNS = sql`l.uid, l.starts_at, l.ends_at, l.subject, l.location, l.groups, l.teachers, l.cancelled, l.online`;


function checkLessons(range: TimeRange, lessons: readonly Lesson[]): void {
  const seen = new Set<string>();
  lessons.forEach((lesson, index) => {
    const problem = lesson.start < range.from || lesson.start >= range.to
      ? 'starts outside the range being replaced'
      : lesson.end - lesson.start > LONGEST_LESSON_MS ? 'lasts longer than a day (all-day events are not lessons)'
      : seen.has(JSON.stringify([lesson.uid, lesson.start])) ? 'is the same occurrence (uid and start) as an earlier lesson' : undefined;
    seen.add(JSON.stringify([lesson.uid, lesson.start]));
    if (problem !== undefined) {
      throw new ServerStoreError('invalid-input', `Refused the timetable: lessons[${index}] (${lesson.uid}) ${problem}. The stored lessons were kept.`,
        { issues: [{ path: `lessons[${index}]`, message: problem }] });
    }
  });
}

export async function replaceLessons(db: SqlDriver, schoolId: string, rangeInput: TimeRange, input: readonly Lesson[]): Promise<ReplaceLessonsResult> {
  const range = validate(RangeSchema, rangeInput, 'the range of lessons to replace');
  const lessons = validate(LessonsSchema, input, 'the timetable');
  checkLessons(range, lessons);
  return db.transaction(async (tx) => {
    await requireSchool(tx, schoolId);
    await tx.lock(`lessons:${schoolId}`);
    const inRange = sql`school_id = ${schoolId} AND starts_at >= ${range.from} AND starts_at < ${range.to}`;
    await tx.run(sql`DELETE FROM lesson_groups WHERE ${inRange}`);
    await tx.run(sql`DELETE FROM lesson_teachers WHERE ${inRange}`);
    const removed = await tx.run(sql`DELETE FROM lessons WHERE ${inRange}`);
    await insertLessons(tx, schoolId, lessons);
    return { removed, added: lessons.length };
  });
}

const text = (name: string) => ({ name, type: 'text' as const });
const bigint = (name: string) => ({ name, type: 'bigint' as const });

/**
 * Through the bulk path: a school year is tens of thousands of rows, and the
 * range was just emptied, so "skip conflicts" never skips anything here.
 */
async function insertLessons(tx: SqlExecutor, schoolId: string, lessons: readonly Lesson[]): Promise<void> {
  await tx.insertSkippingConflicts({
    table: 'lessons',
    columns: [text('school_id'), text('uid'), bigint('starts_at'), bigint('ends_at'), text('subject'), text('location'),
      text('groups'), text('teachers'), bigint('cancelled'), bigint('online')],
    conflict: ['school_id', 'uid', 'starts_at'],
    returning: 'uid',
  }, lessons.map((l) => [schoolId, l.uid, l.start, l.end, l.subject, l.location, JSON.stringify(l.groups), JSON.stringify(l.teachers),
    l.cancelled ? 1 : 0, l.online ? 1 : 0]));
  const childColumns = (code: string) => [text('school_id'), bigint('starts_at'), text('uid'), text(code)];
  await tx.insertSkippingConflicts({
    table: 'lesson_groups', columns: childColumns('group_code'), conflict: ['school_id', 'starts_at', 'uid', 'group_code'], returning: 'uid',
  }, lessons.flatMap((l) => [...new Set(l.groups)].map((group) => [schoolId, l.start, l.uid, group])));
  await tx.insertSkippingConflicts({
    table: 'lesson_teachers', columns: childColumns('teacher_code'), conflict: ['school_id', 'starts_at', 'uid', 'teacher_code'], returning: 'uid',
  }, lessons.flatMap((l) => [...new Set(l.teachers)].map((teacher) => [schoolId, l.start, l.uid, teacher])));
}

/**
 * How far back a lesson overlapping a range can start: lessons are at most a
 * school day long, so `starts_at > from - this` lets the (school, start) index
 * bound the scan instead of reading every earlier lesson.
 */
export const LONGEST_LESSON_MS = 24 * 3_600_000;

export async function lessons(db: SqlDriver, schoolId: string, query: LessonQuery): Promise<Lesson[]> {
  const range = validate(RangeSchema, { from: query.from, to: query.to }, 'the range of lessons');
  const conditions: Sql[] = [
    sql`l.school_id = ${schoolId}`,
    sql`l.starts_at < ${range.to}`,
    sql`l.starts_at > ${range.from - LONGEST_LESSON_MS}`,
    sql`l.ends_at > ${range.from}`,
  ];
  if (query.teacherCode !== undefined) {
    conditions.push(sql`EXISTS (SELECT 1 FROM lesson_teachers t WHERE t.school_id = l.school_id AND t.starts_at = l.starts_at
      AND t.uid = l.uid AND t.teacher_code = ${query.teacherCode})`);
  }
  if (query.groupCode !== undefined) {
    conditions.push(sql`EXISTS (SELECT 1 FROM lesson_groups g WHERE g.school_id = l.school_id AND g.starts_at = l.starts_at
      AND g.uid = l.uid AND g.group_code = ${query.groupCode})`);
  }
  const rows = await db.all<LessonRow>(sql`SELECT ${LESSON_COLUMNS} FROM lessons l${where(conditions)} ORDER BY l.starts_at, l.uid`);
  return rows.map(lessonFromRow);
}

export async function lesson(db: Pick<SqlDriver, 'get'>, schoolId: string, uid: string, start: number): Promise<Lesson | null> {
  const row = await db.get<LessonRow>(sql`SELECT ${LESSON_COLUMNS} FROM lessons l
    WHERE l.school_id = ${schoolId} AND l.uid = ${uid} AND l.starts_at = ${start}`);
  return row === undefined ? null : lessonFromRow(row);
}

export async function lessonsOfStudent(db: SqlDriver, schoolId: string, studentId: string, rangeInput: TimeRange): Promise<Lesson[]> {
  const range = validate(RangeSchema, rangeInput, 'the range of lessons');
  const rows = await db.all<LessonRow>(sql`SELECT ${LESSON_COLUMNS} FROM lessons l
    WHERE l.school_id = ${schoolId} AND l.starts_at < ${range.to} AND l.starts_at > ${range.from - LONGEST_LESSON_MS} AND l.ends_at > ${range.from}
      AND EXISTS (SELECT 1 FROM lesson_groups g JOIN group_members m ON m.school_id = g.school_id AND m.group_code = g.group_code
        WHERE g.school_id = l.school_id AND g.starts_at = l.starts_at AND g.uid = l.uid AND m.student_id = ${studentId})
    ORDER BY l.starts_at, l.uid`);
  return rows.map(lessonFromRow);
}
