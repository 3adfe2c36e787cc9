import type { DeviceEvent } from '../../core/events/schema.ts';
import type { Lesson } from '../../core/timetable/lesson.ts';
import type {
  AuditEntry,
  AuditQuery,
  Consent,
  ConsentInput,
  ConsentKey,
  ConsentQuery,
  CreateGrantResult,
  Device,
  DeviceHealth,
  DeviceReport,
  DeviceRevocation,
  DeviceRule,
  DeviceRuleInput,
  ExceptionDetail,
  ExceptionLogFilter,
  ExceptionLogRow,
  GrantIdempotency,
  GrantRecord,
  Group,
  IdempotentGrant,
  GroupInput,
  IngestResult,
  LessonQuery,
  NewAuditEntry,
  NewDevice,
  NewGrantRecord,
  NewUser,
  NotEnforcingDevice,
  Page,
  PageRequest,
  PruneCounts,
  RecordConsentsOptions,
  RecordConsentsResult,
  ReplaceLessonsResult,
  RetentionPolicy,
  School,
  Session,
  StoredEvent,
  Student,
  StudentInput,
  TimeRange,
  User,
  UserRole,
  WeeklyArticleCount,
} from './types.ts';

/**
 * The school server's storage: one interface, two implementations (SQLite by
 * default, PostgreSQL when a URL is given) with the same behaviour, proven by
 * one shared test suite (test/server/store/store-contract.ts).
 *
 * Every method is async so both fit. Input is validated: bad input is refused
 * with ServerStoreError 'invalid-input' naming each field, and nothing is
 * written. Every write that touches more than one row is one transaction.
 */
export interface ServerStore {
  readonly dialect: 'sqlite' | 'postgres';
  /** The schema version after migrations. */
  readonly schemaVersion: number;

  // Schools ------------------------------------------------------------------

  /** Creates or renames a school. */
  putSchool(school: School, at: number): Promise<void>;
  school(id: string): Promise<School | null>;
  schools(): Promise<School[]>;

  // Users and sessions ---------------------------------------------------------

  /** 'conflict' if the username exists, or another teacher of the school has the teacher code. */
  createUser(user: NewUser, at: number): Promise<User>;
  user(username: string): Promise<User | null>;
  users(filter?: { readonly schoolId?: string; readonly role?: UserRole }): Promise<User[]>;
  /** False for an unknown username. */
  setPasswordHash(username: string, passwordHash: string): Promise<boolean>;

  createSession(session: Session): Promise<void>;
  /** The session and its user, unless it expired by `at` or does not exist. */
  session(tokenHash: string, at: number): Promise<{ session: Session; user: User } | null>;
  deleteSession(tokenHash: string): Promise<void>;
  /** Returns how many were removed. */
  deleteExpiredSessions(at: number): Promise<number>;

  // Roster ---------------------------------------------------------------------

  /** Creates or updates students by id. 'conflict' when two students would share a login name. */
  putStudents(schoolId: string, students: readonly StudentInput[]): Promise<void>;
  /** Replaces all of a school's groups and their members in one transaction. Unknown student ids are refused. */
  replaceGroups(schoolId: string, groups: readonly GroupInput[]): Promise<void>;
  groups(schoolId: string): Promise<Group[]>;
  studentsInGroup(schoolId: string, groupCode: string): Promise<Student[]>;
  groupsOfStudent(schoolId: string, studentId: string): Promise<string[]>;
  student(schoolId: string, studentId: string): Promise<Student | null>;
  /** The student with this login name (in one school, or in any when schoolId is null and only one matches). */
  studentByLoginName(schoolId: string | null, loginName: string): Promise<Student | null>;

  // Timetable ------------------------------------------------------------------

  /**
   * Replaces the school's lessons that start in [from, to) with `lessons`,
   * which must all start in that range: readers see the old set or the new
   * one, never a mix, and two imports of the same range never interleave.
   */
  replaceLessons(schoolId: string, range: TimeRange, lessons: readonly Lesson[]): Promise<ReplaceLessonsResult>;
  /** Lessons overlapping [from, to), optionally one teacher's or one group's, by start then uid. */
  lessons(schoolId: string, query: LessonQuery): Promise<Lesson[]>;
  lesson(schoolId: string, uid: string, start: number): Promise<Lesson | null>;
  /** Lessons overlapping [from, to) of the groups the student is in (a device's schedule). */
  lessonsOfStudent(schoolId: string, studentId: string, range: TimeRange): Promise<Lesson[]>;

  // Devices ----------------------------------------------------------------------

  /**
   * 'conflict' if the id is taken; 'revoked' when a revoked laptop has its
   * serial number (it does not enroll again under a new key). The device is
   * assigned to a student only by the school's device rules, never by the
   * login name it reports.
   */
  enrollDevice(device: NewDevice, at: number): Promise<Device>;
  /** A new credential (and report) for a device enrolling again under its own id; null when unknown; 'conflict' when it is revoked. */
  renewDeviceCredential(id: string, credentialHash: string, report: DeviceReport, at: number): Promise<Device | null>;
  /**
   * Cuts a device off (lost or stolen laptop): revokedAt/revokedBy are set and
   * the API refuses its credential and its enrollment key. Revoking again
   * keeps the first revocation. Null for an unknown device.
   */
  revokeDevice(id: string, revocation: DeviceRevocation): Promise<Device | null>;
  /** Lifts a revocation. Null for an unknown device. */
  restoreDevice(id: string): Promise<Device | null>;
  device(id: string): Promise<Device | null>;
  /**
   * Makes these the school's device rules (what its MDM or roster says: a
   * serial or hostname is a student's, or a hostname pattern names them).
   * Unchanged rules keep when they were recorded. Unknown students are
   * 'not-found', nothing changed.
   */
  replaceDeviceRules(schoolId: string, rules: readonly DeviceRuleInput[], at: number): Promise<{ rules: number }>;
  deviceRules(schoolId: string): Promise<DeviceRule[]>;
  /** Records what the device reports about itself now (an unassigned one may now fit a device rule). False for an unknown device. */
  updateDeviceReport(id: string, report: DeviceReport, at: number): Promise<boolean>;
  /**
   * Assigns the device to a student (and the student's school) from `at` on, or unassigns it. False for an unknown device.
   * Device health counts the student's lessons for this laptop only from `at` (and its enrollment).
   */
  assignDevice(id: string, student: { readonly schoolId: string; readonly studentId: string } | null, at: number): Promise<boolean>;
  /**
   * A heartbeat or sync from the device at `at`: sets last seen and extends
   * its contact interval (a new interval starts after a silence longer than
   * the store's contact gap). False for an unknown device.
   */
  recordDeviceContact(id: string, at: number): Promise<boolean>;
  /** Every device of the school (or every device), least recently seen first; revoked ones with their revokedAt. */
  deviceHealth(schoolId: string | null): Promise<DeviceHealth[]>;
  /** Devices expected in a lesson of [from, to) that were silent for longer than the contact gap, or reported tampering, during it. Never revoked ones. */
  devicesNotEnforcing(schoolId: string, range: TimeRange): Promise<NotEnforcingDevice[]>;

  // Grants (exceptions) ----------------------------------------------------------

  /**
   * Stores a grant. Idempotent on the id: the same record again is
   * 'already-stored'; the same id with other content is 'conflict'.
   * A lesson grant needs the lesson to be in the timetable ('not-found').
   *
   * With `idempotency` (the API's Idempotency-Key), the key is stored with
   * the grant in one transaction, unique per (username, key): when this user
   * used the key within the last 24 hours (IDEMPOTENCY_WINDOW_MS) for the same
   * request hash, nothing is stored and the result is 'replayed' with the
   * grant made then — also when two such calls race; for another request
   * hash it is 'conflict'.
   */
  createGrant(record: NewGrantRecord, at: number, idempotency?: GrantIdempotency): Promise<CreateGrantResult>;
  /** The grant this user's Idempotency-Key made within the 24 hours before `at`, with its request hash; null when none. */
  grantByIdempotencyKey(username: string, key: string, at: number): Promise<IdempotentGrant | null>;
  grant(id: string): Promise<GrantRecord | null>;
  /** Revokes a grant; the earliest revocation counts. `by` null: not known (a revocation a laptop gave back after a restore). Null for an unknown id. */
  revokeGrant(id: string, revocation: { readonly at: number; readonly by: string | null }): Promise<GrantRecord | null>;
  /**
   * Counts the grant's acknowledgements again from the exception.applied
   * events held for it, of `deviceId` only when given (a grant given back
   * after a restore comes after its events); returns how many devices applied it.
   */
  acknowledgeFromEvents(grantId: string, deviceId?: string): Promise<number>;
  /** Grants a device must know at `at`: those reaching it that have not expired (revoked ones included, so it learns). */
  grantsForDevice(deviceId: string, at: number): Promise<GrantRecord[]>;

  // Device events ------------------------------------------------------------------

  /**
   * Stores a pushed batch, each event exactly once per (device, event id),
   * also when the same batch arrives twice or two overlapping batches arrive
   * at the same time. Events that fail the core event schema are 'rejected'
   * with their issues and the valid rest is kept. An `exception.applied`
   * event is how a device reports that a grant took effect for its student:
   * it counts as applied on that device (the earliest time), when the grant
   * reaches the device.
   * 'not-found' for an unknown device (nothing stored).
   */
  ingestEvents(deviceId: string, events: readonly DeviceEvent[], receivedAt: number): Promise<IngestResult>;
  /** One device's events in [from, to) of occurredAt, newest first. */
  deviceEvents(deviceId: string, range: TimeRange, page: PageRequest): Promise<Page<StoredEvent>>;

  // Exception log ------------------------------------------------------------------

  /** The leader's exception log: filtered, newest effect first, one page. */
  exceptionLog(filter: ExceptionLogFilter, page: PageRequest): Promise<Page<ExceptionLogRow>>;
  /** Every row of the filtered log, read in pages so a large export never holds the database. */
  exportExceptionLog(filter: ExceptionLogFilter): AsyncIterable<ExceptionLogRow>;
  /** Exceptions per week per article for the chart (an exception resting on two articles counts for both). */
  exceptionsPerWeek(filter: ExceptionLogFilter): Promise<WeeklyArticleCount[]>;
  /** One exception with its lifecycle on each device; null for an unknown id. */
  exceptionDetail(grantId: string, at: number): Promise<ExceptionDetail | null>;

  // Audit log --------------------------------------------------------------------

  /** Appends to the audit log (which can never be changed, nor shortened other than by pruneExpired). */
  recordAudit(entry: NewAuditEntry): Promise<AuditEntry>;
  /** Newest first. */
  auditLog(query: AuditQuery, page: PageRequest): Promise<Page<AuditEntry>>;

  // Consent register (art. III.B.9) ------------------------------------------------

  /**
   * Records a school's consents, all or nothing: new ones added, known ones
   * (student, register, school year) updated, identical ones unchanged, so
   * the same import twice changes nothing. Unknown students are 'not-found'.
   * With `replace`, the batch is the whole register of that year: consents
   * of it missing from the batch are withdrawn.
   */
  recordConsents(schoolId: string, consents: readonly ConsentInput[], options?: RecordConsentsOptions): Promise<RecordConsentsResult>;
  /** Withdraws (deletes) one consent (AVG: consent can be withdrawn). False when there was none. */
  withdrawConsent(schoolId: string, consent: ConsentKey): Promise<boolean>;
  /** Consents matching the query (a student's, a school year's, …), by school, student, register, school year. */
  consents(query: ConsentQuery): Promise<Consent[]>;
  /** Of these students, those without a consent in `register` for `schoolYear` ("2026-2027"), sorted. */
  studentsWithoutConsent(schoolId: string, studentIds: readonly string[], register: string, schoolYear: string): Promise<string[]>;

  // Retention -----------------------------------------------------------------------

  /**
   * Deletes what is past retention at `now`: device events and contact
   * intervals older than `eventDays`; exceptions that expired more than
   * `exceptionDays` ago, with their groups, articles, allowances and
   * acknowledgements; audit entries older than `exceptionDays`; consents
   * whose school year ended more than `exceptionDays` ago; expired sessions; Idempotency-Keys older
   * than 24 hours. A row exactly at its cut-off stays. Never touches lessons,
   * users, students or devices. One transaction per group of tables.
   * A policy below the minimums (or not whole days) is 'invalid-input'.
   */
  pruneExpired(policy: RetentionPolicy, now: number): Promise<PruneCounts>;
  /** What pruneExpired(policy, now) would delete now, per kind, deleting nothing. */
  countExpired(policy: RetentionPolicy, now: number): Promise<PruneCounts>;

  // Rate limits ------------------------------------------------------------------

  /** The latest `max` hits counted for (limiter, key) after `since`, oldest first (see auth/failure-limiter.ts). */
  rateLimitHits(limiter: string, key: string, since: number, max: number): Promise<number[]>;
  recordRateLimitHit(limiter: string, key: string, at: number): Promise<void>;
  clearRateLimitHits(limiter: string, key: string): Promise<void>;
  /** Forgets hits at or before `before`; returns how many. */
  pruneRateLimitHits(before: number): Promise<number>;

  /** Closes the connection(s). Idempotent; any other call afterwards throws 'closed'. */
  close(): Promise<void>;
}
