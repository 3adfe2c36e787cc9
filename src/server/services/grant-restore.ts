import { verifyEnvelope } from '../../adapters/verify-signed.ts';
import type { Grant } from '../../core/grants/grant.ts';
import { DEVICE_GRANT_TYPE, DeviceGrantPayloadSchema, type DeviceGrantPayload } from '../../core/protocol/index.ts';
import { ServerStoreError, type Device, type GrantAudience, type GrantRecord, type NewGrantRecord } from '../store/index.ts';
import { audit, type Actor, type Services } from './service.ts';

/**
 * A laptop gives back the grants it holds after the server was restored from
 * a backup (it found out from its event push or heartbeat). Grants issued after the backup
 * are gone from the server; the laptop holds each as the server signed it for
 * that laptop, with issuer, reason, scope, what it allowed and its articles.
 * The server believes an envelope only by its own signature, only for the
 * laptop that gives it back and only for that laptop's school, and keeps a
 * grant it lost once (the leaders' log shows it again: who allowed what, when
 * and why, III.A.3). Every grant restored is audited, under the laptop.
 */

export type RestoreStatus = 'restored' | 'known' | 'refused';

export interface RestoreOutcome {
  readonly index: number;
  readonly grantId: string | null;
  readonly status: RestoreStatus;
  readonly reason?: string;
}

/** Who acts when a laptop gives a grant back: the laptop itself. */
export function deviceActor(device: Device): Actor {
  return { username: `device:${device.id}` };
}

function grantIdOf(input: unknown): string | null {
  const id = (input as { payload?: { grant?: { id?: unknown } } } | null)?.payload?.grant?.id;
  return typeof id === 'string' ? id.slice(0, 128) : null;
}

/** Grants signed before the audience was part of the device grant: the laptop that held it is the one sure reach. */
function audienceOf(payload: DeviceGrantPayload, device: Device): GrantAudience {
  return payload.audience ?? { kind: 'device', deviceId: device.id };
}

/**
 * Stores the grant as issued (the same insert as a new grant). A lesson or
 * student the restored server no longer has would refuse the audience; then
 * the grant is kept for this laptop, so its record is not lost.
 */
async function insertOnce(services: Services, record: NewGrantRecord, device: Device, at: number): Promise<GrantRecord | null> {
  try {
    return (await services.store.createGrant(record, at)).record;
  } catch (error) {
    // Another laptop gave the same grant back a moment ago (its envelope differs: signed for that laptop). On
    // PostgreSQL a racing insert of the same id fails in the database itself rather than as the store's 'conflict'.
    if (!(error instanceof ServerStoreError) || error.code === 'conflict') {
      if ((await services.store.grant(record.grant.id)) !== null) return null;
      throw error;
    }
    if (error.code !== 'not-found' || record.audience.kind === 'device') throw error;
    return (await services.store.createGrant({ ...record, audience: { kind: 'device', deviceId: device.id } }, at)).record;
  }
}

async function restoreOne(services: Services, device: Device, input: unknown, publicKeyPem: string, at: number): Promise<Omit<RestoreOutcome, 'index'>> {
  const grantId = grantIdOf(input);
  const verified = verifyEnvelope(input, DeviceGrantPayloadSchema, DEVICE_GRANT_TYPE, { publicKeyPem, deviceId: device.id });
  if (!verified.ok) return { grantId, status: 'refused', reason: `${verified.reason}: ${verified.detail}` };
  const { payload } = verified.signed;
  if (payload.schoolId !== device.schoolId) return { grantId, status: 'refused', reason: 'other-school: signed for a school this laptop is not in' };
  const { revokedAt, ...issued } = payload.grant;
  const grant: Grant = issued;
  let record = await services.store.grant(grant.id);
  let known = record !== null;
  if (record === null) {
    // Verbatim, payload unparsed: what this server signed, and what the leader's detail view shows.
    const signed = JSON.stringify({ keyId: verified.signed.keyId, signature: verified.signed.signature, payload: (input as { payload: unknown }).payload });
    record = await insertOnce(services, { schoolId: payload.schoolId, grant, signed, articles: payload.articles, audience: audienceOf(payload, device) }, device, at);
  }
  if (record === null) {
    // Another laptop's copy won the race: known now, and this laptop's revocation and applied events still count.
    known = true;
    record = (await services.store.grant(grant.id))!;
  } else if (!known) {
    await audit(services, deviceActor(device), at, {
      action: 'restore-grant', subject: { kind: 'exception', id: grant.id }, schoolId: payload.schoolId,
      detail: `given back by laptop ${device.hostname} (${device.id}) after a server restore; issued by ${grant.issuedBy.username} `
        + `at ${new Date(grant.issuedAt).toISOString()}`,
    });
  }
  // A revocation made after the backup is lost too: the laptop's envelope carries it (who revoked is not in it).
  if (revokedAt !== undefined && record.revokedAt === null) {
    await services.store.revokeGrant(grant.id, { at: revokedAt, by: null });
    await audit(services, deviceActor(device), at, {
      action: 'restore-grant-revocation', subject: { kind: 'exception', id: grant.id }, schoolId: payload.schoolId,
      detail: `revoked at ${new Date(revokedAt).toISOString()}; given back by laptop ${device.hostname} (${device.id}) after a server restore`,
    });
  }
  // The laptops' exception.applied events for it came back before the grant did: count them now. A known grant's
  // were counted when it was restored; each laptop that gives it back again heals only its own (after a crash in between),
  // so a class of laptops costs one count each rather than one per laptop per laptop.
  await services.store.acknowledgeFromEvents(grant.id, known ? device.id : undefined);
  // Laptops it reaches that never got it learn of it now (an expired one they would only refuse).
  if (!known && record.grant.expiresAt > at) services.laptops.publish({ kind: revokedAt === undefined ? 'grant' : 'revocation', record: (await services.store.grant(grant.id))! });
  return { grantId: grant.id, status: known ? 'known' : 'restored' };
}

/** One outcome per envelope, in order; a refused one changes nothing. */
export async function restoreGrants(services: Services, device: Device, envelopes: readonly unknown[], publicKeyPem: string, at: number): Promise<RestoreOutcome[]> {
  const outcomes: RestoreOutcome[] = [];
  for (const [index, input] of envelopes.entries()) outcomes.push({ index, ...(await restoreOne(services, device, input, publicKeyPem, at)) });
  return outcomes;
}
