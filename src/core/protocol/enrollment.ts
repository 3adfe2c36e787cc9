import { z } from 'zod';
import { OsSchema } from '../categories.ts';
import { Key, Label, text } from './fields.ts';

/** A laptop joins the school: what it says about itself, the MDM secret, and the credential it gets back. */

export const DeviceReportSchema = z.strictObject({
  hostname: Label,
  serial: Label.nullable().default(null),
  os: OsSchema,
  agentVersion: text(64),
  /** The student's login name on the laptop, when one is logged in. */
  loginName: Key.nullable().default(null),
});
export type DeviceReport = z.input<typeof DeviceReportSchema>;

export const EnrollBody = DeviceReportSchema.extend({
  /** The secret MDM put on the laptop (lesmodus server enroll-secret). */
  enrollmentSecret: text(256),
  /**
   * A random key the laptop made and saved before its first try: the device id
   * is derived from it, so a retry after a lost answer is the same device (with
   * a new credential) rather than a second one that never reports.
   */
  enrollmentKey: z.string().regex(/^[A-Za-z0-9_-]{43,128}$/, 'must be 43 to 128 base64url characters (32 random bytes or more)').optional(),
});

export const EnrolledSchema = z.object({
  deviceId: z.string().min(1),
  /** Keep it secret (owner-only file or the OS keychain); send it as "Authorization: Bearer …". Shown once. */
  credential: z.string().min(1),
  schoolId: z.string().nullable(),
  studentId: z.string().nullable(),
  /** Which server key signs schedules and grants; the key itself comes from MDM, never from this answer. */
  keyId: z.string(),
});
