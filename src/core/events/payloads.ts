import { z } from 'zod';
import { CAPTURE_KINDS, CaptureKindSchema, CATEGORIES, CategorySchema, OsSchema } from '../categories.ts';
import { Article, GrantId, Instant, LessonRef, OpenToken, RuleId, ServiceId } from './fields.ts';
import {
  MAX_ARTICLES_PER_EXCEPTION,
  MAX_BLOCK_COUNT,
  MAX_SERVICES_PER_EXCEPTION,
  MAX_TAMPER_DETAIL_LENGTH,
} from './limits.ts';

/**
 * The payload of each event type. All objects are strict: a field this schema
 * does not name is refused rather than passed along, so a URL, a window title
 * or anything else a student did cannot slip into the log by way of an extra
 * property (AVG: privacy by design).
 */

// ---------------------------------------------------------------- exceptions

/** What an exception (a teacher's grant) allows. */
export const AllowedSchema = z.strictObject({
  categories: z.array(CategorySchema).max(CATEGORIES.length),
  services: z.array(ServiceId).max(MAX_SERVICES_PER_EXCEPTION),
  capture: z.array(CaptureKindSchema).max(CAPTURE_KINDS.length),
}).refine((a) => a.categories.length + a.services.length + a.capture.length > 0, {
  message: 'an exception must allow at least one category, service or capture kind',
});

const exceptionFields = {
  grantId: GrantId,
  /**
   * The exception articles the grant was honoured under (III.A.1 for social
   * media, III.A.3 for recordings); one grant can lift rules of both.
   */
  articles: z.array(Article).min(1, 'name at least one article').max(MAX_ARTICLES_PER_EXCEPTION),
  allowed: AllowedSchema,
  /** The lesson the grant is for; null for a grant over a time window. */
  lesson: LessonRef.nullable(),
};

export const ExceptionAppliedPayload = z.strictObject({
  ...exceptionFields,
  /** When the exception ends unless it is revoked first. */
  until: Instant,
});
export const ExceptionExpiredPayload = z.strictObject(exceptionFields);
export const ExceptionRevokedPayload = z.strictObject(exceptionFields);

// ---------------------------------------------------------------- blocks

/**
 * Shared by every block event. Repeated blocks of the same thing are
 * coalesced into one event: `count` blocks, the first at the event's
 * `occurredAt`, the last at `lastOccurredAt`.
 */
const blockFields = {
  rule: RuleId,
  article: Article,
  /** The lesson that put the rule in force; null for a school-premises rule. */
  lesson: LessonRef.nullable(),
  count: z.number().int('must be a whole number').min(1, 'at least 1').max(MAX_BLOCK_COUNT),
  lastOccurredAt: Instant,
};

/** An app was closed or prevented from starting. */
export const AppBlockedPayload = z.strictObject({
  service: ServiceId,
  category: CategorySchema,
  os: OsSchema,
  ...blockFields,
});

/** A site was blocked. Deliberately no URL, page title or domain: the service id says enough. */
export const SiteBlockedPayload = z.strictObject({
  service: ServiceId,
  category: CategorySchema,
  ...blockFields,
});

/** The camera, microphone or screen capture was refused. */
export const CaptureBlockedPayload = z.strictObject({
  capture: CaptureKindSchema,
  ...blockFields,
});

// ---------------------------------------------------------------- enforcement

/**
 * Why enforcement started or stopped. An open list; known values:
 * started: lesson-started, online-lesson-started, school-premises-entered,
 *   agent-started, policy-updated, exception-ended;
 * stopped: lesson-ended, lesson-cancelled, school-premises-left,
 *   agent-stopping, policy-not-in-force, exception-applied.
 */
export const KNOWN_ENFORCEMENT_REASONS = [
  'lesson-started', 'online-lesson-started', 'school-premises-entered', 'agent-started', 'policy-updated', 'exception-ended',
  'lesson-ended', 'lesson-cancelled', 'school-premises-left', 'agent-stopping', 'policy-not-in-force', 'exception-applied',
] as const;

export const EnforcementPayload = z.strictObject({
  reason: OpenToken,
  lesson: LessonRef.nullable(),
});

// ---------------------------------------------------------------- tamper

/**
 * What kind of tampering the agent noticed. An open list (a newer agent may
 * notice more); known values below.
 */
export const KNOWN_TAMPER_KINDS = [
  'clock-jump',
  'policy-file-removed',
  'bad-signature',
  'agent-killed',
  'store-corrupt',
  'service-disabled',
  'hosts-file-changed',
  'proxy-changed',
  'guard-failure',
  'control-flood',
] as const;

export const TamperPayload = z.strictObject({
  kind: OpenToken,
  /**
   * What the agent saw, in its own words ("clock moved back 3 h 12 min").
   * Agent-generated only: never a student's text, a file path under a home
   * folder, or a URL.
   */
  detail: z.string()
    .max(MAX_TAMPER_DETAIL_LENGTH, `at most ${MAX_TAMPER_DETAIL_LENGTH} characters`)
    .regex(/^[^\p{Cc}]*$/u, 'must not contain control characters (newlines, tabs, NUL)')
    .refine((d) => !/[a-z][a-z0-9+.-]*:\/\//i.test(d), { message: 'must not contain a URL (privacy: no browsing data in events)' }),
});
