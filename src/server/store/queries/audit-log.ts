import type { SqlDriver } from '../driver.ts';
import { AuditQuerySchema, NewAuditEntrySchema, PageSchema, validate } from '../inputs.ts';
import { sql, where, type Sql } from '../sql.ts';
import type { AuditEntry, AuditQuery, NewAuditEntry, Page, PageRequest } from '../types.ts';

/** Who looked at what, when. Append-only: the table's triggers refuse updates, and deletes other than retention's (queries/retention.ts). */

interface AuditRow {
  id: number;
  at: number;
  username: string;
  action: string;
  subject_kind: string;
  subject_id: string;
  school_id: string | null;
  detail: string | null;
}

const entryOf = (row: AuditRow): AuditEntry => ({
  id: row.id,
  at: row.at,
  username: row.username,
  action: row.action,
  subject: { kind: row.subject_kind, id: row.subject_id },
  schoolId: row.school_id,
  detail: row.detail,
});

const AUDIT_COLUMNS = sql`id, at, username, action, subject_kind, subject_id, school_id, detail`;

export async function recordAudit(db: SqlDriver, input: NewAuditEntry): Promise<AuditEntry> {
  const e = validate(NewAuditEntrySchema, input, 'an audit entry');
  const row = await db.get<AuditRow>(sql`INSERT INTO audit_log (at, username, action, subject_kind, subject_id, school_id, detail)
    VALUES (${e.at}, ${e.username}, ${e.action}, ${e.subject.kind}, ${e.subject.id}, ${e.schoolId}, ${e.detail})
    RETURNING ${AUDIT_COLUMNS}`);
  return entryOf(row!);
}

export async function auditLog(db: SqlDriver, queryInput: AuditQuery, pageInput: PageRequest): Promise<Page<AuditEntry>> {
  const query = validate(AuditQuerySchema, queryInput, 'the audit log query');
  const page = validate(PageSchema, pageInput, 'the page');
  const c: Sql[] = [];
  if (query.from !== undefined) c.push(sql`at >= ${query.from}`);
  if (query.to !== undefined) c.push(sql`at < ${query.to}`);
  if (query.username !== undefined) c.push(sql`username = ${query.username}`);
  if (query.schoolId !== undefined) c.push(sql`school_id = ${query.schoolId}`);
  if (query.subjectKind !== undefined) c.push(sql`subject_kind = ${query.subjectKind}`);
  if (query.subjectId !== undefined) c.push(sql`subject_id = ${query.subjectId}`);
  const filtered = where(c);
  const rows = await db.all<AuditRow>(sql`SELECT ${AUDIT_COLUMNS} FROM audit_log${filtered} ORDER BY at DESC, id DESC LIMIT ${page.limit} OFFSET ${page.offset}`);
  const total = await db.get<{ total: number }>(sql`SELECT count(*) AS total FROM audit_log${filtered}`);
  return { rows: rows.map(entryOf), total: total?.total ?? 0 };
}
