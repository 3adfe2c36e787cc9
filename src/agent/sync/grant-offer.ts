import type { z } from 'zod';
import { DEVICE_PATHS, GrantRestoreReplySchema, MAX_GRANTS_PER_RESTORE, type GrantRestoreBody } from '../../core/protocol/index.ts';
import type { Logger } from '../runtime/logger.ts';
import { DEVICE_EVENT_RETENTION_DAYS } from '../runtime/retention.ts';
import type { DeviceStore } from '../store/index.ts';
import { SyncError, type ServerClient } from './server-client.ts';

/**
 * Gives the grants this laptop holds back to a school server restored from a
 * backup (a push or heartbeat found it: the store then marks an offer due). The server
 * believes each by its own signature and keeps the ones it lost, so the
 * leaders' log shows again who allowed what, when and why (III.A.3). The
 * marker stays until the server answered for every grant: a failed call or a
 * killed agent means offering again, which the server absorbs ("known").
 */

/** Grants that ended within the laptop's event retention: the same reach back as the events it sends again. */
const OFFER_REACH_MS = DEVICE_EVENT_RETENTION_DAYS * 86_400_000;

export interface GrantOfferDeps {
  readonly store: DeviceStore;
  readonly client: ServerClient;
  readonly credential: string;
  readonly log: Logger;
  readonly now: () => number;
  readonly signal?: AbortSignal;
}

export interface GrantOfferResult {
  readonly offered: number;
  readonly restored: number;
  readonly refused: number;
}

/** Offers the due grants, if an offer is due (null when none is); throws a SyncError when a call fails (the offer stays due). */
export async function offerGrants(deps: GrantOfferDeps): Promise<GrantOfferResult | null> {
  const { store, client, credential, log } = deps;
  const offer = store.grantsToOffer(deps.now() - OFFER_REACH_MS);
  if (offer === null) return null;
  if (offer.envelopes.length === 0) {
    store.grantsOffered(offer.round);
    return { offered: 0, restored: 0, refused: 0 };
  }
  let restored = 0;
  let refused = 0;
  for (let start = 0; start < offer.envelopes.length; start += MAX_GRANTS_PER_RESTORE) {
    const grants = offer.envelopes.slice(start, start + MAX_GRANTS_PER_RESTORE).map((text) => JSON.parse(text) as unknown);
    let reply: z.infer<typeof GrantRestoreReplySchema>;
    try {
      reply = await client.request({
        method: 'POST', path: DEVICE_PATHS.grantsRestore, credential, body: { grants } satisfies z.input<typeof GrantRestoreBody>,
        reply: GrantRestoreReplySchema, ...(deps.signal ? { signal: deps.signal } : {}),
      });
    } catch (error) {
      // A server from before this call cannot take grants back: nothing to wait for.
      if (!(error instanceof SyncError && error.status === 404)) throw error;
      log.warn('sync: the school server cannot take grants back (it predates that call); the exceptions it lost stay out of its log');
      store.grantsOffered(offer.round);
      return { offered: start, restored, refused };
    }
    for (const outcome of reply.outcomes) {
      if (outcome.status === 'restored') restored += 1;
      if (outcome.status === 'refused') {
        refused += 1;
        log.warn(`sync: the school server refused grant ${outcome.grantId ?? `#${outcome.index}`} this laptop gave back: ${outcome.reason ?? 'no reason given'}`);
      }
    }
  }
  store.grantsOffered(offer.round);
  log.info(`sync: gave the school server back the ${offer.envelopes.length} grant(s) this laptop holds; it had lost ${restored}`);
  return { offered: offer.envelopes.length, restored, refused };
}
