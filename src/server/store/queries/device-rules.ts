import type { SqlDriver, SqlExecutor } from '../driver.ts';
import { ServerStoreError } from '../errors.ts';
import { DeviceRulesSchema, PATTERN_PLACEHOLDER, validate } from '../inputs.ts';
import { sql } from '../sql.ts';
import type { DeviceReport, DeviceRule, DeviceRuleInput, DeviceRuleKind } from '../types.ts';
import { requireSchool } from './people.ts';

/**
 * Which student a laptop is: only what the school's MDM or roster says (its
 * device rules) decides, never the login name the laptop reports — the
 * enrollment secret is the same on every laptop of the school, so whoever
 * has it can enroll a device of their own claiming any login.
 */

interface RuleRow {
  kind: DeviceRuleKind;
  value: string;
  student_id: string | null;
  recorded_at: number;
}

const ruleOf = (row: RuleRow): DeviceRule => ({ kind: row.kind, value: row.value, studentId: row.student_id, recordedAt: row.recorded_at });

/** A serial as compared: without surrounding space, upper case. */
export const serialKey = (serial: string): string => serial.trim().toUpperCase();

/** A hostname as compared: its first label ("LL-100231.school.local" is "ll-100231"), lower case. */
export const hostnameKey = (hostname: string): string => hostname.trim().split('.')[0]!.toLowerCase();

function valueKey(kind: DeviceRuleKind, value: string): string {
  if (kind === 'serial') return serialKey(value);
  return kind === 'hostname' ? hostnameKey(value) : value.trim().toLowerCase();
}

/**
 * Makes `rules` the school's whole rule set (an MDM export is the whole
 * list). A rule that stays as it was keeps when it was recorded; a new or
 * changed one is recorded at `at`. Unknown students are refused, and so is
 * one serial or hostname given to two students; nothing is changed then.
 */
export async function replaceDeviceRules(db: SqlDriver, schoolId: string, input: readonly DeviceRuleInput[], at: number): Promise<{ rules: number }> {
  const rules = validate(DeviceRulesSchema, input, 'device rules').map((r) => ({ ...r, value: valueKey(r.kind, r.value) }));
  const byKey = new Map<string, (typeof rules)[number]>();
  const twice = new Set<string>();
  for (const rule of rules) {
    const key = `${rule.kind}:${rule.value}`;
    const earlier = byKey.get(key);
    if (earlier !== undefined && earlier.studentId !== rule.studentId) twice.add(`${rule.kind} "${rule.value}"`);
    byKey.set(key, rule);
  }
  if (twice.size > 0) {
    throw new ServerStoreError('invalid-input', `Refused device rules: ${[...twice].slice(0, 5).join(', ')} given to more than one student. Nothing was stored.`);
  }
  return db.transaction(async (tx) => {
    await requireSchool(tx, schoolId);
    const known = new Set((await tx.all<{ id: string }>(sql`SELECT id FROM students WHERE school_id = ${schoolId}`)).map((r) => r.id));
    const unknown = [...new Set([...byKey.values()].map((r) => r.studentId).filter((id): id is string => id !== null && !known.has(id)))];
    if (unknown.length > 0) {
      throw new ServerStoreError('not-found',
        `Refused device rules: no student ${unknown.slice(0, 5).map((id) => `"${id}"`).join(', ')} at school "${schoolId}". Nothing was stored.`);
    }
    const current = new Map((await tx.all<RuleRow>(sql`SELECT kind, value, student_id, recorded_at FROM device_rules WHERE school_id = ${schoolId}`))
      .map((row) => [`${row.kind}:${row.value}`, row]));
    for (const [key, row] of current) {
      const next = byKey.get(key);
      if (next === undefined || next.studentId !== row.student_id) {
        await tx.run(sql`DELETE FROM device_rules WHERE school_id = ${schoolId} AND kind = ${row.kind} AND value = ${row.value}`);
      }
    }
    for (const [key, rule] of byKey) {
      if (current.get(key)?.student_id === rule.studentId) continue;
      await tx.run(sql`INSERT INTO device_rules (school_id, kind, value, student_id, recorded_at)
        VALUES (${schoolId}, ${rule.kind}, ${rule.value}, ${rule.studentId}, ${at})`);
    }
    return { rules: byKey.size };
  });
}

export async function deviceRules(db: SqlDriver, schoolId: string): Promise<DeviceRule[]> {
  const rows = await db.all<RuleRow>(sql`SELECT kind, value, student_id, recorded_at FROM device_rules
    WHERE school_id = ${schoolId} ORDER BY kind, value`);
  return rows.map(ruleOf);
}

/** What a pattern's placeholder stands for in this hostname, or null when the hostname does not fit the pattern. */
function capture(pattern: string, hostname: string): { by: 'login' | 'student'; value: string } | null {
  const match = new RegExp(PATTERN_PLACEHOLDER.source).exec(pattern)!;
  const before = pattern.slice(0, match.index);
  const after = pattern.slice(match.index + match[0].length);
  if (hostname.length <= before.length + after.length || !hostname.startsWith(before) || !hostname.endsWith(after)) return null;
  return { by: match[1] as 'login' | 'student', value: hostname.slice(before.length, hostname.length - after.length) };
}

interface Found {
  readonly studentId: string;
  readonly recordedAt: number;
  /** What the laptop reported that the rule matched: another laptop claiming the same is not assigned. */
  readonly claim: { readonly kind: 'serial' | 'hostname'; readonly value: string };
}

async function findRule(tx: SqlExecutor, schoolId: string, report: Pick<DeviceReport, 'serial' | 'hostname'>): Promise<Found | null> {
  if (report.serial !== null) {
    const serial = serialKey(report.serial);
    const row = await tx.get<RuleRow>(sql`SELECT kind, value, student_id, recorded_at FROM device_rules
      WHERE school_id = ${schoolId} AND kind = 'serial' AND value = ${serial}`);
    if (row !== undefined) return { studentId: row.student_id!, recordedAt: row.recorded_at, claim: { kind: 'serial', value: serial } };
  }
  const hostname = hostnameKey(report.hostname);
  const exact = await tx.get<RuleRow>(sql`SELECT kind, value, student_id, recorded_at FROM device_rules
    WHERE school_id = ${schoolId} AND kind = 'hostname' AND value = ${hostname}`);
  if (exact !== undefined) return { studentId: exact.student_id!, recordedAt: exact.recorded_at, claim: { kind: 'hostname', value: hostname } };
  const patterns = await tx.all<RuleRow>(sql`SELECT kind, value, student_id, recorded_at FROM device_rules
    WHERE school_id = ${schoolId} AND kind = 'hostname-pattern' ORDER BY value`);
  for (const pattern of patterns) {
    const named = capture(pattern.value, hostname);
    if (named === null) continue;
    const student = await tx.get<{ id: string }>(named.by === 'login'
      ? sql`SELECT id FROM students WHERE school_id = ${schoolId} AND lower(login_name) = ${named.value}`
      : sql`SELECT id FROM students WHERE school_id = ${schoolId} AND lower(id) = ${named.value}`);
    if (student !== undefined) return { studentId: student.id, recordedAt: pattern.recorded_at, claim: { kind: 'hostname', value: hostname } };
  }
  return null;
}

/**
 * The student the school's rules give this laptop, or null (an admin
 * assigns it). Not when another laptop that is not revoked already holds the
 * serial or hostname for a student (a second device claiming a laptop that is
 * enrolled is not that laptop), nor when the student's laptop was revoked
 * after the rule was recorded (a lost or stolen laptop, enrolling again with
 * a new key, does not get its student back: an admin decides).
 */
export async function studentByRules(tx: SqlExecutor, schoolId: string | null, deviceId: string, report: Pick<DeviceReport, 'serial' | 'hostname'>): Promise<string | null> {
  if (schoolId === null) return null;
  const found = await findRule(tx, schoolId, report);
  if (found === null) return null;
  const claimed = await tx.get(found.claim.kind === 'serial'
    ? sql`SELECT 1 AS held FROM devices WHERE upper(serial) = ${found.claim.value} AND school_id = ${schoolId}
        AND id <> ${deviceId} AND revoked_at IS NULL AND student_id IS NOT NULL`
    : sql`SELECT 1 AS held FROM devices WHERE school_id = ${schoolId} AND lower(hostname) = ${found.claim.value}
        AND id <> ${deviceId} AND revoked_at IS NULL AND student_id IS NOT NULL`);
  if (claimed !== undefined) return null;
  const revokedSince = await tx.get(sql`SELECT 1 AS revoked FROM devices WHERE school_id = ${schoolId} AND student_id = ${found.studentId}
    AND revoked_at IS NOT NULL AND revoked_at >= ${found.recordedAt}`);
  return revokedSince === undefined ? found.studentId : null;
}

/** A revoked laptop with this serial (any school): such a laptop does not enroll again under a new key. */
export async function revokedWithSerial(tx: SqlExecutor, serial: string | null): Promise<{ id: string; revokedAt: number } | null> {
  if (serial === null) return null;
  const row = await tx.get<{ id: string; revoked_at: number }>(sql`SELECT id, revoked_at FROM devices
    WHERE upper(serial) = ${serialKey(serial)} AND revoked_at IS NOT NULL ORDER BY revoked_at LIMIT 1`);
  return row === undefined ? null : { id: row.id, revokedAt: row.revoked_at };
}
