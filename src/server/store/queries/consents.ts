import { parseSchoolYear } from '../../../core/policy/consent.ts';
import type { SqlDriver } from '../driver.ts';
import { ServerStoreError } from '../errors.ts';
import {
  ConsentKeySchema, ConsentQuerySchema, ConsentRegister, ConsentsSchema, Key, RecordConsentsOptionsSchema, SchoolYearLabel, validate,
} from '../inputs.ts';
import { join, sql, where, type Sql } from '../sql.ts';
import type { Consent, ConsentInput, ConsentKey, ConsentQuery, RecordConsentsOptions, RecordConsentsResult } from '../types.ts';

/**
 * The consent register (art. III.B.9): which student gave (or whose parents
 * gave) consent for which register in which school year. The server signs a
 * student's consents into their schedule; the laptop lets an exception lift
 * a rule that needs one only while one covers the moment.
 */

interface ConsentRow {
  school_id: string;
  student_id: string;
  register: string;
  school_year: string;
  given_by: 'student' | 'parent';
  registered_at: number;
  source: string;
}

const COLUMNS = sql`school_id, student_id, register, school_year, given_by, registered_at, source`;

const consentOf = (row: ConsentRow): Consent => ({
  schoolId: row.school_id,
  studentId: row.student_id,
  register: row.register,
  schoolYear: row.school_year,
  givenBy: row.given_by,
  registeredAt: Number(row.registered_at),
  source: row.source,
});

const keyOf = (c: Pick<ConsentInput, 'studentId' | 'register' | 'schoolYear'>) => `${c.studentId}\u0000${c.register}\u0000${c.schoolYear}`;

/** Ids are sent in chunks, so a school of thousands never meets a database's limit on parameters. */
const CHUNK = 500;

function chunks<T>(items: readonly T[]): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += CHUNK) out.push(items.slice(i, i + CHUNK));
  return out;
}

const inList = (values: readonly string[]): Sql => join(values.map((v) => sql`${v}`), ', ');

/**
 * Records consents for one school's students: new ones are added, known ones
 * (same student, register and school year) updated, identical ones left
 * alone, so importing the same file twice changes nothing. All or nothing:
 * a bad consent, a student twice, or an unknown student refuses the batch.
 */
export async function recordConsents(
  db: SqlDriver, schoolId: string, input: readonly ConsentInput[], optionsInput: RecordConsentsOptions = {},
): Promise<RecordConsentsResult> {
  validate(Key, schoolId, 'the school id');
  const consents = validate(ConsentsSchema, input, 'consents');
  const options = validate(RecordConsentsOptionsSchema, optionsInput, 'the consent options');
  const seen = new Set<string>();
  const twice = new Set<string>();
  for (const c of consents) {
    if (seen.has(keyOf(c))) twice.add(`${c.studentId} (${c.register} ${c.schoolYear})`);
    seen.add(keyOf(c));
  }
  if (twice.size > 0) {
    throw new ServerStoreError('invalid-input', `Refused consents: ${[...twice].slice(0, 5).join(', ')} appear more than once. Nothing was stored.`);
  }
  const replace = options.replace;
  if (replace !== undefined) {
    const other = consents.find((c) => c.register !== replace.register || c.schoolYear !== replace.schoolYear);
    if (other !== undefined) {
      throw new ServerStoreError('invalid-input', `Refused consents: replacing the ${replace.register} register of ${replace.schoolYear}, `
        + `but student "${other.studentId}" has ${other.register} ${other.schoolYear}. Nothing was stored.`);
    }
  }
  return db.transaction(async (tx) => {
    const school = await tx.get<{ time_zone: string }>(sql`SELECT time_zone FROM schools WHERE id = ${schoolId}`);
    if (school === undefined) throw new ServerStoreError('not-found', `There is no school "${schoolId}"; create it first.`);
    const studentIds = [...new Set(consents.map((c) => c.studentId))];
    const known = new Set<string>();
    for (const part of chunks(studentIds)) {
      const rows = await tx.all<{ id: string }>(sql`SELECT id FROM students WHERE school_id = ${schoolId} AND id IN (${inList(part)})`);
      for (const row of rows) known.add(row.id);
    }
    const unknown = studentIds.filter((id) => !known.has(id));
    if (unknown.length > 0) {
      throw new ServerStoreError('not-found',
        `Refused consents: no student ${unknown.slice(0, 5).map((id) => `"${id}"`).join(', ')} at school "${schoolId}". Nothing was stored.`);
    }
    const result = { added: 0, updated: 0, unchanged: 0, withdrawn: 0 };
    if (replace !== undefined) {
      const current = await tx.all<{ student_id: string }>(sql`SELECT student_id FROM consents
        WHERE school_id = ${schoolId} AND register = ${replace.register} AND school_year = ${replace.schoolYear}`);
      for (const row of current) {
        if (seen.has(keyOf({ studentId: row.student_id, ...replace }))) continue;
        result.withdrawn += await tx.run(sql`DELETE FROM consents WHERE school_id = ${schoolId} AND student_id = ${row.student_id}
          AND register = ${replace.register} AND school_year = ${replace.schoolYear}`);
      }
    }
    for (const c of consents) {
      const endsAt = parseSchoolYear(c.schoolYear, school.time_zone)!.to;
      const old = await tx.get<ConsentRow>(sql`SELECT ${COLUMNS} FROM consents
        WHERE school_id = ${schoolId} AND student_id = ${c.studentId} AND register = ${c.register} AND school_year = ${c.schoolYear}`);
      if (old === undefined) {
        await tx.run(sql`INSERT INTO consents (${COLUMNS}, ends_at)
          VALUES (${schoolId}, ${c.studentId}, ${c.register}, ${c.schoolYear}, ${c.givenBy}, ${c.registeredAt}, ${c.source}, ${endsAt})`);
        result.added++;
      } else if (old.given_by === c.givenBy && Number(old.registered_at) === c.registeredAt && old.source === c.source) {
        result.unchanged++;
      } else {
        await tx.run(sql`UPDATE consents SET given_by = ${c.givenBy}, registered_at = ${c.registeredAt}, source = ${c.source}, ends_at = ${endsAt}
          WHERE school_id = ${schoolId} AND student_id = ${c.studentId} AND register = ${c.register} AND school_year = ${c.schoolYear}`);
        result.updated++;
      }
    }
    return result;
  });
}

/** Withdraws (deletes) one consent: consent can always be withdrawn (AVG). False when there was none. */
export async function withdrawConsent(db: SqlDriver, schoolId: string, keyInput: ConsentKey): Promise<boolean> {
  validate(Key, schoolId, 'the school id');
  const key = validate(ConsentKeySchema, keyInput, 'the consent');
  const deleted = await db.run(sql`DELETE FROM consents WHERE school_id = ${schoolId} AND student_id = ${key.studentId}
    AND register = ${key.register} AND school_year = ${key.schoolYear}`);
  return deleted > 0;
}

/** Consents matching the query, by school, student, register and school year. */
export async function consents(db: SqlDriver, queryInput: ConsentQuery): Promise<Consent[]> {
  const query = validate(ConsentQuerySchema, queryInput, 'the consent query');
  const conditions: Sql[] = [];
  if (query.schoolId !== undefined) conditions.push(sql`school_id = ${query.schoolId}`);
  if (query.studentId !== undefined) conditions.push(sql`student_id = ${query.studentId}`);
  if (query.register !== undefined) conditions.push(sql`register = ${query.register}`);
  if (query.schoolYear !== undefined) conditions.push(sql`school_year = ${query.schoolYear}`);
  const rows = await db.all<ConsentRow>(sql`SELECT ${COLUMNS} FROM consents${where(conditions)}
    ORDER BY school_id, student_id, register, school_year`);
  return rows.map(consentOf);
}

/** Of `studentIds`, those without a consent in `register` for `schoolYear` (sorted, each once; unknown students have none). */
export async function studentsWithoutConsent(
  db: SqlDriver, schoolId: string, studentIds: readonly string[], register: string, schoolYear: string,
): Promise<string[]> {
  validate(Key, schoolId, 'the school id');
  validate(ConsentRegister, register, 'the register');
  validate(SchoolYearLabel, schoolYear, 'the school year');
  const ids = [...new Set(studentIds)].sort();
  const withConsent = new Set<string>();
  for (const part of chunks(ids)) {
    const rows = await db.all<{ student_id: string }>(sql`SELECT student_id FROM consents
      WHERE school_id = ${schoolId} AND register = ${register} AND school_year = ${schoolYear} AND student_id IN (${inList(part)})`);
    for (const row of rows) withConsent.add(row.student_id);
  }
  return ids.filter((id) => !withConsent.has(id));
}
