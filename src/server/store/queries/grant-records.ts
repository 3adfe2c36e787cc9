import type { Grant } from '../../../core/grants/grant.ts';
import type { SqlExecutor } from '../driver.ts';
import { join, sql, type Sql } from '../sql.ts';
import type { ExceptionStatus, GrantAudience, GrantRecord } from '../types.ts';

/** Reading grants back: rows of `grants` plus their groups and articles, as GrantRecords. */

export interface GrantRow {
  id: string;
  school_id: string;
  audience_kind: GrantAudience['kind'];
  audience_student_id: string | null;
  audience_device_id: string | null;
  starts_at: number;
  expires_at: number;
  revoked_at: number | null;
  revoked_by: string | null;
  grant_json: string;
  signed: string;
  created_at: number;
}

export const GRANT_COLUMNS = sql`g.id, g.school_id, g.audience_kind, g.audience_student_id, g.audience_device_id, g.starts_at,
  g.expires_at, g.revoked_at, g.revoked_by, g.grant_json, g.signed, g.created_at`;

/** Where status is decided, once, for both the filter (SQL) and the rows (TypeScript). */
export function statusAt(row: { revoked_at: number | null; starts_at: number; expires_at: number }, at: number): ExceptionStatus {
  if (row.revoked_at !== null && row.revoked_at <= at) return 'revoked';
  if (row.expires_at <= at) return 'expired';
  return row.starts_at > at ? 'scheduled' : 'active';
}

export function statusCondition(status: ExceptionStatus, at: number): Sql {
  const revoked = sql`(g.revoked_at IS NOT NULL AND g.revoked_at <= ${at})`;
  switch (status) {
    case 'revoked': return revoked;
    case 'expired': return sql`NOT ${revoked} AND g.expires_at <= ${at}`;
    case 'scheduled': return sql`NOT ${revoked} AND g.expires_at > ${at} AND g.starts_at > ${at}`;
    case 'active': return sql`NOT ${revoked} AND g.expires_at > ${at} AND g.starts_at <= ${at}`;
  }
}

function audienceOf(row: GrantRow, groups: readonly string[]): GrantAudience {
  switch (row.audience_kind) {
    case 'lesson': return { kind: 'lesson' };
    case 'groups': return { kind: 'groups', groups };
    case 'student': return { kind: 'student', studentId: row.audience_student_id! };
    case 'device': return { kind: 'device', deviceId: row.audience_device_id! };
  }
}

async function childrenOf(tx: Pick<SqlExecutor, 'all'>, ids: readonly string[]): Promise<{ groups: Map<string, string[]>; articles: Map<string, string[]> }> {
  const groups = new Map<string, string[]>();
  const articles = new Map<string, string[]>();
  if (ids.length === 0) return { groups, articles };
  const list = join(ids.map((id) => sql`${id}`), ', ');
  for (const r of await tx.all<{ grant_id: string; group_code: string }>(
    sql`SELECT grant_id, group_code FROM grant_groups WHERE grant_id IN (${list}) ORDER BY grant_id, group_code`)) {
    groups.set(r.grant_id, [...(groups.get(r.grant_id) ?? []), r.group_code]);
  }
  for (const r of await tx.all<{ grant_id: string; article: string }>(
    sql`SELECT grant_id, article FROM grant_articles WHERE grant_id IN (${list}) ORDER BY grant_id, article`)) {
    articles.set(r.grant_id, [...(articles.get(r.grant_id) ?? []), r.article]);
  }
  return { groups, articles };
}

export async function recordsOf(tx: Pick<SqlExecutor, 'all'>, rows: readonly GrantRow[]): Promise<GrantRecord[]> {
  const { groups, articles } = await childrenOf(tx, rows.map((r) => r.id));
  return rows.map((row) => {
    const stored = JSON.parse(row.grant_json) as Grant;
    const grant: Grant = row.revoked_at === null ? stored : { ...stored, revokedAt: row.revoked_at };
    const grantGroups = groups.get(row.id) ?? [];
    return {
      schoolId: row.school_id,
      grant,
      signed: row.signed,
      articles: articles.get(row.id) ?? [],
      audience: audienceOf(row, grantGroups),
      groups: grantGroups,
      startsAt: row.starts_at,
      revokedAt: row.revoked_at,
      revokedBy: row.revoked_by,
      createdAt: row.created_at,
    };
  });
}

export async function grantRecord(tx: Pick<SqlExecutor, 'all'>, id: string): Promise<GrantRecord | null> {
  const rows = await tx.all<GrantRow>(sql`SELECT ${GRANT_COLUMNS} FROM grants g WHERE g.id = ${id}`);
  return (await recordsOf(tx, rows))[0] ?? null;
}
