import { z } from 'zod';
import { OsSchema } from '../../../core/categories.ts';
import { MAX_PASSWORD_LENGTH } from '../../auth/passwords.ts';
import { Instant, Key, Label, text } from './common.ts';
import { AllowInput, ReasonSchema } from './grants.ts';
import { LessonRefViewSchema } from './lessons.ts';

/** Devices: enrollment, reports, heartbeats, events, health. */

export const DeviceReportSchema = z.strictObject({
  hostname: Label,
  serial: Label.nullable().default(null),
  os: OsSchema,
  agentVersion: text(64),
  /** The student's login name on the laptop, when one is logged in. */
  loginName: Key.nullable().default(null),
});

export const EnrollBody = DeviceReportSchema.extend({
  /** The secret MDM put on the laptop (lesmodus server enroll-secret). */
  enrollmentSecret: text(256),
  /**
   * A random key the laptop made and saved before its first try: the device id
   * is derived from it, so a retry after a lost answer is the same device (with
   * a new credential) rather than a second one that never reports.
   */
  enrollmentKey: z.string().regex(/^[A-Za-z0-9_-]{43,128}$/, 'must be 43 to 128 base64url characters (32 random bytes or more)').optional(),
});

export const EnrolledSchema = z.object({
  deviceId: z.string(),
  /** Keep it secret (owner-only file or the OS keychain); send it as "Authorization: Bearer …". Shown once. */
  credential: z.string(),
  schoolId: z.string().nullable(),
  studentId: z.string().nullable(),
  /** Which server key signs schedules and grants; the key itself comes from MDM, never from this answer. */
  keyId: z.string(),
});

export const HeartbeatBody = z.strictObject({
  /** The device's clock when it sent this, to report its offset from the server's. */
  sentAt: Instant.optional(),
  /** What the device says about itself now (a new agent version, another logged-in student). */
  report: DeviceReportSchema.optional(),
});

export const HeartbeatReplySchema = z.object({
  serverTime: Instant,
  /** The highest event seq the server has stored for this device: the agent can drop its outbox up to here. */
  lastEventSeq: z.number().int().nullable(),
  /** sentAt minus serverTime, when sentAt was given (positive: the device's clock is ahead). */
  clockOffsetMs: z.number().int().nullable(),
});

export const EventsBody = z.strictObject({
  /** Each is checked on its own: a malformed event is rejected alone and the valid rest is kept. */
  events: z.array(z.unknown()).max(500, 'at most 500 events per batch'),
});

export const IngestReplySchema = z.object({
  outcomes: z.array(z.object({
    index: z.number().int(),
    id: z.string().nullable(),
    status: z.enum(['accepted', 'duplicate', 'rejected']),
    issues: z.array(z.object({ path: z.string(), message: z.string() })).optional(),
  })),
  accepted: z.number().int(),
  duplicates: z.number().int(),
  rejected: z.number().int(),
  lastEventSeq: z.number().int().nullable(),
});

export const AckBody = z.strictObject({ appliedAt: Instant });

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
  os: OsSchema,
  agentVersion: z.string(),
  loginName: z.string().nullable(),
  studentId: z.string().nullable(),
  studentName: z.string().nullable(),
  enrolledAt: Instant,
  lastSeenAt: Instant.nullable(),
  /** A revoked device is cut off on purpose: not "silent", not "not enforcing". */
  revokedAt: Instant.nullable(),
});

export const NotEnforcingSchema = z.object({
  lesson: LessonRefViewSchema,
  deviceId: z.string(),
  hostname: z.string(),
  studentId: z.string(),
  studentName: z.string().nullable(),
  coveredMs: z.number(),
  silentMs: z.number(),
  tamperEvents: z.number().int(),
  lastSeenAt: Instant.nullable(),
});

export const StoredEventSchema = z.object({
  deviceId: z.string(),
  receivedAt: Instant,
  event: z.object({ id: z.string(), seq: z.number().int(), type: z.string(), occurredAt: Instant, policyVersion: z.string(), payload: z.unknown() }),
});

/**
 * A teacher (or leader) at the student's laptop: their own password, what to
 * allow and why. The lesson is the one in progress for the laptop's student.
 */
export const UnlockBody = z.strictObject({
  /** The six-digit code the teacher's portal shows for the lesson in progress (GET /api/v1/unlock-code). */
  code: z.string().regex(/^\d{6}$/, 'must be the six digits the teacher portal shows'),
  allow: AllowInput,
  reason: ReasonSchema,
  /** Earlier than the lesson's end, when the teacher wants it shorter. */
  expiresAt: Instant.optional(),
});
