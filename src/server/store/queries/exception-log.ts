import type { SqlDriver } from '../driver.ts';
import { ExceptionLogFilterSchema, PageSchema, validate } from '../inputs.ts';
import { join, sql, where, type Sql } from '../sql.ts';
import type { ExceptionDetail, ExceptionLogFilter, ExceptionLogRow, ExceptionOnDevice, GrantRecord, Page, PageRequest, WeeklyArticleCount } from '../types.ts';
import { GRANT_COLUMNS, grantRecord, recordsOf, statusAt, statusCondition, type GrantRow } from './grant-records.ts';

/** The leader's exception log: filtered pages, the CSV/JSON export, the weekly chart and one exception's detail. */

/** Rows per round trip of an export: big enough to be quick, small enough to hold nothing for long. */
export const EXPORT_CHUNK = 500;

/** Every filter is a condition with bound values; a filter string never becomes SQL. */
function conditions(filter: ExceptionLogFilter): Sql[] {
  const c: Sql[] = [];
  if (filter.from !== undefined) c.push(sql`g.starts_at >= ${filter.from}`);
  if (filter.to !== undefined) c.push(sql`g.starts_at < ${filter.to}`);
  if (filter.schoolId !== undefined) c.push(sql`g.school_id = ${filter.schoolId}`);
  if (filter.teacherCode !== undefined) c.push(sql`g.issuer_teacher_code = ${filter.teacherCode}`);
  if (filter.issuedBy !== undefined) c.push(sql`g.issuer_username = ${filter.issuedBy}`);
  if (filter.lesson !== undefined) c.push(sql`g.lesson_uid = ${filter.lesson.uid} AND g.lesson_start = ${filter.lesson.start}`);
  if (filter.status !== undefined) c.push(statusCondition(filter.status, filter.at));
  if (filter.groupCode !== undefined) {
    c.push(sql`EXISTS (SELECT 1 FROM grant_groups x WHERE x.grant_id = g.id AND x.group_code = ${filter.groupCode})`);
  }
  if (filter.article !== undefined) {
    c.push(sql`EXISTS (SELECT 1 FROM grant_articles x WHERE x.grant_id = g.id AND x.article = ${filter.article})`);
  }
  if (filter.category !== undefined) {
    const services = filter.categoryServices ?? [];
    const oneOfItsServices = services.length === 0 ? sql``
      : sql` OR (x.kind = 'service' AND x.value IN (${join(services.map((id) => sql`${id}`), ', ')}))`;
    c.push(sql`EXISTS (SELECT 1 FROM grant_allow x WHERE x.grant_id = g.id
      AND ((x.kind = 'category' AND x.value = ${filter.category})${oneOfItsServices}))`);
  }
  if (filter.service !== undefined) {
    const itsCategory = filter.serviceCategory === undefined ? sql`` : sql` OR (x.kind = 'category' AND x.value = ${filter.serviceCategory})`;
    c.push(sql`EXISTS (SELECT 1 FROM grant_allow x WHERE x.grant_id = g.id
      AND ((x.kind = 'service' AND x.value = ${filter.service})${itsCategory}))`);
  }
  return c;
}

type LogRow = GrantRow & { devices_applied: number };

const LOG_SELECT = sql`SELECT ${GRANT_COLUMNS},
  (SELECT count(*) FROM grant_acks k WHERE k.grant_id = g.id) AS devices_applied
  FROM grants g`;

async function rowsOf(db: SqlDriver, rows: readonly LogRow[], at: number): Promise<ExceptionLogRow[]> {
  const records = await recordsOf(db, rows);
  return records.map((record, index) => {
    const row = rows[index]!;
    const { grant } = record;
    return {
      id: grant.id,
      schoolId: record.schoolId,
      issuedBy: grant.issuedBy,
      reason: grant.reason,
      scope: grant.scope,
      allow: grant.allow,
      articles: record.articles,
      groups: record.groups,
      audience: record.audience,
      issuedAt: grant.issuedAt,
      startsAt: record.startsAt,
      expiresAt: grant.expiresAt,
      revokedAt: record.revokedAt,
      revokedBy: record.revokedBy,
      status: statusAt(row, at),
      devicesApplied: row.devices_applied,
    };
  });
}

export async function exceptionLog(db: SqlDriver, filterInput: ExceptionLogFilter, pageInput: PageRequest): Promise<Page<ExceptionLogRow>> {
  const filter = validate(ExceptionLogFilterSchema, filterInput, 'the exception log filter');
  const page = validate(PageSchema, pageInput, 'the page');
  const filtered = where(conditions(filter));
  const rows = await db.all<LogRow>(sql`${LOG_SELECT}${filtered} ORDER BY g.starts_at DESC, g.id DESC LIMIT ${page.limit} OFFSET ${page.offset}`);
  const total = await db.get<{ total: number }>(sql`SELECT count(*) AS total FROM grants g${filtered}`);
  return { rows: await rowsOf(db, rows, filter.at), total: total?.total ?? 0 };
}

/**
 * Pages by key (after the last row's start and id) rather than by offset, so
 * each chunk is one index range however far into the log it is, and no read
 * stays open between chunks while the caller writes the file.
 */
export async function* exportExceptionLog(db: SqlDriver, filterInput: ExceptionLogFilter): AsyncGenerator<ExceptionLogRow> {
  const filter = validate(ExceptionLogFilterSchema, filterInput, 'the exception log filter');
  const base = conditions(filter);
  let after: { startsAt: number; id: string } | undefined;
  for (;;) {
    const keyset = after === undefined ? [] : [sql`(g.starts_at < ${after.startsAt} OR (g.starts_at = ${after.startsAt} AND g.id < ${after.id}))`];
    const rows = await db.all<LogRow>(sql`${LOG_SELECT}${where([...base, ...keyset])} ORDER BY g.starts_at DESC, g.id DESC LIMIT ${EXPORT_CHUNK}`);
    yield* await rowsOf(db, rows, filter.at);
    const last = rows[rows.length - 1];
    if (last === undefined || rows.length < EXPORT_CHUNK) return;
    after = { startsAt: last.starts_at, id: last.id };
  }
}

export async function exceptionsPerWeek(db: SqlDriver, filterInput: ExceptionLogFilter): Promise<WeeklyArticleCount[]> {
  const filter = validate(ExceptionLogFilterSchema, filterInput, 'the exception log filter');
  const rows = await db.all<{ week_start: string; article: string; count: number }>(sql`SELECT g.week_start, a.article, count(*) AS count
    FROM grants g JOIN grant_articles a ON a.grant_id = g.id${where(conditions(filter))}
    GROUP BY g.week_start, a.article ORDER BY g.week_start, a.article`);
  return rows.map((r) => ({ weekStart: r.week_start, article: r.article, count: r.count }));
}

/** The devices a grant reaches now: the device itself, the student's devices, or the devices of its groups' students. */
function reachedDevices(record: GrantRecord): Sql {
  const { audience, schoolId } = record;
  switch (audience.kind) {
    case 'device': return sql`d.id = ${audience.deviceId}`;
    case 'student': return sql`d.school_id = ${schoolId} AND d.student_id = ${audience.studentId}`;
    default: return sql`d.school_id = ${schoolId} AND d.student_id IN (SELECT m.student_id FROM grant_groups gg
      JOIN group_members m ON m.school_id = ${schoolId} AND m.group_code = gg.group_code WHERE gg.grant_id = ${record.grant.id})`;
  }
}

interface LifecycleRow {
  device_id: string;
  hostname: string;
  student_id: string | null;
  student_name: string | null;
  applied_at: number | null;
  expired_at: number | null;
  revoked_at: number | null;
}

export async function exceptionDetail(db: SqlDriver, grantId: string, at: number): Promise<ExceptionDetail | null> {
  const record = await grantRecord(db, grantId);
  if (record === null) return null;
  // Every device that applied the grant or logged an event about it, with the first time of each step. Applied is
  // grant_acks alone: what ingest recorded from the device's exception.applied events for a grant that reaches it.
  const rows = await db.all<LifecycleRow>(sql`SELECT d.id AS device_id, d.hostname, d.student_id, s.name AS student_name, k.applied_at,
      min(CASE WHEN e.type = 'exception.expired' THEN e.occurred_at END) AS expired_at,
      min(CASE WHEN e.type = 'exception.revoked' THEN e.occurred_at END) AS revoked_at
    FROM devices d
      LEFT JOIN students s ON s.school_id = d.school_id AND s.id = d.student_id
      LEFT JOIN grant_acks k ON k.grant_id = ${grantId} AND k.device_id = d.id
      LEFT JOIN device_events e ON e.grant_id = ${grantId} AND e.device_id = d.id
    WHERE d.id IN (SELECT device_id FROM grant_acks WHERE grant_id = ${grantId}
      UNION SELECT device_id FROM device_events WHERE grant_id = ${grantId})
    GROUP BY d.id, d.hostname, d.student_id, s.name, k.applied_at
    ORDER BY d.id`);
  const devices: ExceptionOnDevice[] = rows.map((r) => ({
    deviceId: r.device_id,
    hostname: r.hostname,
    studentId: r.student_id,
    studentName: r.student_name,
    appliedAt: r.applied_at,
    expiredAt: r.expired_at,
    revokedAt: r.revoked_at,
  }));
  const expected = await db.get<{ total: number }>(sql`SELECT count(*) AS total FROM devices d WHERE ${reachedDevices(record)}`);
  return { record, status: statusAt({ revoked_at: record.revokedAt, starts_at: record.startsAt, expires_at: record.grant.expiresAt }, at), devicesExpected: expected?.total ?? 0, devices };
}
