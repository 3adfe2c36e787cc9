import { z } from 'zod';
import { catalogSha256 } from '../../adapters/catalog-digest.ts';
import { verifySignature, type Signed } from '../../adapters/signing.ts';
import {
  CATALOG_TYPE,
  CatalogPayloadSchema,
  DEVICE_GRANT_TYPE,
  DeviceGrantPayloadSchema,
  SCHEDULE_TYPE,
  SchedulePayloadSchema,
  SignedEnvelopeSchema,
  type CatalogPayload,
  type DeviceGrantPayload,
  type SchedulePayload,
} from '../../core/protocol/index.ts';

/**
 * The agent's checks before it believes anything the server signed for it
 * (the payloads are the device API's, src/core/protocol): the pinned key's
 * signature, the payload type, this device's id, and not expired.
 */

export type Rejection = 'malformed' | 'bad-signature' | 'wrong-type' | 'other-device' | 'expired' | 'rollback';

export type Verified<T> = { readonly ok: true; readonly signed: Signed<T> } | { readonly ok: false; readonly reason: Rejection; readonly detail: string };

export interface VerifyContext {
  readonly publicKeyPem: string;
  readonly deviceId: string;
  readonly now: number;
}

function reject(reason: Rejection, detail: string): Verified<never> {
  return { ok: false, reason, detail };
}

/**
 * The signature is checked over the payload exactly as received, before the
 * schema parses it (parsing fills defaults and would change what was signed).
 */
function verifyEnvelope<S extends z.ZodType>(input: unknown, schema: S, type: string, context: Omit<VerifyContext, 'deviceId'> & { deviceId: string | null }): Verified<z.infer<S>> {
  const envelope = SignedEnvelopeSchema.safeParse(input);
  if (!envelope.success) return reject('malformed', `not a signed ${type} envelope`);
  const signed = envelope.data as Signed<unknown>;
  if (!verifySignature(signed, context.publicKeyPem)) return reject('bad-signature', `${type}: signature is not the pinned server key's`);
  const claimed = (signed.payload as { type?: unknown } | null)?.type;
  if (claimed !== type) return reject('wrong-type', `expected a ${type}, got ${typeof claimed === 'string' ? claimed.slice(0, 64) : typeof claimed}`);
  const payload = schema.safeParse(signed.payload);
  if (!payload.success) return reject('malformed', `${type}: signed but not valid (${payload.error.issues[0]?.message ?? 'unknown'})`);
  const deviceId = (payload.data as { deviceId: string }).deviceId;
  // A catalog is signed for every laptop of the server (context.deviceId null): nothing to compare.
  if (context.deviceId !== null && deviceId !== context.deviceId) return reject('other-device', `${type} signed for device ${deviceId.slice(0, 64)}, not this one`);
  return { ok: true, signed: { keyId: signed.keyId, signature: signed.signature, payload: payload.data } };
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
