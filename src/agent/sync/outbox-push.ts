import type { z } from 'zod';
import { DEVICE_PATHS, IngestReplySchema, type EventsBody } from '../../core/protocol/index.ts';
import type { Logger } from '../runtime/logger.ts';
import { MAX_OUTBOX_BATCH, type DeviceStore } from '../store/index.ts';
import { SyncError, type ServerClient } from './server-client.ts';

/**
 * Sends the outbox to the server in batches. The store is the queue: an
 * event leaves it only when the server said it holds it (accepted now, or a
 * duplicate of one it accepted before), so a crash or a lost answer at any
 * point means sending again, which the server's dedup by event id absorbs.
 */

export interface PushResult {
  /** Events the server now holds (accepted or duplicate) that were marked synced. */
  readonly synced: number;
  /** Events the server refused as invalid: they stay in the outbox, and are logged. */
  readonly rejected: number;
}

export interface PushDeps {
  readonly store: DeviceStore;
  readonly client: ServerClient;
  readonly credential: string;
  readonly log: Logger;
  readonly batchSize?: number;
  readonly signal?: AbortSignal;
}

/** Drains the outbox once; throws a SyncError on the first failed batch (what was synced before it stays synced). */
export async function pushOutbox(deps: PushDeps): Promise<PushResult> {
  const { store, client, credential, log } = deps;
  const limit = Math.min(deps.batchSize ?? MAX_OUTBOX_BATCH, MAX_OUTBOX_BATCH);
  let afterSeq = 0;
  let synced = 0;
  let rejected = 0;
  // What the server acknowledged before: if it now says it holds less, it was restored from a backup.
  let acknowledged: number | null = store.highestSyncedSeq();
  for (;;) {
    const batch = store.outboxBatch(limit, afterSeq);
    if (batch.length === 0) return { synced, rejected };
    const reply = await client.request({
      method: 'POST', path: DEVICE_PATHS.events, credential, body: { events: batch } satisfies z.input<typeof EventsBody>, reply: IngestReplySchema,
      ...(deps.signal ? { signal: deps.signal } : {}),
    });
    // Believe an outcome only for the event at its index with the same id: an answer about other ids is garbage.
    const held: string[] = [];
    for (const outcome of reply.outcomes) {
      const event = batch[outcome.index];
      if (event === undefined || outcome.id !== event.id) throw new SyncError(`${DEVICE_PATHS.events}: the answer names events that were not sent`, { retryable: true });
      if (outcome.status === 'rejected') {
        rejected += 1;
        log.error(`sync: the server refused event ${event.id} (${event.type}): ${outcome.issues?.map((i) => `${i.path}: ${i.message}`).join('; ') ?? 'no reason given'}`);
      } else {
        held.push(event.id);
      }
    }
    synced += store.markSynced(held);
    afterSeq = batch[batch.length - 1]!.seq;
    store.resentThrough(afterSeq);
    const serverHad = reply.previousLastEventSeq;
    if (acknowledged !== null && serverHad !== undefined && (serverHad ?? 0) < acknowledged) {
      const waiting = store.resendAfter(serverHad ?? 0);
      log.warn(`sync: the school server holds this laptop's events only up to #${serverHad ?? 0}, though it acknowledged up to #${acknowledged} `
        + `(restored from a backup?); sending the ${waiting} it lacks again`);
      afterSeq = serverHad ?? 0;
    }
    // Checked once per push: the first answer tells.
    acknowledged = null;
  }
}
