import { z } from 'zod';
import { CATEGORIES, OsSchema } from '../../core/categories.ts';
import { describeIssues, fieldIssues, MISSING_IS_REQUIRED } from '../../core/events/parse.ts';
import { GrantSchema } from '../../core/grants/grant.ts';
import { Instant, Key, Label, text } from '../../core/protocol/fields.ts';
import { isValidTimeZone } from '../../core/time/zoned.ts';
import { LessonSchema } from '../../core/timetable/lesson.ts';
import { ServerStoreError } from './errors.ts';
import { CONSENT_GIVERS, DEVICE_RULE_KINDS, EXCEPTION_STATUSES, USER_ROLES } from './types.ts';

/**
 * Shapes the store accepts. The API validates requests first; the store
 * checks again because it is the last stop before data is kept for good, and
 * a CLI or a script may call it directly.
 */

/** The most rows one page of a listing returns. */
export const MAX_PAGE_SIZE = 1_000;

// The same building blocks the device API is declared with.
export { Instant, Key, Label, text };
const Hash = text(1024);

export const SchoolSchema = z.strictObject({
  id: Key,
  name: Label,
  timeZone: z.string().refine(isValidTimeZone, 'must be an IANA time zone, e.g. "Europe/Amsterdam"'),
});

export const NewUserSchema = z.strictObject({
  username: Key,
  role: z.enum(USER_ROLES),
  displayName: Label.nullable(),
  teacherCode: text(16).nullable(),
  schoolId: Key.nullable(),
  passwordHash: Hash,
}).refine((u) => u.role !== 'teacher' || (u.teacherCode !== null && u.schoolId !== null), {
  message: 'a teacher needs a teacher code and a school', path: ['teacherCode'],
});

export const SessionSchema = z.strictObject({
  tokenHash: Hash,
  username: Key,
  createdAt: Instant,
  expiresAt: Instant,
}).refine((s) => s.expiresAt > s.createdAt, { message: 'must expire after it was created', path: ['expiresAt'] });

export const StudentsSchema = z.array(z.strictObject({ id: Key, name: Label.nullable(), loginName: Key.nullable() }));

export const GroupsSchema = z.array(z.strictObject({ code: Key, name: Label.nullable(), studentIds: z.array(Key) }));

export const RangeSchema = z.strictObject({ from: Instant, to: Instant })
  .refine((r) => r.to > r.from, { message: 'must end after it starts', path: ['to'] });

export const LessonsSchema = z.array(LessonSchema);

/**
 * What a laptop says about itself is shown to leaders and exported: anyone
 * with the enrollment secret can send it, so invisible formatting (direction
 * overrides, zero-width characters) that would make it read other than it is
 * stored is refused, and it is kept NFKC-normalised.
 */
function reported(max: number) {
  return z.string().transform((value) => value.normalize('NFKC')).pipe(text(max)
    .regex(/^[^\p{Cf}]*$/u, 'must be plain text: no invisible formatting characters such as direction overrides or zero-width spaces'));
}

export const DeviceReportSchema = z.strictObject({
  hostname: reported(200),
  serial: reported(200).nullable(),
  os: OsSchema,
  agentVersion: reported(64),
  loginName: reported(128).nullable(),
});

export const NewDeviceSchema = DeviceReportSchema.extend({
  id: Key,
  credentialHash: Hash,
  schoolId: Key.nullable(),
});

const AudienceSchema = z.discriminatedUnion('kind', [
  z.strictObject({ kind: z.literal('lesson') }),
  z.strictObject({ kind: z.literal('groups'), groups: z.array(Key).min(1, 'name at least one group') }),
  z.strictObject({ kind: z.literal('student'), studentId: Key }),
  z.strictObject({ kind: z.literal('device'), deviceId: Key }),
]);

export const NewGrantRecordSchema = z.strictObject({
  schoolId: Key,
  grant: GrantSchema,
  signed: z.string().min(1, 'must not be empty').max(16_384, 'at most 16,384 characters'),
  articles: z.array(text(64)).min(1, 'name at least one article').max(8),
  audience: AudienceSchema,
}).refine((r) => r.grant.revokedAt === undefined, { message: 'a new grant is not revoked; use revokeGrant', path: ['grant', 'revokedAt'] })
  .refine((r) => r.audience.kind !== 'lesson' || r.grant.scope.kind === 'lesson', {
    message: 'only a lesson grant can reach "the lesson"', path: ['audience', 'kind'],
  });

/** An Idempotency-Key as the API accepts it: 1–128 characters of A–Z, a–z, 0–9, _ and -. */
export const IdempotencyKeyText = z.string().regex(/^[A-Za-z0-9_-]{1,128}$/, 'must be 1 to 128 characters of A-Z, a-z, 0-9, _ and -');

export const GrantIdempotencySchema = z.strictObject({
  username: Key,
  key: IdempotencyKeyText,
  requestHash: z.string().min(1, 'must not be empty').max(128, 'at most 128 characters'),
});

/** "{login}" or "{student}", once, with at least one other character: what a hostname pattern must have. */
export const PATTERN_PLACEHOLDER = /\{(login|student)\}/g;

const DeviceRuleSchema = z.strictObject({
  kind: z.enum(DEVICE_RULE_KINDS),
  value: text(128),
  studentId: Key.nullable(),
}).refine((r) => (r.kind === 'hostname-pattern') === (r.studentId === null), {
  message: 'a serial or hostname rule names its student; a hostname pattern names none (the hostname does)', path: ['studentId'],
}).refine((r) => r.kind !== 'hostname-pattern' || ((r.value.match(PATTERN_PLACEHOLDER)?.length ?? 0) === 1 && r.value.replace(PATTERN_PLACEHOLDER, '').length > 0), {
  message: 'a hostname pattern has {login} or {student} exactly once, and some fixed text (e.g. "ll-{student}")', path: ['value'],
}).refine((r) => r.kind === 'serial' || !/[.\s]/.test(r.value.replace(PATTERN_PLACEHOLDER, '')), {
  message: 'a hostname is its first label: no dots or spaces', path: ['value'],
});

export const DeviceRulesSchema = z.array(DeviceRuleSchema).max(100_000);

export const DeviceRevocationSchema = z.strictObject({ at: Instant, by: text(128) });

export const PageSchema = z.strictObject({
  limit: z.number().int().min(1, 'at least 1').max(MAX_PAGE_SIZE, `at most ${MAX_PAGE_SIZE}`),
  offset: z.number().int().nonnegative(),
});

export const ExceptionLogFilterSchema = z.strictObject({
  at: Instant,
  from: Instant.optional(),
  to: Instant.optional(),
  schoolId: Key.optional(),
  groupCode: Key.optional(),
  teacherCode: text(16).optional(),
  issuedBy: Key.optional(),
  article: text(64).optional(),
  category: z.enum(CATEGORIES).optional(),
  categoryServices: z.array(text(64)).max(1_000).optional(),
  service: text(64).optional(),
  serviceCategory: z.enum(CATEGORIES).optional(),
  status: z.enum(EXCEPTION_STATUSES).optional(),
  lesson: z.strictObject({ uid: text(512), start: Instant }).optional(),
});

/** "2026-2027": two consecutive years. */
export const SchoolYearLabel = z.string().regex(/^\d{4}-\d{4}$/, 'must be a school year such as "2026-2027"')
  .refine((label) => Number(label.slice(5)) === Number(label.slice(0, 4)) + 1, 'must be two consecutive years, e.g. "2026-2027"');

/** A consent register as the policy names it: lower-case words joined by hyphens ("social-media"). */
export const ConsentRegister = z.string().regex(/^[a-z0-9]+(-[a-z0-9]+)*$/, 'must be a register name such as "social-media"').max(64, 'at most 64 characters');

export const ConsentInputSchema = z.strictObject({
  studentId: Key,
  register: ConsentRegister,
  schoolYear: SchoolYearLabel,
  givenBy: z.enum(CONSENT_GIVERS),
  registeredAt: Instant,
  source: text(64),
});

export const ConsentsSchema = z.array(ConsentInputSchema).max(100_000, 'at most 100,000 at once');

export const ConsentKeySchema = z.strictObject({ studentId: Key, register: ConsentRegister, schoolYear: SchoolYearLabel });

export const ConsentQuerySchema = z.strictObject({
  schoolId: Key.optional(),
  studentId: Key.optional(),
  register: ConsentRegister.optional(),
  schoolYear: SchoolYearLabel.optional(),
});

export const RecordConsentsOptionsSchema = z.strictObject({
  replace: z.strictObject({ register: ConsentRegister, schoolYear: SchoolYearLabel }).optional(),
});

export const NewAuditEntrySchema = z.strictObject({
  at: Instant,
  username: Key,
  action: text(64),
  subject: z.strictObject({ kind: text(64), id: text(512) }),
  schoolId: Key.nullable(),
  detail: text(2_000).nullable(),
});

export const AuditQuerySchema = z.strictObject({
  from: Instant.optional(),
  to: Instant.optional(),
  username: Key.optional(),
  schoolId: Key.optional(),
  subjectKind: text(64).optional(),
  subjectId: text(512).optional(),
});

/**
 * Retention defaults and limits. Events: half a year covers a school
 * semester's incidents and complaints; the laptop keeps its own copy only 30
 * days, and the server never keeps less than that. Exceptions and the audit
 * log: two school years, so a leader can always account for the whole past
 * school year (what was allowed, by whom, who looked), and never less than one.
 */
export const DEFAULT_EVENT_RETENTION_DAYS = 180;
export const DEFAULT_EXCEPTION_RETENTION_DAYS = 730;
export const MIN_EVENT_RETENTION_DAYS = 30;
export const MIN_EXCEPTION_RETENTION_DAYS = 365;
/** A century: beyond it nothing is ever pruned anyway, and the cut-off stays an exact integer. */
export const MAX_RETENTION_DAYS = 36_525;

export const RetentionPolicySchema = z.strictObject({
  eventDays: z.number().int('must be whole days')
    .min(MIN_EVENT_RETENTION_DAYS, `at least ${MIN_EVENT_RETENTION_DAYS} days: the server keeps events at least as long as the laptops do`)
    .max(MAX_RETENTION_DAYS, `at most ${MAX_RETENTION_DAYS} days`),
  exceptionDays: z.number().int('must be whole days')
    .min(MIN_EXCEPTION_RETENTION_DAYS, `at least ${MIN_EXCEPTION_RETENTION_DAYS} days: leaders must be able to account for a whole school year`)
    .max(MAX_RETENTION_DAYS, `at most ${MAX_RETENTION_DAYS} days`),
});

/** Parses `value` or throws 'invalid-input' naming every wrong field; `what` says what was refused. */
export function validate<T>(schema: z.ZodType<T>, value: unknown, what: string): T {
  const result = schema.safeParse(value, MISSING_IS_REQUIRED);
  if (result.success) return result.data;
  const issues = fieldIssues(result.error);
  throw new ServerStoreError('invalid-input', `Refused ${what}: ${describeIssues(issues.slice(0, 10))}. Nothing was stored.`, { issues });
}
