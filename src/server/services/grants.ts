import type { GrantRecord } from '../store/index.ts';
import type { Actor, Services } from './service.ts';

/**
 * Revoking an exception: the store keeps who and when (the leader's log shows
 * it), and the laptops it reached are told at once. Revoking twice keeps the
 * first revocation and tells nobody again.
 */
export async function revokeGrant(services: Services, actor: Actor, record: GrantRecord, at: number): Promise<GrantRecord> {
  const already = record.revokedAt !== null;
  const revoked = (await services.store.revokeGrant(record.grant.id, { at, by: actor.username }))!;
  if (!already) services.laptops.publish({ kind: 'revocation', record: revoked });
  return revoked;
}
