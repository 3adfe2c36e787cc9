import { z } from 'zod';
import { OsSchema } from '../../../core/categories.ts';
import { text } from '../../../core/protocol/fields.ts';
import { Instant, Key } from './common.ts';
import { LessonRefViewSchema } from './lessons.ts';

/** Devices as admins and leaders see them (what a device itself sends and gets is in src/core/protocol). */

export const AssignBody = z.strictObject({
  /** The student the device belongs to, or null to unassign it. */
  student: z.strictObject({ schoolId: Key, studentId: Key }).nullable(),
});

/** One device rule as the API takes and shows it (see DeviceRuleInput in the store). */
export const DeviceRuleSchema = z.strictObject({
  kind: z.enum(['serial', 'hostname', 'hostname-pattern']),
  /** The serial, the hostname, or a hostname pattern with {login} or {student} once, e.g. "ll-{student}". */
  value: text(128),
  /** The student a serial or hostname belongs to; null for a pattern. */
  studentId: Key.nullable().default(null),
});

export const DeviceRulesBody = z.strictObject({ rules: z.array(DeviceRuleSchema).max(100_000) });

export const DeviceRulesViewSchema = z.object({
  rules: z.array(z.object({ kind: z.string(), value: z.string(), studentId: z.string().nullable(), recordedAt: z.string() })),
});

export const DeviceViewSchema = z.object({
  id: z.string(),
  schoolId: z.string().nullable(),
  studentId: z.string().nullable(),
  hostname: z.string(),
  serial: z.string().nullable(),
  os: OsSchema,
  agentVersion: z.string(),
  loginName: z.string().nullable(),
  enrolledAt: Instant,
  lastSeenAt: Instant.nullable(),
  lastEventSeq: z.number().int().nullable(),
  /** When school IT revoked it (lost, stolen); null when it is not revoked. */
  revokedAt: Instant.nullable(),
  revokedBy: z.string().nullable(),
});

export const DeviceHealthSchema = z.object({
  deviceId: z.string(),
  schoolId: z.string().nullable(),
  hostname: z.string(),
  serial: z.string().nullable(),
  os: OsSchema,
  agentVersion: z.string(),
  loginName: z.string().nullable(),
  studentId: z.string().nullable(),
  studentName: z.string().nullable(),
  enrolledAt: Instant,
  lastSeenAt: Instant.nullable(),
  /** A revoked device is cut off on purpose: not "silent", not "not enforcing". */
  revokedAt: Instant.nullable(),
  revokedBy: z.string().nullable(),
});

export const NotEnforcingSchema = z.object({
  lesson: LessonRefViewSchema,
  deviceId: z.string(),
  hostname: z.string(),
  studentId: z.string(),
  studentName: z.string().nullable(),
  coveredMs: z.number(),
  /** Counted from when the laptop was enrolled and assigned to this student, not from the lesson's start when that was later. */
  silentMs: z.number(),
  /** Silent for longer than the heartbeat gap (a lesson may be listed for tampering alone). */
  silent: z.boolean(),
  tamperEvents: z.number().int(),
  lastSeenAt: Instant.nullable(),
});

export const StoredEventSchema = z.object({
  deviceId: z.string(),
  receivedAt: Instant,
  event: z.object({ id: z.string(), seq: z.number().int(), type: z.string(), occurredAt: Instant, policyVersion: z.string(), payload: z.unknown() }),
});
