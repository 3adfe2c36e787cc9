import { z } from 'zod';
import { GrantSchema } from '../../../core/grants/grant.ts';
import { AllowInput, DeviceGrantPayloadSchema, GrantAudienceSchema, ReasonSchema, signedSchema } from '../../../core/protocol/index.ts';
import { EXCEPTION_STATUSES } from '../../store/index.ts';
import { Instant, Key, text } from './common.ts';
import { ISSUED_GRANT_TYPE } from './signed.ts';

/** Grants (exceptions): what a teacher or leader sends, and what the API answers. */

/** Whom a grant reaches (shared with the device grants the server signs). */
export const AudienceSchema = GrantAudienceSchema;

const ScopeInput = z.discriminatedUnion('kind', [
  z.strictObject({ kind: z.literal('lesson'), lessonUid: text(512), lessonStart: Instant }),
  z.strictObject({ kind: z.literal('window'), start: Instant, end: Instant })
    .refine((w) => w.end > w.start, { message: 'must end after it starts', path: ['end'] }),
]);

export const CreateGrantBody = z.strictObject({
  /** Needed only by a leader over several schools; a teacher's or leader's own school otherwise. */
  schoolId: Key.optional(),
  scope: ScopeInput,
  /** Whom it reaches: the lesson's groups by default; a leader may name groups, a student or a device. */
  audience: AudienceSchema.optional(),
  allow: AllowInput,
  reason: ReasonSchema,
  /** When it ends; the lesson's (or window's) end by default, and never later. */
  expiresAt: Instant.optional(),
});
export type CreateGrantBody = z.infer<typeof CreateGrantBody>;

export const RevokeGrantBody = z.strictObject({}).optional();

export const IssuedGrantPayloadSchema = z.object({
  type: z.literal(ISSUED_GRANT_TYPE),
  schoolId: Key,
  grant: GrantSchema,
  articles: z.array(z.string()),
  audience: AudienceSchema,
});

const StatusSchema = z.enum(EXCEPTION_STATUSES);

/** A stored grant as the API shows it. */
export const GrantViewSchema = z.object({
  id: z.string(),
  schoolId: z.string(),
  grant: GrantSchema,
  articles: z.array(z.string()),
  audience: AudienceSchema,
  /** The groups it concerned when it was made. */
  groups: z.array(z.string()),
  startsAt: Instant,
  revokedAt: Instant.nullable(),
  revokedBy: z.string().nullable(),
  createdAt: Instant,
  status: StatusSchema,
  /**
   * The signed record of issue, as stored; for an exception a laptop gave
   * back after the server was restored from a backup, the grant as the server
   * had signed it for that laptop.
   */
  signed: signedSchema(z.union([IssuedGrantPayloadSchema, DeviceGrantPayloadSchema])),
  /** The laptop (device id) that gave this exception back after a restore from a backup; null when the server kept it all along. */
  restoredFrom: z.string().nullable(),
});
export type GrantView = z.infer<typeof GrantViewSchema>;

/** What the teacher portal shows of one grant: counts, never which student applied it. */
export const GrantSummarySchema = z.object({
  grant: GrantViewSchema,
  devicesExpected: z.number().int(),
  devicesApplied: z.number().int(),
  /**
   * Students it reaches without a consent it needs for this school year
   * (art. III.B.9): for them it lifts nothing that needs consent. 0 when it
   * needs none.
   */
  studentsWithoutConsent: z.number().int(),
});

export const ExceptionRowSchema = z.object({
  id: z.string(),
  schoolId: z.string(),
  issuedBy: GrantSchema.shape.issuedBy,
  reason: z.string(),
  scope: GrantSchema.shape.scope,
  allow: GrantSchema.shape.allow,
  articles: z.array(z.string()),
  groups: z.array(z.string()),
  audience: AudienceSchema,
  issuedAt: Instant,
  startsAt: Instant,
  expiresAt: Instant,
  revokedAt: Instant.nullable(),
  revokedBy: z.string().nullable(),
  status: StatusSchema,
  devicesApplied: z.number().int(),
});

export const ExceptionPageSchema = z.object({
  rows: z.array(ExceptionRowSchema),
  total: z.number().int(),
  limit: z.number().int(),
  offset: z.number().int(),
});

export const ExceptionDetailSchema = z.object({
  grant: GrantViewSchema,
  devicesExpected: z.number().int(),
  /** The laptop's name, when a laptop gave this exception back after the server was restored from a backup (grant.restoredFrom); null otherwise or when it is gone. */
  restoredFromHostname: z.string().nullable(),
  /** The consent registers it needs (art. III.B.9) and the school year judged; empty when it needs none. */
  consent: z.object({
    registers: z.array(z.object({ register: z.string(), article: z.string() })),
    schoolYear: z.string(),
    studentsWithoutConsent: z.number().int(),
  }),
  devices: z.array(z.object({
    deviceId: z.string(),
    hostname: z.string(),
    studentId: z.string().nullable(),
    studentName: z.string().nullable(),
    appliedAt: Instant.nullable(),
    expiredAt: Instant.nullable(),
    revokedAt: Instant.nullable(),
    /** Whether the device's student has the consent it needs registered; null when it needs none. */
    consent: z.boolean().nullable(),
  })),
});

export const WeeklyChartSchema = z.object({
  weeks: z.array(z.object({ weekStart: z.string(), article: z.string(), count: z.number().int() })),
});
