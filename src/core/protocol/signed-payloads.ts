import { z } from 'zod';
import { CatalogSchema } from '../catalog/schema.ts';
import { GrantSchema } from '../grants/grant.ts';
import { LessonSchema } from '../timetable/lesson.ts';
import { GrantAudienceSchema } from './audience.ts';
import { Instant, Key } from './fields.ts';

/**
 * What the server signs for one device, shared by the server (which signs)
 * and the agent (which verifies). Each payload names its type and the one
 * device it is for, so a signature can never be reused as another kind of
 * payload or replayed to another laptop.
 */

export const DEVICE_GRANT_TYPE = 'lesmodus.device-grant.v1';
export const SCHEDULE_TYPE = 'lesmodus.schedule.v1';
/** The school's app and site catalog: the same for every laptop of the server, so signed once, for no one device. */
export const CATALOG_TYPE = 'lesmodus.catalog.v1';


export const DeviceGrantPayloadSchema = z.object({
  type: z.literal(DEVICE_GRANT_TYPE),
  deviceId: Key,
  schoolId: Key,
  /** The grant as issued; `revokedAt` is set once it was revoked. */
  grant: GrantSchema,
  /** The articles the exception rests on (III.A.1, III.A.3). */
  articles: z.array(z.string()),
  /**
   * Whom the grant reaches (the laptop needs only its own grants; the server
   * reads it back when a laptop returns the grant to a server restored from a
   * backup). Absent from grants signed before it was added.
   */
  audience: GrantAudienceSchema.optional(),
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

/** Which catalog: its version (for people) and the SHA-256 of its canonical JSON (what decides). */
export const CatalogRefSchema = z.object({
  version: z.string().min(1).max(128),
  sha256: z.string().regex(/^[0-9a-f]{64}$/, 'a SHA-256 in lowercase hex'),
});
export type CatalogRef = z.infer<typeof CatalogRefSchema>;

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
  /**
   * The catalog the server hands out now (GET DEVICE_PATHS.catalog): a laptop
   * whose catalog has another sha256 fetches it. Absent from a server that
   * does not serve one.
   */
  catalog: CatalogRefSchema.optional(),
  signedAt: Instant,
});
export type SchedulePayload = z.infer<typeof SchedulePayloadSchema>;

/**
 * The effective catalog (the bundled one or IT's newer one, with the school's
 * own additions), signed by the server key. Not bound to a device: every
 * laptop of the server gets the same one; `signedAt` orders them, so a laptop
 * refuses one signed before the catalog it already uses (a replayed, older one).
 */
export const CatalogPayloadSchema = z.object({
  type: z.literal(CATALOG_TYPE),
  catalog: CatalogSchema,
  ...CatalogRefSchema.shape,
  signedAt: Instant,
}).refine((p) => p.catalog.version === p.version, { message: 'the version must be the catalog\'s own', path: ['version'] });
export type CatalogPayload = z.infer<typeof CatalogPayloadSchema>;

/**
 * An Ed25519 signature (base64) over the canonical JSON of `payload`, by the
 * key `keyId`. The device reads the envelope with `payload` unknown and
 * verifies the signature over the payload exactly as received, before any
 * schema parses it (parsing fills defaults and would change what was signed).
 */
export function signedSchema<T extends z.ZodType>(payload: T) {
  return z.object({
    keyId: z.string().min(1).max(64),
    signature: z.string().regex(/^[A-Za-z0-9+/]+={0,2}$/, 'a base64 signature').max(200),
    payload,
  });
}

export const SignedEnvelopeSchema = signedSchema(z.unknown());
export const SignedDeviceGrantSchema = signedSchema(DeviceGrantPayloadSchema);
export const SignedScheduleSchema = signedSchema(SchedulePayloadSchema);
export const SignedCatalogSchema = signedSchema(CatalogPayloadSchema);
