import cron from 'node-cron';
import type { Logger } from '../http/logger.ts';
import {
  DEFAULT_EVENT_RETENTION_DAYS, DEFAULT_EXCEPTION_RETENTION_DAYS, type PruneCounts, type RetentionPolicy, type ServerStore,
} from '../store/index.ts';

/**
 * Retention on the running server: "log the minimum; retention is enforced".
 * The store prunes once when the server starts and every night after, so
 * nothing outlives its retention period by more than a day.
 */

export const DEFAULT_RETENTION: RetentionPolicy = {
  eventDays: DEFAULT_EVENT_RETENTION_DAYS,
  exceptionDays: DEFAULT_EXCEPTION_RETENTION_DAYS,
};

/** Once a night (server's local time), when no lessons run and laptops are off. */
export const SERVER_RETENTION_CRON = '41 3 * * *';

export const PRUNE_KINDS: readonly { readonly key: keyof PruneCounts; readonly label: string }[] = [
  { key: 'deviceEvents', label: 'device events' },
  { key: 'contactIntervals', label: 'device contact intervals' },
  { key: 'exceptions', label: 'exceptions' },
  { key: 'auditEntries', label: 'audit log entries' },
  { key: 'sessions', label: 'expired sessions' },
  { key: 'consents', label: 'consents (school year ended)' },
  { key: 'idempotencyKeys', label: 'idempotency keys (older than 24 hours)' },
];

export interface RetentionSchedule {
  /** The prune at start; resolves (never rejects) when it is done. */
  readonly first: Promise<PruneCounts | null>;
  /** Stops the nightly prune and waits for one that is running. */
  stop(): Promise<void>;
}

/** Prunes now and nightly; failures are logged, never thrown (the server keeps serving, and tries again the next night). */
export function scheduleRetention(store: ServerStore, policy: RetentionPolicy, logger: Logger, clock: () => number = Date.now): RetentionSchedule {
  let running: Promise<PruneCounts | null> | null = null;
  const prune = (): Promise<PruneCounts | null> => {
    if (running !== null) return running;
    const started = clock();
    running = store.pruneExpired(policy, started).then((counts) => {
      logger.info('retention: pruned', { ...counts, eventDays: policy.eventDays, exceptionDays: policy.exceptionDays, ms: clock() - started });
      return counts;
    }, (error: unknown) => {
      logger.warn('retention: prune failed', { error: String(error) });
      return null;
    }).finally(() => {
      running = null;
    });
    return running;
  };
  const first = prune();
  const nightly = cron.schedule(SERVER_RETENTION_CRON, async () => { await prune(); }, { name: 'lesmodus-server-retention' });
  return {
    first,
    async stop() {
      await nightly.stop();
      if (running !== null) await running;
    },
  };
}
