import type { SqlDriver } from '../driver.ts';
import { ServerStoreError } from '../errors.ts';
import { NewUserSchema, SchoolSchema, SessionSchema, validate } from '../inputs.ts';
import { sql, where, type Sql } from '../sql.ts';
import type { NewUser, School, Session, User, UserRole } from '../types.ts';

/** Schools, users and web sessions. */

interface SchoolRow {
  id: string;
  name: string;
  time_zone: string;
}

interface UserRow {
  username: string;
  role: UserRole;
  display_name: string | null;
  teacher_code: string | null;
  school_id: string | null;
  password_hash: string;
  created_at: number;
}

interface SessionRow {
  token_hash: string;
  username: string;
  created_at: number;
  expires_at: number;
}

const schoolOf = (row: SchoolRow): School => ({ id: row.id, name: row.name, timeZone: row.time_zone });

const userOf = (row: UserRow): User => ({
  username: row.username,
  role: row.role,
  displayName: row.display_name,
  teacherCode: row.teacher_code,
  schoolId: row.school_id,
  passwordHash: row.password_hash,
  createdAt: row.created_at,
});

export async function putSchool(db: SqlDriver, input: School, at: number): Promise<void> {
  const school = validate(SchoolSchema, input, 'a school');
  await db.run(sql`INSERT INTO schools (id, name, time_zone, created_at) VALUES (${school.id}, ${school.name}, ${school.timeZone}, ${at})
    ON CONFLICT (id) DO UPDATE SET name = excluded.name, time_zone = excluded.time_zone`);
}

export async function school(db: SqlDriver, id: string): Promise<School | null> {
  const row = await db.get<SchoolRow>(sql`SELECT id, name, time_zone FROM schools WHERE id = ${id}`);
  return row === undefined ? null : schoolOf(row);
}

export async function schools(db: SqlDriver): Promise<School[]> {
  return (await db.all<SchoolRow>(sql`SELECT id, name, time_zone FROM schools ORDER BY id`)).map(schoolOf);
}

/** Throws 'not-found' naming the school, so a typo in --school says so instead of a foreign key error. */
export async function requireSchool(db: Pick<SqlDriver, 'get'>, schoolId: string): Promise<void> {
  const row = await db.get(sql`SELECT 1 AS found FROM schools WHERE id = ${schoolId}`);
  if (row === undefined) throw new ServerStoreError('not-found', `There is no school "${schoolId}"; create it first.`);
}

const USER_COLUMNS = sql`username, role, display_name, teacher_code, school_id, password_hash, created_at`;

export async function createUser(db: SqlDriver, input: NewUser, at: number): Promise<User> {
  const user = validate(NewUserSchema, input, 'a user');
  return db.transaction(async (tx) => {
    if (user.schoolId !== null) await requireSchool(tx, user.schoolId);
    const taken = await tx.get<{ username: string }>(sql`SELECT username FROM users WHERE username = ${user.username}
      OR (school_id = ${user.schoolId} AND teacher_code = ${user.teacherCode})`);
    if (taken !== undefined) {
      throw new ServerStoreError('conflict', taken.username === user.username
        ? `There is already a user "${user.username}".`
        : `Teacher code "${user.teacherCode}" already belongs to "${taken.username}" at school "${user.schoolId}".`);
    }
    await tx.run(sql`INSERT INTO users (${USER_COLUMNS}) VALUES (${user.username}, ${user.role}, ${user.displayName},
      ${user.teacherCode}, ${user.schoolId}, ${user.passwordHash}, ${at})`);
    return { ...user, createdAt: at };
  });
}

export async function user(db: SqlDriver, username: string): Promise<User | null> {
  const row = await db.get<UserRow>(sql`SELECT ${USER_COLUMNS} FROM users WHERE username = ${username}`);
  return row === undefined ? null : userOf(row);
}

export async function users(db: SqlDriver, filter: { readonly schoolId?: string; readonly role?: UserRole } = {}): Promise<User[]> {
  const conditions: Sql[] = [];
  if (filter.schoolId !== undefined) conditions.push(sql`school_id = ${filter.schoolId}`);
  if (filter.role !== undefined) conditions.push(sql`role = ${filter.role}`);
  return (await db.all<UserRow>(sql`SELECT ${USER_COLUMNS} FROM users${where(conditions)} ORDER BY username`)).map(userOf);
}

export async function setPasswordHash(db: SqlDriver, username: string, passwordHash: string): Promise<boolean> {
  return (await db.run(sql`UPDATE users SET password_hash = ${passwordHash} WHERE username = ${username}`)) > 0;
}

export async function createSession(db: SqlDriver, input: Session): Promise<void> {
  const session = validate(SessionSchema, input, 'a session');
  await db.transaction(async (tx) => {
    if ((await tx.get(sql`SELECT 1 AS found FROM users WHERE username = ${session.username}`)) === undefined) {
      throw new ServerStoreError('not-found', `There is no user "${session.username}" to open a session for.`);
    }
    await tx.run(sql`INSERT INTO sessions (token_hash, username, created_at, expires_at)
      VALUES (${session.tokenHash}, ${session.username}, ${session.createdAt}, ${session.expiresAt})`);
  });
}

export async function session(db: SqlDriver, tokenHash: string, at: number): Promise<{ session: Session; user: User } | null> {
  const row = await db.get<SessionRow & UserRow & { session_created_at: number }>(sql`
    SELECT s.token_hash, s.expires_at, s.created_at AS session_created_at,
      u.username, u.role, u.display_name, u.teacher_code, u.school_id, u.password_hash, u.created_at
    FROM sessions s JOIN users u ON u.username = s.username
    WHERE s.token_hash = ${tokenHash} AND s.expires_at > ${at}`);
  if (row === undefined) return null;
  return {
    session: { tokenHash: row.token_hash, username: row.username, createdAt: row.session_created_at, expiresAt: row.expires_at },
    user: userOf(row),
  };
}

export async function deleteSession(db: SqlDriver, tokenHash: string): Promise<void> {
  await db.run(sql`DELETE FROM sessions WHERE token_hash = ${tokenHash}`);
}

export async function deleteExpiredSessions(db: SqlDriver, at: number): Promise<number> {
  return db.run(sql`DELETE FROM sessions WHERE expires_at <= ${at}`);
}
