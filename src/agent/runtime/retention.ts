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

export function enforceRetention(store: DeviceStore, now: number, log: Logger): number {
  const pruned = store.pruneSyncedEvents(now - DEVICE_EVENT_RETENTION_DAYS * 86_400_000);
  if (pruned > 0) log.info(`retention: deleted ${pruned} synced events older than ${DEVICE_EVENT_RETENTION_DAYS} days`);
  return pruned;
}
