import type { SqlDriver } from '../driver.ts';
import { ServerStoreError } from '../errors.ts';
import { GroupsSchema, StudentsSchema, validate } from '../inputs.ts';
import { sql } from '../sql.ts';
import type { Group, GroupInput, Student, StudentInput } from '../types.ts';
import { requireSchool } from './people.ts';

/** Students, groups and who is in which group. */

interface StudentRow {
  school_id: string;
  id: string;
  name: string | null;
  login_name: string | null;
}

const studentOf = (row: StudentRow): Student => ({ schoolId: row.school_id, id: row.id, name: row.name, loginName: row.login_name });

function duplicates(values: readonly (string | null)[]): string[] {
  const seen = new Set<string>();
  const twice = new Set<string>();
  for (const value of values) {
    if (value === null) continue;
    if (seen.has(value)) twice.add(value);
    seen.add(value);
  }
  return [...twice];
}

export async function putStudents(db: SqlDriver, schoolId: string, input: readonly StudentInput[]): Promise<void> {
  const students = validate(StudentsSchema, input, 'students');
  const twice = [...duplicates(students.map((s) => s.id)), ...duplicates(students.map((s) => s.loginName))];
  if (twice.length > 0) {
    throw new ServerStoreError('invalid-input', `Refused students: ${twice.slice(0, 5).join(', ')} appear more than once. Nothing was stored.`);
  }
  await db.transaction(async (tx) => {
    await requireSchool(tx, schoolId);
    // Free this batch's login names first, so two students can swap theirs in one call;
    // a name still taken after that belongs to a student outside the batch.
    for (const s of students) {
      await tx.run(sql`UPDATE students SET login_name = NULL WHERE school_id = ${schoolId} AND id = ${s.id}`);
    }
    for (const s of students) {
      if (s.loginName === null) continue;
      const other = await tx.get<{ id: string }>(sql`SELECT id FROM students WHERE school_id = ${schoolId} AND login_name = ${s.loginName}`);
      if (other !== undefined) {
        throw new ServerStoreError('conflict', `Login name "${s.loginName}" already belongs to student "${other.id}". Nothing was stored.`);
      }
    }
    for (const s of students) {
      await tx.run(sql`INSERT INTO students (school_id, id, name, login_name) VALUES (${schoolId}, ${s.id}, ${s.name}, ${s.loginName})
        ON CONFLICT (school_id, id) DO UPDATE SET name = excluded.name, login_name = excluded.login_name`);
    }
  });
}

export async function replaceGroups(db: SqlDriver, schoolId: string, input: readonly GroupInput[]): Promise<void> {
  const groups = validate(GroupsSchema, input, 'groups');
  const twice = duplicates(groups.map((g) => g.code));
  if (twice.length > 0) {
    throw new ServerStoreError('invalid-input', `Refused groups: ${twice.slice(0, 5).join(', ')} appear more than once. Nothing was stored.`);
  }
  await db.transaction(async (tx) => {
    await requireSchool(tx, schoolId);
    const known = new Set((await tx.all<{ id: string }>(sql`SELECT id FROM students WHERE school_id = ${schoolId}`)).map((r) => r.id));
    const unknown = [...new Set(groups.flatMap((g) => g.studentIds).filter((id) => !known.has(id)))];
    if (unknown.length > 0) {
      throw new ServerStoreError('not-found',
        `Refused groups: no student ${unknown.slice(0, 5).map((id) => `"${id}"`).join(', ')} at school "${schoolId}". Nothing was stored.`);
    }
    // Members go with their group (ON DELETE CASCADE).
    await tx.run(sql`DELETE FROM groups WHERE school_id = ${schoolId}`);
    for (const group of groups) {
      await tx.run(sql`INSERT INTO groups (school_id, code, name) VALUES (${schoolId}, ${group.code}, ${group.name})`);
      for (const studentId of new Set(group.studentIds)) {
        await tx.run(sql`INSERT INTO group_members (school_id, group_code, student_id) VALUES (${schoolId}, ${group.code}, ${studentId})`);
      }
    }
  });
}

export async function groups(db: SqlDriver, schoolId: string): Promise<Group[]> {
  const rows = await db.all<{ code: string; name: string | null }>(sql`SELECT code, name FROM groups WHERE school_id = ${schoolId} ORDER BY code`);
  return rows.map((r) => ({ schoolId, code: r.code, name: r.name }));
}

export async function studentsInGroup(db: SqlDriver, schoolId: string, groupCode: string): Promise<Student[]> {
  const rows = await db.all<StudentRow>(sql`SELECT s.school_id, s.id, s.name, s.login_name
    FROM group_members m JOIN students s ON s.school_id = m.school_id AND s.id = m.student_id
    WHERE m.school_id = ${schoolId} AND m.group_code = ${groupCode} ORDER BY s.id`);
  return rows.map(studentOf);
}

export async function groupsOfStudent(db: Pick<SqlDriver, 'all'>, schoolId: string, studentId: string): Promise<string[]> {
  const rows = await db.all<{ group_code: string }>(sql`SELECT group_code FROM group_members
    WHERE school_id = ${schoolId} AND student_id = ${studentId} ORDER BY group_code`);
  return rows.map((r) => r.group_code);
}

export async function student(db: SqlDriver, schoolId: string, studentId: string): Promise<Student | null> {
  const row = await db.get<StudentRow>(sql`SELECT school_id, id, name, login_name FROM students WHERE school_id = ${schoolId} AND id = ${studentId}`);
  return row === undefined ? null : studentOf(row);
}

/** Across schools only an unambiguous match counts: the same login name at two schools matches neither. */
export async function studentByLoginName(db: Pick<SqlDriver, 'all'>, schoolId: string | null, loginName: string): Promise<Student | null> {
  const rows = schoolId === null
    ? await db.all<StudentRow>(sql`SELECT school_id, id, name, login_name FROM students WHERE login_name = ${loginName} LIMIT 2`)
    : await db.all<StudentRow>(sql`SELECT school_id, id, name, login_name FROM students WHERE school_id = ${schoolId} AND login_name = ${loginName}`);
  return rows.length === 1 ? studentOf(rows[0]!) : null;
}
