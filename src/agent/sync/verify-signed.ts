import { catalogSha256 } from '../../adapters/catalog-digest.ts';
import { reject, verifyEnvelope, type Verified } from '../../adapters/verify-signed.ts';
import {
  CATALOG_TYPE,
  CatalogPayloadSchema,
  DEVICE_GRANT_TYPE,
  DeviceGrantPayloadSchema,
  SCHEDULE_TYPE,
  SchedulePayloadSchema,
  type CatalogPayload,
  type DeviceGrantPayload,
  type SchedulePayload,
} from '../../core/protocol/index.ts';

/**
 * The agent's checks before it believes anything the server signed for it
 * (the payloads are the device API's, src/core/protocol): the pinned key's
 * signature, the payload type, this device's id (adapters/verify-signed.ts),
 * and not expired.
 */

export type { Rejection, Verified } from '../../adapters/verify-signed.ts';

export interface VerifyContext {
  readonly publicKeyPem: string;
  readonly deviceId: string;
  readonly now: number;
}

/** A grant (or a revocation: the same payload with `grant.revokedAt`) for this device that has not expired. */
export function verifyDeviceGrant(input: unknown, context: VerifyContext): Verified<DeviceGrantPayload> {
  const result = verifyEnvelope(input, DeviceGrantPayloadSchema, DEVICE_GRANT_TYPE, context);
  if (!result.ok) return result;
  const { grant } = result.signed.payload;
  if (grant.expiresAt <= context.now) return reject('expired', `grant ${grant.id.slice(0, 64)} expired at ${new Date(grant.expiresAt).toISOString()}`);
  return result;
}

/** A schedule for this device whose period has not ended. */
export function verifySchedule(input: unknown, context: VerifyContext): Verified<SchedulePayload> {
  const result = verifyEnvelope(input, SchedulePayloadSchema, SCHEDULE_TYPE, context);
  if (!result.ok) return result;
  const { to } = result.signed.payload;
  if (to <= context.now) return reject('expired', `schedule ended at ${new Date(to).toISOString()}`);
  return result;
}

/**
 * The school's catalog, for every laptop of the server: the pinned key's
 * signature, and the SHA-256 it states is that of the catalog exactly as
 * received (so the name the schedule gave is the content in hand).
 */
export function verifyCatalog(input: unknown, context: Pick<VerifyContext, 'publicKeyPem' | 'now'>): Verified<CatalogPayload> {
  const result = verifyEnvelope(input, CatalogPayloadSchema, CATALOG_TYPE, { ...context, deviceId: null });
  if (!result.ok) return result;
  const received = ((input as { payload: { catalog: unknown } }).payload).catalog;
  if (catalogSha256(received) !== result.signed.payload.sha256) return reject('malformed', `${CATALOG_TYPE}: the catalog is not the one its sha256 names`);
  return result;
}
