import { z } from 'zod';
import {
  DEVICE_GRANT_TYPE,
  DeviceGrantPayloadSchema,
  SCHEDULE_TYPE,
  SchedulePayloadSchema,
  type DeviceGrantPayload,
  type SchedulePayload,
} from '../../../core/sync/signed-payloads.ts';
import { Instant, Key } from './common.ts';

/**
 * What the server signs for devices. Each payload names its type and the one
 * device it is for, so a signature can never be reused as another kind of
 * payload or replayed to another laptop; the agent checks both before it
 * believes anything in it.
 */

export { DEVICE_GRANT_TYPE, DeviceGrantPayloadSchema, SCHEDULE_TYPE, SchedulePayloadSchema, type DeviceGrantPayload, type SchedulePayload };
/** The record of issue kept with every grant (what the leader's detail view shows was signed). */
export const ISSUED_GRANT_TYPE = 'lesmodus.issued-grant.v1';

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
