import type { Os } from '../../../core/categories.ts';
import type { SqlDriver, SqlExecutor } from '../driver.ts';
import { ServerStoreError } from '../errors.ts';
import { DeviceReportSchema, DeviceRevocationSchema, Instant, NewDeviceSchema, validate } from '../inputs.ts';
import { sql } from '../sql.ts';
import type { Device, DeviceHealth, DeviceReport, DeviceRevocation, NewDevice } from '../types.ts';
import { requireSchool } from './people.ts';
import { revokedWithSerial, studentByRules } from './device-rules.ts';

/** Devices: enrollment, what they report, their student, and when they were in contact. */

interface DeviceRow {
  id: string;
  credential_hash: string;
  school_id: string | null;
  student_id: string | null;
  hostname: string;
  serial: string | null;
  os: Os;
  agent_version: string;
  login_name: string | null;
  enrolled_at: number;
  last_seen_at: number | null;
  last_event_seq: number | null;
  revoked_at: number | null;
  revoked_by: string | null;
}

const DEVICE_COLUMNS = sql`id, credential_hash, school_id, student_id, hostname, serial, os, agent_version, login_name,
  enrolled_at, last_seen_at, last_event_seq, revoked_at, revoked_by`;

const deviceOf = (row: DeviceRow): Device => ({
  id: row.id,
  credentialHash: row.credential_hash,
  schoolId: row.school_id,
  studentId: row.student_id,
  hostname: row.hostname,
  serial: row.serial,
  os: row.os,
  agentVersion: row.agent_version,
  loginName: row.login_name,
  enrolledAt: row.enrolled_at,
  lastSeenAt: row.last_seen_at,
  lastEventSeq: row.last_event_seq,
  revokedAt: row.revoked_at,
  revokedBy: row.revoked_by,
});

export async function deviceIn(db: Pick<SqlExecutor, 'get'>, id: string): Promise<Device | null> {
  const row = await db.get<DeviceRow>(sql`SELECT ${DEVICE_COLUMNS} FROM devices WHERE id = ${id}`);
  return row === undefined ? null : deviceOf(row);
}

export async function enrollDevice(db: SqlDriver, input: NewDevice, at: number): Promise<Device> {
  const device = validate(NewDeviceSchema, input, 'a device');
  return db.transaction(async (tx) => {
    if (device.schoolId !== null) await requireSchool(tx, device.schoolId);
    if ((await deviceIn(tx, device.id)) !== null) throw new ServerStoreError('conflict', `A device "${device.id}" is already enrolled.`);
    const revoked = await revokedWithSerial(tx, device.serial);
    if (revoked !== null) {
      throw new ServerStoreError('revoked', `A laptop with serial number ${device.serial} was revoked by the school on ${new Date(revoked.revokedAt).toISOString()} `
        + `(device ${revoked.id}: lost or stolen) and cannot enroll again, also not under a new key; an administrator must restore it first.`);
    }
    const studentId = await studentByRules(tx, device.schoolId, device.id, device);
    await tx.run(sql`INSERT INTO devices (id, credential_hash, school_id, student_id, hostname, serial, os, agent_version, login_name,
        enrolled_at, reported_at, assigned_at)
      VALUES (${device.id}, ${device.credentialHash}, ${device.schoolId}, ${studentId}, ${device.hostname},
        ${device.serial}, ${device.os}, ${device.agentVersion}, ${device.loginName}, ${at}, ${at}, ${studentId === null ? null : at})`);
    return (await deviceIn(tx, device.id))!;
  });
}

/**
 * A device enrolling again under its own id (its first answer was lost): it
 * gets a new credential, the one it never received stops working, and its
 * report is updated as by a heartbeat. Null when there is no such device;
 * 'conflict' (nothing changed) when it was revoked.
 */
export async function renewDeviceCredential(db: SqlDriver, id: string, credentialHash: string, input: DeviceReport, at: number): Promise<Device | null> {
  const hash = validate(NewDeviceSchema.shape.credentialHash, credentialHash, 'a credential hash');
  const report = validate(DeviceReportSchema, input, 'a device report');
  return db.transaction(async (tx) => {
    const device = await deviceIn(tx, id);
    if (device === null) return null;
    if (device.revokedAt !== null) {
      throw new ServerStoreError('conflict', `Device "${id}" was revoked; it cannot enroll again until it is restored.`);
    }
    await reportIn(tx, device, report, at);
    await tx.run(sql`UPDATE devices SET credential_hash = ${hash} WHERE id = ${id}`);
    return deviceIn(tx, id);
  });
}

/**
 * Cuts a device off (lost, stolen): the API then refuses its credential and
 * its enrollment key. Revoking again keeps the first revocation. Null for an
 * unknown device.
 */
export async function revokeDevice(db: SqlDriver, id: string, input: DeviceRevocation): Promise<Device | null> {
  const revocation = validate(DeviceRevocationSchema, input, 'a device revocation');
  return db.transaction(async (tx) => {
    await tx.run(sql`UPDATE devices SET revoked_at = ${revocation.at}, revoked_by = ${revocation.by} WHERE id = ${id} AND revoked_at IS NULL`);
    return deviceIn(tx, id);
  });
}

/** Lifts a revocation: the device may enroll again with its enrollment key (its old credential was replaced by then or still works). Null for an unknown device. */
export async function restoreDevice(db: SqlDriver, id: string): Promise<Device | null> {
  return db.transaction(async (tx) => {
    await tx.run(sql`UPDATE devices SET revoked_at = NULL, revoked_by = NULL WHERE id = ${id}`);
    return deviceIn(tx, id);
  });
}

/**
 * A device still unassigned is matched to a student by the school's device
 * rules (see device-rules.ts), never by the login name it reports; an
 * assigned one keeps its student (an admin's assignment wins over whoever
 * happens to be logged in).
 */
export async function updateDeviceReport(db: SqlDriver, id: string, input: DeviceReport, at: number): Promise<boolean> {
  const report = validate(DeviceReportSchema, input, 'a device report');
  return db.transaction(async (tx) => {
    const device = await deviceIn(tx, id);
    if (device === null) return false;
    await reportIn(tx, device, report, at);
    return true;
  });
}

async function reportIn(tx: SqlExecutor, device: Device, report: DeviceReport, at: number): Promise<void> {
  const studentId = device.studentId ?? (device.revokedAt === null ? await studentByRules(tx, device.schoolId, device.id, report) : null);
  await tx.run(sql`UPDATE devices SET hostname = ${report.hostname}, serial = ${report.serial}, os = ${report.os},
    agent_version = ${report.agentVersion}, login_name = ${report.loginName}, reported_at = ${at}, student_id = ${studentId}
    ${studentId === device.studentId ? sql`` : sql`, assigned_at = ${at}`}
    WHERE id = ${device.id}`);
}

/** `at`: when the laptop becomes this student's; device health counts its lessons from then (assigning it to the same student again keeps the time). */
export async function assignDevice(db: SqlDriver, id: string, student: { readonly schoolId: string; readonly studentId: string } | null, at: number): Promise<boolean> {
  validate(Instant, at, 'an assignment time');
  return db.transaction(async (tx) => {
    const device = await deviceIn(tx, id);
    if (device === null) return false;
    if (student === null) {
      await tx.run(sql`UPDATE devices SET student_id = NULL, assigned_at = NULL WHERE id = ${id}`);
      return true;
    }
    const found = await tx.get(sql`SELECT 1 AS found FROM students WHERE school_id = ${student.schoolId} AND id = ${student.studentId}`);
    if (found === undefined) throw new ServerStoreError('not-found', `There is no student "${student.studentId}" at school "${student.schoolId}".`);
    const same = device.schoolId === student.schoolId && device.studentId === student.studentId;
    await tx.run(sql`UPDATE devices SET school_id = ${student.schoolId}, student_id = ${student.studentId}
      ${same ? sql`` : sql`, assigned_at = ${at}`} WHERE id = ${id}`);
    return true;
  });
}

/**
 * Extends the device's latest contact interval to `at` when `at` falls within
 * `contactGapMs` of its end, or starts a new one. The UPDATE of the device
 * row comes first: in PostgreSQL it locks the row, so two heartbeats of one
 * device never both start an interval.
 */
export async function recordDeviceContact(db: SqlDriver, id: string, at: number, contactGapMs: number): Promise<boolean> {
  validate(Instant, at, 'a contact time');
  return db.transaction(async (tx) => {
    const seen = await tx.run(sql`UPDATE devices SET last_seen_at = CASE WHEN last_seen_at IS NULL OR last_seen_at < ${at}
      THEN ${at} ELSE last_seen_at END WHERE id = ${id}`);
    if (seen === 0) return false;
    const latest = await tx.get<{ from_at: number; until_at: number }>(sql`SELECT from_at, until_at FROM device_contact
      WHERE device_id = ${id} ORDER BY until_at DESC LIMIT 1`);
    if (latest !== undefined && at >= latest.from_at && at - latest.until_at <= contactGapMs) {
      if (at > latest.until_at) {
        await tx.run(sql`UPDATE device_contact SET until_at = ${at} WHERE device_id = ${id} AND from_at = ${latest.from_at}`);
      }
      return true;
    }
    // A late, out-of-order contact before the latest interval is kept as its own moment.
    await tx.run(sql`INSERT INTO device_contact (device_id, from_at, until_at) VALUES (${id}, ${at}, ${at}) ON CONFLICT (device_id, from_at) DO NOTHING`);
    return true;
  });
}

export async function deviceHealth(db: SqlDriver, schoolId: string | null): Promise<DeviceHealth[]> {
  const rows = await db.all<DeviceRow & { student_name: string | null }>(sql`SELECT d.id, d.school_id, d.student_id, d.hostname, d.serial, d.os,
      d.agent_version, d.login_name, d.enrolled_at, d.last_seen_at, d.revoked_at, d.revoked_by, s.name AS student_name
    FROM devices d LEFT JOIN students s ON s.school_id = d.school_id AND s.id = d.student_id
    ${schoolId === null ? sql`` : sql`WHERE d.school_id = ${schoolId}`}
    ORDER BY CASE WHEN d.last_seen_at IS NULL THEN 0 ELSE 1 END, d.last_seen_at, d.id`);
  return rows.map((row) => ({
    deviceId: row.id,
    schoolId: row.school_id,
    hostname: row.hostname,
    serial: row.serial,
    os: row.os,
    agentVersion: row.agent_version,
    loginName: row.login_name,
    studentId: row.student_id,
    studentName: row.student_name,
    enrolledAt: row.enrolled_at,
    lastSeenAt: row.last_seen_at,
    revokedAt: row.revoked_at,
    revokedBy: row.revoked_by,
  }));
}
