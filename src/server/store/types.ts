import type { Category, Os } from '../../core/categories.ts';
import type { FieldIssue } from '../../core/events/parse.ts';
import type { DeviceEvent } from '../../core/events/schema.ts';
import type { Grant } from '../../core/grants/grant.ts';
import type { Lesson } from '../../core/timetable/lesson.ts';

/**
 * The records the server store keeps. Instants are epoch milliseconds
 * throughout; "at" parameters are the caller's clock (the API passes its
 * own), so the store never reads the time itself.
 */

// ---------------------------------------------------------------- schools and people

export interface School {
  /** A short, stable key chosen by the admin, e.g. "svok-college". */
  readonly id: string;
  readonly name: string;
  /** IANA zone the school's weeks and days are counted in (for the weekly chart). */
  readonly timeZone: string;
}

export const USER_ROLES = ['admin', 'leader', 'teacher'] as const;
export type UserRole = (typeof USER_ROLES)[number];

export interface NewUser {
  readonly username: string;
  readonly role: UserRole;
  readonly displayName: string | null;
  /** The teacher's timetable code ("JNS"); required for teachers. */
  readonly teacherCode: string | null;
  /** Required for teachers; null for an admin or a leader over every school. */
  readonly schoolId: string | null;
  /** Made by the API layer (scrypt or argon2); the store only keeps the string. */
  readonly passwordHash: string;
}

export interface User extends NewUser {
  readonly createdAt: number;
}

/** A web UI login. The API keeps the token; the store keeps only its hash. */
export interface Session {
  readonly tokenHash: string;
  readonly username: string;
  readonly createdAt: number;
  readonly expiresAt: number;
}

// ---------------------------------------------------------------- roster and timetable

export interface Student {
  readonly schoolId: string;
  /** The school's student number or another stable key. */
  readonly id: string;
  readonly name: string | null;
  /** The login name on school laptops; devices reporting it can be matched to the student. */
  readonly loginName: string | null;
}

export type StudentInput = Omit<Student, 'schoolId'>;

export interface Group {
  readonly schoolId: string;
  /** The code the timetable uses, e.g. "v4.ne2". */
  readonly code: string;
  readonly name: string | null;
}

export interface GroupInput {
  readonly code: string;
  readonly name: string | null;
  readonly studentIds: readonly string[];
}

/** [from, to): epoch ms, from inclusive, to exclusive. */
export interface TimeRange {
  readonly from: number;
  readonly to: number;
}

export interface LessonQuery extends TimeRange {
  readonly teacherCode?: string;
  readonly groupCode?: string;
}

export interface ReplaceLessonsResult {
  readonly removed: number;
  readonly added: number;
}

// ---------------------------------------------------------------- devices

/** What a device says about itself at enrollment and on later syncs. */
export interface DeviceReport {
  readonly hostname: string;
  readonly serial: string | null;
  readonly os: Os;
  readonly agentVersion: string;
  /** The student's login name on the laptop, if one is logged in. */
  readonly loginName: string | null;
}

export interface NewDevice extends DeviceReport {
  /** Chosen by the server at enrollment (a UUID). */
  readonly id: string;
  /** Hash of the per-device credential; the API checks it on every request. */
  readonly credentialHash: string;
  /** The school whose enrollment secret was used, when known. */
  readonly schoolId: string | null;
}

export interface Device extends NewDevice {
  readonly studentId: string | null;
  readonly enrolledAt: number;
  readonly lastSeenAt: number | null;
  /** The highest event seq stored for this device, to spot gaps. */
  readonly lastEventSeq: number | null;
  /** When school IT cut the device off (lost, stolen): its credential and enrollment key stop working. Null when it is not revoked. */
  readonly revokedAt: number | null;
  /** Who revoked it (a username, or "cli:…" for the command line). */
  readonly revokedBy: string | null;
}

/**
 * What the school's MDM or roster says about its laptops, the only ground
 * (besides an admin) on which a laptop is assigned to a student: a serial
 * number or a hostname that is one student's, or a hostname pattern with the
 * student's login name (`{login}`) or number (`{student}`) in it, such as
 * "ll-{student}". The login name a laptop reports is never enough: anyone
 * with the enrollment secret can report any login.
 */
export const DEVICE_RULE_KINDS = ['serial', 'hostname', 'hostname-pattern'] as const;
export type DeviceRuleKind = (typeof DEVICE_RULE_KINDS)[number];

export interface DeviceRuleInput {
  readonly kind: DeviceRuleKind;
  /** The serial, the hostname, or the pattern; compared without regard to case (a hostname by its first label). */
  readonly value: string;
  /** The student a serial or hostname belongs to; null for a pattern (the hostname names the student). */
  readonly studentId: string | null;
}

export interface DeviceRule extends DeviceRuleInput {
  /** When the rule was first recorded as it is: a revocation of the student's laptop after it stops it assigning a new one. */
  readonly recordedAt: number;
}

/** Who revokes a device, and when. */
export interface DeviceRevocation {
  readonly at: number;
  readonly by: string;
}

/** One row of the leader's device health page (no credential). */
export interface DeviceHealth {
  readonly deviceId: string;
  readonly schoolId: string | null;
  readonly hostname: string;
  /** What the admin finds on the sticker (and the MDM lists). */
  readonly serial: string | null;
  readonly os: Os;
  readonly agentVersion: string;
  readonly loginName: string | null;
  readonly studentId: string | null;
  readonly studentName: string | null;
  readonly enrolledAt: number;
  readonly lastSeenAt: number | null;
  /** Revoked devices are listed as such, and never counted as "not enforcing". */
  readonly revokedAt: number | null;
  readonly revokedBy: string | null;
}

/**
 * A device that was expected in a lesson (its student is in one of the
 * lesson's groups) but was silent for part of it, or reported tampering
 * during it. "Silent" is measured from contact (heartbeats and syncs): the
 * part of the lesson not covered by contact intervals.
 */
export interface NotEnforcingDevice {
  readonly lesson: Pick<Lesson, 'uid' | 'start' | 'end' | 'subject' | 'groups' | 'teachers'>;
  readonly deviceId: string;
  readonly hostname: string;
  readonly studentId: string;
  readonly studentName: string | null;
  /** Milliseconds of the lesson the device was in contact. */
  readonly coveredMs: number;
  /**
   * Milliseconds of the lesson without contact, counted from when the laptop was the student's
   * (enrolled and assigned): a laptop enrolled at 09:00 is not silent for 08:30–09:00.
   */
  readonly silentMs: number;
  /** True when it was silent for longer than the contact gap (a row may be here for tampering alone). */
  readonly silent: boolean;
  readonly tamperEvents: number;
  readonly lastSeenAt: number | null;
}

// ---------------------------------------------------------------- grants (exceptions)

/**
 * Whom a grant reaches. A lesson grant reaches the lesson's groups; a leader
 * can also grant to named groups, one student or one device.
 */
export type GrantAudience =
  | { readonly kind: 'lesson' }
  | { readonly kind: 'groups'; readonly groups: readonly string[] }
  | { readonly kind: 'student'; readonly studentId: string }
  | { readonly kind: 'device'; readonly deviceId: string };

export interface NewGrantRecord {
  readonly schoolId: string;
  /** The grant as issued (validated by the caller with GrantSchema); the store indexes it. */
  readonly grant: Grant;
  /** The signed grant exactly as devices receive it; kept verbatim, never re-serialised. */
  readonly signed: string;
  /** The articles the exception rests on (III.A.1 for social media, III.A.3 for recordings). */
  readonly articles: readonly string[];
  readonly audience: GrantAudience;
}

export interface GrantRecord extends NewGrantRecord {
  /**
   * The groups the grant concerned when it was made: the lesson's groups for
   * a lesson grant, the named ones, or the student's groups. Kept so the log
   * can be filtered by group even after the timetable changes.
   */
  readonly groups: readonly string[];
  /** When the exception took effect: the later of issue and lesson or window start. */
  readonly startsAt: number;
  readonly revokedAt: number | null;
  readonly revokedBy: string | null;
  readonly createdAt: number;
}

/**
 * 'created'; 'already-stored' (the same grant id again); 'replayed': the
 * Idempotency-Key given was already used by this user for this request within
 * IDEMPOTENCY_WINDOW_MS, and `record` is the grant it made then (the new one
 * was not stored).
 */
export type CreateGrantResult = { readonly status: 'created' | 'already-stored' | 'replayed'; readonly record: GrantRecord };

/** How long an Idempotency-Key of POST /api/v1/grants is remembered: 24 hours. */
export const IDEMPOTENCY_WINDOW_MS = 24 * 3_600_000;

/**
 * A grant request's Idempotency-Key: one per (username, key), with a hash of
 * the request it came with, so the same key with another request is a conflict.
 */
export interface GrantIdempotency {
  readonly username: string;
  readonly key: string;
  /** Made by the API from the request body; the store only compares it. */
  readonly requestHash: string;
}

/** A remembered Idempotency-Key and the grant it made. */
export interface IdempotentGrant {
  readonly requestHash: string;
  readonly createdAt: number;
  readonly record: GrantRecord;
}

/** `scheduled`: made for a lesson or window that has not started yet (the log must not call it active before it is). */
export const EXCEPTION_STATUSES = ['scheduled', 'active', 'expired', 'revoked'] as const;
export type ExceptionStatus = (typeof EXCEPTION_STATUSES)[number];

export interface ExceptionLogFilter {
  /** The instant the status is judged at (the caller's "now"). */
  readonly at: number;
  /** Exceptions that took effect in [from, to). */
  readonly from?: number;
  readonly to?: number;
  readonly schoolId?: string;
  readonly groupCode?: string;
  /** The issuer's teacher code. */
  readonly teacherCode?: string;
  /** The issuer's username. */
  readonly issuedBy?: string;
  readonly article?: string;
  readonly category?: Category;
  /** With `category`: the catalog's services of that category; an exception that allowed only one of them counts too. */
  readonly categoryServices?: readonly string[];
  readonly service?: string;
  /** With `service`: its catalog category; an exception for the whole category allowed the service too. */
  readonly serviceCategory?: Category;
  readonly status?: ExceptionStatus;
  /** One lesson occurrence (the teacher portal's "grants for this lesson"). */
  readonly lesson?: { readonly uid: string; readonly start: number };
}

export interface PageRequest {
  /** 1 to MAX_PAGE_SIZE. */
  readonly limit: number;
  readonly offset: number;
}

export interface Page<T> {
  readonly rows: readonly T[];
  /** Rows matching the filter in all pages. */
  readonly total: number;
}

export interface ExceptionLogRow {
  readonly id: string;
  readonly schoolId: string;
  readonly issuedBy: Grant['issuedBy'];
  readonly reason: string;
  readonly scope: Grant['scope'];
  readonly allow: Grant['allow'];
  readonly articles: readonly string[];
  readonly groups: readonly string[];
  readonly audience: GrantAudience;
  readonly issuedAt: number;
  readonly startsAt: number;
  readonly expiresAt: number;
  readonly revokedAt: number | null;
  readonly revokedBy: string | null;
  readonly status: ExceptionStatus;
  /** Devices that acknowledged applying it. */
  readonly devicesApplied: number;
}

/** One bar of the chart: exceptions that took effect in a week (Monday, in the school's zone), per article. */
export interface WeeklyArticleCount {
  /** "YYYY-MM-DD", the Monday the week starts on. */
  readonly weekStart: string;
  readonly article: string;
  readonly count: number;
}

/** One device's part in one exception, from its acknowledgement and its exception events. */
export interface ExceptionOnDevice {
  readonly deviceId: string;
  readonly hostname: string;
  readonly studentId: string | null;
  /** The student's name from the roster (null when the roster has none): what leaders read. */
  readonly studentName: string | null;
  readonly appliedAt: number | null;
  readonly expiredAt: number | null;
  readonly revokedAt: number | null;
}

export interface ExceptionDetail {
  readonly record: GrantRecord;
  readonly status: ExceptionStatus;
  /** Devices of the students the grant reaches (now). */
  readonly devicesExpected: number;
  readonly devices: readonly ExceptionOnDevice[];
}

// ---------------------------------------------------------------- events

export type IngestOutcome =
  | { readonly index: number; readonly id: string; readonly status: 'accepted' | 'duplicate' }
  | { readonly index: number; readonly id: string | null; readonly status: 'rejected'; readonly issues: readonly FieldIssue[] };

export interface IngestResult {
  /** One per pushed event, in the order pushed. */
  readonly outcomes: readonly IngestOutcome[];
  readonly accepted: number;
  readonly duplicates: number;
  readonly rejected: number;
  /** The highest seq stored for the device after this batch. */
  readonly lastEventSeq: number | null;
  /** …and before it: a laptop that knows it sent more finds out the server lost them. */
  readonly previousLastEventSeq: number | null;
}

export interface StoredEvent {
  readonly deviceId: string;
  readonly receivedAt: number;
  readonly event: DeviceEvent;
}

// ---------------------------------------------------------------- audit

/** Who looked at what, when: every leader view of per-student detail, every export. */
export interface NewAuditEntry {
  readonly at: number;
  readonly username: string;
  /** What was done, e.g. "view-exception", "view-device-events", "export-log". */
  readonly action: string;
  /** What it was done to, e.g. { kind: 'student', id: '123456' }. */
  readonly subject: { readonly kind: string; readonly id: string };
  readonly schoolId: string | null;
  /** Short context such as the export's filter; never free text from a student. */
  readonly detail: string | null;
}

export interface AuditEntry extends NewAuditEntry {
  readonly id: number;
}

export interface AuditQuery {
  readonly from?: number;
  readonly to?: number;
  readonly username?: string;
  readonly schoolId?: string;
  readonly subjectKind?: string;
  readonly subjectId?: string;
}

// ---------------------------------------------------------------- consent (art. III.B.9)

/** Who gave a consent: the student when 16 or older, else a parent. */
export const CONSENT_GIVERS = ['student', 'parent'] as const;
export type ConsentGiver = (typeof CONSENT_GIVERS)[number];

/**
 * A registered consent (art. III.B.9): asked every school year, for one
 * register the policy names ("social-media"). It holds from 1 August of the
 * school year's first year to 1 August of the next (school time).
 */
export interface ConsentInput {
  readonly studentId: string;
  /** As the policy names it, e.g. "social-media". */
  readonly register: string;
  /** "2026-2027". */
  readonly schoolYear: string;
  readonly givenBy: ConsentGiver;
  /** When the school registered it (in Magister or elsewhere). */
  readonly registeredAt: number;
  /** Where it came from, e.g. "magister", "manual". */
  readonly source: string;
}

export interface Consent extends ConsentInput {
  readonly schoolId: string;
}

/** Which consent, of a school's student. */
export interface ConsentKey {
  readonly studentId: string;
  readonly register: string;
  readonly schoolYear: string;
}

export interface ConsentQuery {
  readonly schoolId?: string;
  readonly studentId?: string;
  readonly register?: string;
  readonly schoolYear?: string;
}

export interface RecordConsentsOptions {
  /**
   * The batch is the whole register for this register and school year (a full
   * export): the school's consents in it that the batch lacks are withdrawn.
   * Every consent in the batch must then be of this register and year.
   */
  readonly replace?: { readonly register: string; readonly schoolYear: string };
}

export interface RecordConsentsResult {
  readonly added: number;
  readonly updated: number;
  readonly unchanged: number;
  /** Withdrawn by `replace`. */
  readonly withdrawn: number;
}

// ---------------------------------------------------------------- retention

/**
 * How long the server keeps what it logs (AVG: no longer than needed), in
 * whole days before the moment of pruning. Lessons, users, students and
 * devices are the school's own administration and are never pruned.
 */
export interface RetentionPolicy {
  /** Device events (blocks, enforcement, tamper, exception.*) and contact intervals. */
  readonly eventDays: number;
  /** Exceptions (counted from when they expired) with everything stored with them, the audit log, and consents (from the end of their school year). */
  readonly exceptionDays: number;
}

/** How many were (or would be) deleted, per kind. */
export interface PruneCounts {
  readonly deviceEvents: number;
  readonly contactIntervals: number;
  /** Grants; their groups, articles, allowances and acknowledgements go with them and are not counted apart. */
  readonly exceptions: number;
  readonly auditEntries: number;
  readonly sessions: number;
  /** Registered consents whose school year ended more than exceptionDays ago (they are the evidence for exceptions). */
  readonly consents: number;
  /** Idempotency-Keys of exception requests older than 24 hours (IDEMPOTENCY_WINDOW_MS). */
  readonly idempotencyKeys: number;
}
