import type { Grant } from '../../../core/grants/grant.ts';
import { addDays, formatLocalDate, instantToLocal, isoWeekday } from '../../../core/time/zoned.ts';
import type { SqlDriver, SqlExecutor } from '../driver.ts';
import { ServerStoreError } from '../errors.ts';
import { GrantIdempotencySchema, IdempotencyKeyText, Instant, NewGrantRecordSchema, validate } from '../inputs.ts';
import { sql, type Sql } from '../sql.ts';
import { IDEMPOTENCY_WINDOW_MS, type CreateGrantResult, type Device, type GrantIdempotency, type GrantRecord, type IdempotentGrant, type NewGrantRecord } from '../types.ts';
import { deviceIn } from './devices.ts';
import { GRANT_COLUMNS, grantRecord, recordsOf, type GrantRow } from './grant-records.ts';
import { lesson } from './lessons.ts';
import { groupsOfStudent } from './roster.ts';

/** Exceptions: storing, revoking and acknowledging grants, and which grants reach a device. */

/** "YYYY-MM-DD" of the Monday of the week containing `instant`, in the school's zone. */
export function weekStartOf(instant: number, timeZone: string): string {
  const local = instantToLocal(instant, timeZone);
  return formatLocalDate(addDays(local, 1 - isoWeekday(local)));
}

/** When an exception takes effect: issued before its lesson or window, it starts with it. */
export function effectiveStart(grant: Grant): number {
  const scopeStart = grant.scope.kind === 'lesson' ? grant.scope.lessonStart : grant.scope.start;
  return Math.max(grant.issuedAt, scopeStart);
}

/** The groups the grant concerns, resolved now and kept with it. */
async function groupsReached(tx: SqlExecutor, record: NewGrantRecord): Promise<string[]> {
  const { schoolId, grant, audience } = record;
  switch (audience.kind) {
    case 'lesson': {
      if (grant.scope.kind !== 'lesson') return [];
      const found = await lesson(tx, schoolId, grant.scope.lessonUid, grant.scope.lessonStart);
      if (found === null) {
        throw new ServerStoreError('not-found', `There is no lesson ${grant.scope.lessonUid} at ${new Date(grant.scope.lessonStart).toISOString()} ` +
          `at school "${schoolId}" to grant an exception for.`);
      }
      return [...new Set(found.groups)].sort();
    }
    case 'groups':
      return [...new Set(audience.groups)].sort();
    case 'student': {
      const found = await tx.get(sql`SELECT 1 AS found FROM students WHERE school_id = ${schoolId} AND id = ${audience.studentId}`);
      if (found === undefined) throw new ServerStoreError('not-found', `There is no student "${audience.studentId}" at school "${schoolId}".`);
      return groupsOfStudent(tx, schoolId, audience.studentId);
    }
    case 'device': {
      const device = await deviceIn(tx, audience.deviceId);
      if (device === null) throw new ServerStoreError('not-found', `There is no device "${audience.deviceId}".`);
      return device.studentId === null || device.schoolId === null ? [] : groupsOfStudent(tx, device.schoolId, device.studentId);
    }
  }
}

/** What makes two creations of one grant id "the same": everything the caller gave. */
function sameRecord(stored: GrantRecord, record: NewGrantRecord): boolean {
  const { revokedAt: _revoked, ...storedGrant } = stored.grant;
  return stored.schoolId === record.schoolId
    && JSON.stringify(storedGrant) === JSON.stringify(record.grant)
    && stored.signed === record.signed
    && JSON.stringify([...stored.articles].sort()) === JSON.stringify([...record.articles].sort())
    && JSON.stringify(stored.audience.kind === 'groups' ? { kind: 'groups', groups: [...stored.audience.groups].sort() } : stored.audience)
      === JSON.stringify(record.audience.kind === 'groups' ? { kind: 'groups', groups: [...new Set(record.audience.groups)].sort() } : record.audience);
}

/** Keys made at or before this are past the window: forgotten (and pruned). */
const staleBefore = (at: number) => at - IDEMPOTENCY_WINDOW_MS;

function keyReused(key: string): ServerStoreError {
  return new ServerStoreError('conflict', `This Idempotency-Key was used for another exception ("${key}", within the last 24 hours); `
    + 'make a new key for a new request.');
}

async function idempotentIn(tx: SqlExecutor, username: string, key: string, at: number): Promise<IdempotentGrant | null> {
  const row = await tx.get<{ request_hash: string; grant_id: string; created_at: number }>(sql`SELECT request_hash, grant_id, created_at
    FROM grant_idempotency WHERE username = ${username} AND idempotency_key = ${key} AND created_at > ${staleBefore(at)}`);
  if (row === undefined) return null;
  const record = await grantRecord(tx, row.grant_id);
  // The grant went (retention) while its key was still remembered: nothing to replay.
  return record === null ? null : { requestHash: row.request_hash, createdAt: row.created_at, record };
}

/** The grant an Idempotency-Key of this user made within the last 24 hours before `at`, with its request's hash; null when none. */
export async function grantByIdempotencyKey(db: SqlDriver, username: string, keyInput: string, at: number): Promise<IdempotentGrant | null> {
  const key = validate(IdempotencyKeyText, keyInput, 'an Idempotency-Key');
  validate(Instant, at, 'the time of the request');
  return idempotentIn(db, username, key, at);
}

/**
 * Claims the key for this request first, in the grant's transaction: a
 * second request with the key (also one racing this one: in PostgreSQL its
 * INSERT waits for this transaction and then finds the row) stores nothing
 * and gets the grant this one made. A key past the window is taken over.
 */
async function claimKey(tx: SqlExecutor, idempotency: GrantIdempotency, grantId: string, at: number): Promise<CreateGrantResult | null> {
  const claimed = await tx.run(sql`INSERT INTO grant_idempotency (username, idempotency_key, request_hash, grant_id, created_at)
    VALUES (${idempotency.username}, ${idempotency.key}, ${idempotency.requestHash}, ${grantId}, ${at})
    ON CONFLICT (username, idempotency_key) DO UPDATE SET request_hash = excluded.request_hash, grant_id = excluded.grant_id,
      created_at = excluded.created_at
    WHERE grant_idempotency.created_at <= ${staleBefore(at)}`);
  if (claimed > 0) return null;
  const earlier = await idempotentIn(tx, idempotency.username, idempotency.key, at);
  if (earlier === null) {
    throw new ServerStoreError('conflict', `The Idempotency-Key "${idempotency.key}" is taken by a request of the same moment; try again.`);
  }
  if (earlier.requestHash !== idempotency.requestHash) throw keyReused(idempotency.key);
  return { status: 'replayed', record: earlier.record };
}

export async function createGrant(db: SqlDriver, input: NewGrantRecord, at: number, idempotencyInput?: GrantIdempotency): Promise<CreateGrantResult> {
  const record = validate(NewGrantRecordSchema, input, 'a grant') as NewGrantRecord;
  const idempotency = idempotencyInput === undefined ? undefined : validate(GrantIdempotencySchema, idempotencyInput, 'an Idempotency-Key');
  const { grant } = record;
  return db.transaction(async (tx) => {
    if (idempotency !== undefined) {
      const replay = await claimKey(tx, idempotency, grant.id, at);
      if (replay !== null) return replay;
    }
    const existing = await grantRecord(tx, grant.id);
    if (existing !== null) {
      if (sameRecord(existing, record)) return { status: 'already-stored', record: existing };
      throw new ServerStoreError('conflict', `Grant "${grant.id}" is already stored with different content; a grant never changes once issued.`);
    }
    const school = await tx.get<{ time_zone: string }>(sql`SELECT time_zone FROM schools WHERE id = ${record.schoolId}`);
    if (school === undefined) throw new ServerStoreError('not-found', `There is no school "${record.schoolId}".`);
    const groups = await groupsReached(tx, record);
    const startsAt = effectiveStart(grant);
    const lessonScope = grant.scope.kind === 'lesson' ? grant.scope : null;
    const { audience } = record;
    await tx.run(sql`INSERT INTO grants (id, school_id, issuer_username, issuer_role, issuer_teacher_code, scope_kind, lesson_uid,
        lesson_start, audience_kind, audience_student_id, audience_device_id, issued_at, starts_at, expires_at, week_start,
        grant_json, signed, created_at)
      VALUES (${grant.id}, ${record.schoolId}, ${grant.issuedBy.username}, ${grant.issuedBy.role}, ${grant.issuedBy.teacherCode ?? null},
        ${grant.scope.kind}, ${lessonScope?.lessonUid ?? null}, ${lessonScope?.lessonStart ?? null}, ${audience.kind},
        ${audience.kind === 'student' ? audience.studentId : null}, ${audience.kind === 'device' ? audience.deviceId : null},
        ${grant.issuedAt}, ${startsAt}, ${grant.expiresAt}, ${weekStartOf(startsAt, school.time_zone)},
        ${JSON.stringify(grant)}, ${record.signed}, ${at})`);
    for (const group of groups) await tx.run(sql`INSERT INTO grant_groups (grant_id, group_code) VALUES (${grant.id}, ${group})`);
    for (const article of new Set(record.articles)) await tx.run(sql`INSERT INTO grant_articles (grant_id, article) VALUES (${grant.id}, ${article})`);
    const allowed = [
      ...grant.allow.categories.map((value) => ['category', value] as const),
      ...grant.allow.services.map((value) => ['service', value] as const),
      ...grant.allow.capture.map((value) => ['capture', value] as const),
    ];
    for (const [kind, value] of new Map(allowed.map(([kind, value]) => [`${kind}:${value}`, [kind, value] as const])).values()) {
      await tx.run(sql`INSERT INTO grant_allow (grant_id, kind, value) VALUES (${grant.id}, ${kind}, ${value})`);
    }
    return { status: 'created', record: (await grantRecord(tx, grant.id))! };
  });
}

export async function revokeGrant(db: SqlDriver, id: string, revocation: { readonly at: number; readonly by: string | null }): Promise<GrantRecord | null> {
  validate(Instant, revocation.at, 'a revocation time');
  return db.transaction(async (tx) => {
    // The earliest revocation wins: a later, repeated revoke must not move it (or its author).
    await tx.run(sql`UPDATE grants SET revoked_by = CASE WHEN revoked_at IS NULL OR ${revocation.at} < revoked_at THEN ${revocation.by} ELSE revoked_by END,
      revoked_at = CASE WHEN revoked_at IS NULL OR ${revocation.at} < revoked_at THEN ${revocation.at} ELSE revoked_at END
      WHERE id = ${id}`);
    return grantRecord(tx, id);
  });
}

/**
 * Whether grant `g` reaches the device: addressed to it, to its student, or
 * to a group its student is in (lesson grants reach the lesson's groups, as
 * resolved when the grant was made). An SQL condition on `grants g`.
 */
function reaches(device: Device): Sql {
  const student = device.studentId;
  const reachesStudent = student === null || device.schoolId === null ? sql`1 = 0` : sql`(g.audience_kind = 'student' AND g.audience_student_id = ${student})
    OR (g.audience_kind IN ('lesson', 'groups') AND EXISTS (SELECT 1 FROM grant_groups gg JOIN group_members m
      ON m.school_id = g.school_id AND m.group_code = gg.group_code WHERE gg.grant_id = g.id AND m.student_id = ${student}))`;
  return sql`((g.audience_kind = 'device' AND g.audience_device_id = ${device.id})
    OR (g.school_id = ${device.schoolId} AND (${reachesStudent})))`;
}

/** Grants not yet expired at `at` that reach the device. */
export async function grantsForDevice(db: SqlDriver, deviceId: string, at: number): Promise<GrantRecord[]> {
  const device = await deviceIn(db, deviceId);
  if (device === null) return [];
  const rows = await db.all<GrantRow>(sql`SELECT ${GRANT_COLUMNS} FROM grants g
    WHERE g.expires_at > ${at} AND ${reaches(device)}
    ORDER BY g.starts_at, g.id`);
  return recordsOf(db, rows);
}

/**
 * A device logged that it applied these grants (its exception.applied
 * events, the one way a laptop reports it): each one that reaches the device
 * counts for the teacher's "applied on N laptops", at the earliest moment
 * logged. A grant that does not reach it (another class's, one this server
 * never issued) is not counted, or one laptop could inflate another class's
 * count; its event is kept all the same.
 */
export async function recordAppliedGrants(tx: SqlExecutor, deviceId: string, appliedAt: ReadonlyMap<string, number>): Promise<void> {
  if (appliedAt.size === 0) return;
  const device = await deviceIn(tx, deviceId);
  if (device === null) return;
  for (const [grantId, at] of appliedAt) {
    if ((await tx.get(sql`SELECT 1 AS found FROM grants g WHERE g.id = ${grantId} AND ${reaches(device)}`)) !== undefined) {
      await upsertGrantAck(tx, grantId, deviceId, at);
    }
  }
}

/** Earliest wins, as with revocations: an event logged again must not move the applied time. */
async function upsertGrantAck(tx: SqlExecutor, grantId: string, deviceId: string, appliedAt: number): Promise<void> {
  await tx.run(sql`INSERT INTO grant_acks (grant_id, device_id, applied_at) VALUES (${grantId}, ${deviceId}, ${appliedAt})
    ON CONFLICT (grant_id, device_id) DO UPDATE SET applied_at = CASE WHEN excluded.applied_at < grant_acks.applied_at
      THEN excluded.applied_at ELSE grant_acks.applied_at END`);
}


/**
 * Counts a grant's acknowledgements again from the exception.applied events
 * the server holds for it (of one device, or of all). A grant restored from a
 * laptop after a server restore arrives after the events that applied it
 * (recordAppliedGrants only counts grants that exist when an event comes in).
 * Idempotent: the earliest applied time stays. Returns how many devices have
 * applied it.
 */
export async function acknowledgeFromEvents(db: SqlDriver, grantId: string, deviceId?: string): Promise<number> {
  return db.transaction(async (tx) => {
    const ofDevice = deviceId === undefined ? sql`` : sql` AND device_id = ${deviceId}`;
    const applied = await tx.all<{ device_id: string; at: number | string }>(sql`SELECT device_id, min(occurred_at) AS at FROM device_events
      WHERE grant_id = ${grantId} AND type = 'exception.applied'${ofDevice} GROUP BY device_id ORDER BY device_id`);
    for (const row of applied) await recordAppliedGrants(tx, row.device_id, new Map([[grantId, Number(row.at)]]));
    const acks = await tx.get<{ n: number | string }>(sql`SELECT count(*) AS n FROM grant_acks WHERE grant_id = ${grantId}`);
    return Number(acks?.n ?? 0);
  });
}
