import { z } from 'zod';
import { CaptureKindSchema, CategorySchema } from '../categories.ts';

/**
 * An exception (uitzondering) to the policy, granted by a teacher or school
 * leader for an educational purpose (art. III.A.1 and III.A.3). Grants are data:
 * the server signs them (a later issue) and the policy engine only honours a
 * grant whose issuer had the authority the rule names.
 */

export const GrantRoleSchema = z.enum(['teacher', 'leader']);
export type GrantRole = z.infer<typeof GrantRoleSchema>;

const instant = z.number().int().nonnegative();

export const GrantScopeSchema = z.discriminatedUnion('kind', [
  z.object({
    kind: z.literal('lesson'),
    /** The lesson's UID plus its start identifies one occurrence of a recurring lesson. */
    lessonUid: z.string().min(1).max(512),
    lessonStart: instant,
  }),
  z.object({
    kind: z.literal('window'),
    start: instant,
    end: instant,
  }).refine((w) => w.end > w.start, { message: 'a time window must end after it starts', path: ['end'] }),
]);
export type GrantScope = z.infer<typeof GrantScopeSchema>;

export const GrantAllowSchema = z.object({
  categories: z.array(CategorySchema).default([]),
  /** Catalog service ids, e.g. "youtube" or "instagram". */
  services: z.array(z.string().min(1).max(64)).default([]),
  capture: z.array(CaptureKindSchema).default([]),
}).refine((a) => a.categories.length + a.services.length + a.capture.length > 0, {
  message: 'a grant must allow at least one category, service or capture kind',
});
export type GrantAllow = z.infer<typeof GrantAllowSchema>;

export const GrantSchema = z.object({
  id: z.string().min(1).max(128),
  issuedBy: z.object({
    username: z.string().min(1).max(128),
    name: z.string().max(200).optional(),
    role: GrantRoleSchema,
    /** The teacher's timetable code (e.g. "JNS"); required for teachers, who may only grant for lessons they teach. */
    teacherCode: z.string().min(1).max(16).optional(),
  }).refine((i) => i.role !== 'teacher' || i.teacherCode !== undefined, {
    message: 'a teacher grant must carry the teacher code',
    path: ['teacherCode'],
  }),
  /** Why: the educational purpose. Required by art. III.A.3 ("expliciet"). */
  reason: z.string().trim().min(3, 'a reason (the educational purpose) is required').max(500),
  scope: GrantScopeSchema,
  allow: GrantAllowSchema,
  issuedAt: instant,
  expiresAt: instant,
  revokedAt: instant.optional(),
}).refine((g) => g.expiresAt > g.issuedAt, { message: 'a grant must expire after it was issued', path: ['expiresAt'] });
export type Grant = z.infer<typeof GrantSchema>;
/** What callers write: defaults (empty lists) may be left out. */
export type GrantInput = z.input<typeof GrantSchema>;

export function parseGrant(input: unknown): Grant {
  return GrantSchema.parse(input);
}

/** The instants between which a grant can apply at all (its own window intersected with its validity). */
export function grantActiveWindow(grant: Grant): { from: number; until: number } {
  const until = Math.min(grant.expiresAt, grant.revokedAt ?? Number.POSITIVE_INFINITY);
  if (grant.scope.kind === 'window') {
    return { from: Math.max(grant.issuedAt, grant.scope.start), until: Math.min(until, grant.scope.end) };
  }
  return { from: grant.issuedAt, until };
}
