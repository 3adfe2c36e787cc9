import { z } from 'zod';
import { GrantSchema } from '../grants/grant.ts';
import { LessonSchema } from '../timetable/lesson.ts';

/**
 * What the server signs for one device, shared by the server (which signs)
 * and the agent (which verifies). Each payload names its type and the one
 * device it is for, so a signature can never be reused as another kind of
 * payload or replayed to another laptop.
 */

export const DEVICE_GRANT_TYPE = 'lesmodus.device-grant.v1';
export const SCHEDULE_TYPE = 'lesmodus.schedule.v1';

const Instant = z.number().int('must be whole epoch milliseconds').nonnegative('must not be before 1970');
const Key = z.string().min(1, 'must not be empty').max(128, 'at most 128 characters').regex(/^[^\p{Cc}]*$/u, 'must not contain control characters');

export const DeviceGrantPayloadSchema = z.object({
  type: z.literal(DEVICE_GRANT_TYPE),
  deviceId: Key,
  schoolId: Key,
  /** The grant as issued; `revokedAt` is set once it was revoked. */
  grant: GrantSchema,
  /** The articles the exception rests on (III.A.1, III.A.3). */
  articles: z.array(z.string()),
  signedAt: Instant,
});
export type DeviceGrantPayload = z.infer<typeof DeviceGrantPayloadSchema>;

/**
 * A consent the student (16+) or their parents gave for a school year (art.
 * III.B.9), as the interval it holds: an exception under a rule that needs
 * it lifts that rule only while one covers the moment.
 */
export const ConsentIntervalSchema = z.object({
  /** Which register, as the policy names it ("social-media"). */
  register: Key,
  from: Instant,
  to: Instant,
});
export type ConsentInterval = z.infer<typeof ConsentIntervalSchema>;

export const SchedulePayloadSchema = z.object({
  type: z.literal(SCHEDULE_TYPE),
  deviceId: Key,
  schoolId: Key.nullable(),
  studentId: Key.nullable(),
  timeZone: z.string(),
  /** The lessons overlapping [from, to): the next 14 days. */
  from: Instant,
  to: Instant,
  lessons: z.array(LessonSchema),
  /**
   * The student's registered consents overlapping [from, to). Absent from a
   * server that keeps no consent register: then nothing is checked on the
   * device. Present and empty: the student has none.
   */
  consents: z.array(ConsentIntervalSchema).max(100).optional(),
  signedAt: Instant,
});
export type SchedulePayload = z.infer<typeof SchedulePayloadSchema>;
