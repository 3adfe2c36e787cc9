import type { Database, Statement } from 'better-sqlite3';
import { z } from 'zod';
import { fieldIssues, describeIssues, type FieldIssue } from '../../core/events/parse.ts';
import { ConsentIntervalSchema } from '../../core/protocol/signed-payloads.ts';
import { LessonSchema, type Lesson } from '../../core/timetable/lesson.ts';
import { DeviceStoreError } from './errors.ts';
import type { ScheduleMeta } from './types.ts';
import { lessonFromRow, type LessonRow } from '../../core/timetable/lesson-row.ts';

/**
 * The cached timetable, so enforcement keeps working offline. It is only ever
 * replaced whole, in one transaction; WAL readers keep seeing the old
 * timetable until that transaction commits, then the new one, never a mix.
 */

const Instant = z.number().int().nonnegative();
const ScheduleMetaSchema = z.object({
  source: z.string().min(1).max(200),
  fetchedAt: Instant,
  validUntil: Instant,
  signature: z.string().max(4096).nullable(),
  keyId: z.string().max(200).nullable(),
  consents: z.array(ConsentIntervalSchema).max(100).nullable().optional(),
});
const ScheduleSchema = z.object({ lessons: z.array(LessonSchema), meta: ScheduleMetaSchema });

interface MetaRow {
  source: string;
  fetched_at: number;
  valid_until: number;
  signature: string | null;
  key_id: string | null;
  consents: string | null;
}

type LessonParams = [string, number, number, string | null, string, string, string | null, number, number];


function duplicateOccurrences(lessons: readonly Lesson[]): FieldIssue[] {
  const seen = new Map<string, number>();
  return lessons.flatMap((lesson, index): FieldIssue[] => {
    const key = JSON.stringify([lesson.uid, lesson.start]);
    const first = seen.get(key);
    seen.set(key, first ?? index);
    return first === undefined ? [] : [{ path: `lessons[${index}]`, message: `the same occurrence (uid and start) as lessons[${first}]` }];
  });
}

export class ScheduleCache {
  readonly #db: Database;
  readonly #path: string;
  readonly #clear: Statement<[]>;
  readonly #insert: Statement<LessonParams>;
  readonly #putMeta: Statement<[string, number, number, string | null, string | null, string | null]>;
  readonly #between: Statement<[number, number], LessonRow>;
  readonly #meta: Statement<[], MetaRow>;

  constructor(db: Database, path: string) {
    this.#db = db;
    this.#path = path;
    this.#clear = db.prepare<[]>('DELETE FROM lessons');
    this.#insert = db.prepare<LessonParams>(
      'INSERT INTO lessons (uid, starts_at, ends_at, subject, groups, teachers, location, cancelled, online) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)');
    this.#putMeta = db.prepare<[string, number, number, string | null, string | null, string | null]>(
      `INSERT INTO schedule_meta (singleton, source, fetched_at, valid_until, signature, key_id, consents) VALUES (1, ?, ?, ?, ?, ?, ?)
       ON CONFLICT (singleton) DO UPDATE SET source = excluded.source, fetched_at = excluded.fetched_at,
         valid_until = excluded.valid_until, signature = excluded.signature, key_id = excluded.key_id, consents = excluded.consents`);
    // Overlap with [from, to): starts before `to` and ends after `from`.
    this.#between = db.prepare<[number, number], LessonRow>(
      'SELECT * FROM lessons WHERE starts_at < ? AND ends_at > ? ORDER BY starts_at, uid');
    this.#meta = db.prepare<[], MetaRow>('SELECT source, fetched_at, valid_until, signature, key_id, consents FROM schedule_meta WHERE singleton = 1');
  }

  /** Validates everything first, then swaps the timetable in one IMMEDIATE transaction. */
  replace(lessons: readonly Lesson[], meta: ScheduleMeta): void {
    const parsed = ScheduleSchema.safeParse({ lessons, meta });
    const issues = parsed.success ? duplicateOccurrences(parsed.data.lessons) : fieldIssues(parsed.error);
    if (!parsed.success || issues.length > 0) {
      throw new DeviceStoreError('invalid-schedule', this.#path,
        `Refused to cache an invalid timetable (the cached one was kept): ${describeIssues(issues.slice(0, 10))}`, { issues });
    }
    const { lessons: valid, meta: m } = parsed.data;
    this.#db.transaction(() => {
      this.#clear.run();
      for (const l of valid) {
        this.#insert.run(l.uid, l.start, l.end, l.subject, JSON.stringify(l.groups), JSON.stringify(l.teachers), l.location,
          l.cancelled ? 1 : 0, l.online ? 1 : 0);
      }
      this.#putMeta.run(m.source, m.fetchedAt, m.validUntil, m.signature, m.keyId, m.consents == null ? null : JSON.stringify(m.consents));
    }).immediate();
  }

  between(from: number, to: number): Lesson[] {
    if (!Number.isFinite(from) || !Number.isFinite(to)) throw new RangeError(`lessonsBetween: from and to must be epoch milliseconds, got ${from} and ${to}`);
    return this.#between.all(to, from).map(lessonFromRow);
  }

  meta(): ScheduleMeta | null {
    const row = this.#meta.get();
    if (row === undefined) return null;
    const consents = row.consents === null ? null : ConsentIntervalSchema.array().safeParse(JSON.parse(row.consents));
    return {
      source: row.source, fetchedAt: row.fetched_at, validUntil: row.valid_until, signature: row.signature, keyId: row.key_id,
      // Unreadable consents count as none (the safe side: an exception then lifts nothing that needs one).
      consents: consents === null ? null : consents.success ? consents.data : [],
    };
  }
}
