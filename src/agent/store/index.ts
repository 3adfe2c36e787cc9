/**
 * The device store: the agent's local SQLite file with the append-only event
 * log and its outbox, the cached timetable and the teachers' grants.
 */
export { openDeviceStore, type DeviceStoreOptions } from './device-store.ts';
export { DEVICE_STORE_ERROR_CODES, DeviceStoreError, type DeviceStoreErrorCode } from './errors.ts';
export { BLOCK_COALESCE_WINDOW_MS } from './block-coalescer.ts';
export { MAX_OUTBOX_BATCH } from './event-log.ts';
export { BUSY_TIMEOUT_MS } from './open-database.ts';
export { LATEST_SCHEMA_VERSION } from './migrations.ts';
export type {
  AppendEventInput,
  BlockInput,
  DeviceStore,
  GrantIndex,
  GrantOffer,
  PutGrantResult,
  RecordBlockResult,
  ScheduleMeta,
  StoredGrant,
} from './types.ts';
