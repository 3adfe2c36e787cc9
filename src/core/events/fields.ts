import { z } from 'zod';
import {
  MAX_ARTICLE_LENGTH,
  MAX_GRANT_ID_LENGTH,
  MAX_ID_LENGTH,
  MAX_LESSON_UID_LENGTH,
  MAX_POLICY_VERSION_LENGTH,
} from './limits.ts';

/**
 * The building blocks of event payloads. Every string is bounded and free of
 * control characters, so an event can be shown in a dashboard or a CSV export
 * without escaping surprises.
 */

const NO_CONTROL_CHARACTERS = /^[^\p{Cc}]*$/u;

/** A non-empty label written by the agent or the server (never typed by a student). */
export function label(max: number) {
  return z.string()
    .min(1, 'must not be empty')
    .max(max, `at most ${max} characters`)
    .regex(NO_CONTROL_CHARACTERS, 'must not contain control characters (newlines, tabs, NUL)');
}

/** Epoch milliseconds. Negative instants (before 1970) never occur on a device. */
export const Instant = z.number().int('must be whole epoch milliseconds').nonnegative('must not be before 1970');

/** Catalog service ids, e.g. "instagram" (same shape as the catalog's entry ids). */
export const ServiceId = z.string()
  .max(MAX_ID_LENGTH, `at most ${MAX_ID_LENGTH} characters`)
  .regex(/^[a-z0-9]+(-[a-z0-9]+)*$/, 'a service id is kebab-case, e.g. "tiktok" or "windows-camera"');

/** Policy rule ids, e.g. "social-media-in-lessons" (same shape as the policy schema's rule ids). */
export const RuleId = z.string()
  .min(1, 'must not be empty')
  .max(MAX_ID_LENGTH, `at most ${MAX_ID_LENGTH} characters`)
  .regex(/^[a-z0-9-]+$/, 'a rule id uses lowercase letters, digits and dashes');

/** The article of the code of conduct a rule or exception rests on, e.g. "III.A.1". */
export const Article = label(MAX_ARTICLE_LENGTH);

export const GrantId = label(MAX_GRANT_ID_LENGTH);

export const PolicyVersion = label(MAX_POLICY_VERSION_LENGTH);

/**
 * A value from an open list, such as a tamper kind: kebab-case, so that a
 * newer agent can report a kind this server version does not know yet without
 * the whole batch being refused. The known values are documented next to each
 * use.
 */
export const OpenToken = z.string()
  .max(MAX_ID_LENGTH, `at most ${MAX_ID_LENGTH} characters`)
  .regex(/^[a-z0-9]+(-[a-z0-9]+)*$/, 'use kebab-case, e.g. "clock-jump"');

/**
 * Which lesson occurrence an event happened in: a recurring lesson's UID plus
 * the occurrence's start identify it (as in grants). Subject, groups and
 * teachers are left out on purpose: the server has the timetable.
 */
export const LessonRef = z.strictObject({
  uid: z.string().min(1, 'must not be empty').max(MAX_LESSON_UID_LENGTH, `at most ${MAX_LESSON_UID_LENGTH} characters`),
  start: Instant,
});
export type LessonRef = z.infer<typeof LessonRef>;
