import { z } from 'zod';
import { GrantSchema } from '../../../core/grants/grant.ts';
import { LessonSchema } from '../../../core/timetable/lesson.ts';
import { Instant, Key } from './common.ts';

/**
 * What the server signs for devices. Each payload names its type and the one
 * device it is for, so a signature can never be reused as another kind of
 * payload or replayed to another laptop; the agent checks both before it
 * believes anything in it.
 */

export const DEVICE_GRANT_TYPE = 'lesmodus.device-grant.v1';
export const SCHEDULE_TYPE = 'lesmodus.schedule.v1';
/** The record of issue kept with every grant (what the leader's detail view shows was signed). */
export const ISSUED_GRANT_TYPE = 'lesmodus.issued-grant.v1';

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
  signedAt: Instant,
});
export type SchedulePayload = z.infer<typeof SchedulePayloadSchema>;

/** An Ed25519 signature (base64) over the canonical JSON of `payload`, by the key `keyId`. */
export function signedSchema<T extends z.ZodType>(payload: T) {
  return z.object({
    keyId: z.string(),
    signature: z.string(),
    payload,
  });
}

export const SignedDeviceGrantSchema = signedSchema(DeviceGrantPayloadSchema);
export const SignedScheduleSchema = signedSchema(SchedulePayloadSchema);
