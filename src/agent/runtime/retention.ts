import type { DeviceStore } from '../store/index.ts';
import type { Logger } from './logger.ts';

/**
 * How long the laptop keeps events the school server already holds. The
 * server's log is the record leaders use; the laptop's copy only serves
 * `lesmodus agent status` and support, so it is kept briefly (AVG: no longer
 * than needed). Events the server does not have yet are never deleted.
 */
export const DEVICE_EVENT_RETENTION_DAYS = 30;
/** Once a night, when laptops that are on are idle. */
export const RETENTION_CRON = '23 4 * * *';

const counted = (n: number, noun: string) => `${n} ${noun}${n === 1 ? '' : 's'}`;

/** Deletes what the laptop no longer needs; returns how many events it deleted. */
export function enforceRetention(store: DeviceStore, now: number, log: Logger): number {
  const before = now - DEVICE_EVENT_RETENTION_DAYS * 86_400_000;
  const pruned = store.pruneSyncedEvents(before);
  if (pruned > 0) log.info(`retention: deleted ${counted(pruned, 'synced event')} older than ${DEVICE_EVENT_RETENTION_DAYS} days`);
  // A grant names a teacher, a reason and whom it reached: kept as long as the events about it, no longer.
  const grants = store.pruneExpiredGrants(before);
  if (grants > 0) log.info(`retention: deleted ${counted(grants, 'exception')} that ended more than ${DEVICE_EVENT_RETENTION_DAYS} days ago`);
  return pruned;
}
