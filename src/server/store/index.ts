/**
 * The school server's store: one interface (ServerStore), two
 * implementations with the same behaviour — SQLite in the data folder by
 * default, PostgreSQL when a database URL is given.
 */
import { join } from 'node:path';
import { PostgresServerStore } from './postgres/postgres-server-store.ts';
import type { ServerStore } from './server-store.ts';
import { SqliteServerStore } from './sqlite/sqlite-server-store.ts';

export type { ServerStore } from './server-store.ts';
export type * from './types.ts';
export { CONSENT_GIVERS, EXCEPTION_STATUSES, IDEMPOTENCY_WINDOW_MS, USER_ROLES } from './types.ts';
export { SERVER_STORE_ERROR_CODES, ServerStoreError, type ServerStoreErrorCode } from './errors.ts';
export {
  DEFAULT_EVENT_RETENTION_DAYS, DEFAULT_EXCEPTION_RETENTION_DAYS, MAX_PAGE_SIZE, MAX_RETENTION_DAYS, MIN_EVENT_RETENTION_DAYS, MIN_EXCEPTION_RETENTION_DAYS,
} from './inputs.ts';
export { DEFAULT_CONTACT_GAP_MS } from './sql-server-store.ts';
export { SqliteServerStore, SQLITE_BUSY_TIMEOUT_MS, type SqliteStoreOptions } from './sqlite/sqlite-server-store.ts';
export { PostgresServerStore, redactedUrl, type PostgresStoreOptions } from './postgres/postgres-server-store.ts';

/** The file the SQLite store keeps in the server's data folder. */
export const SQLITE_FILE_NAME = 'lesmodus-server.db';

/** What `lesmodus server` opens: PostgreSQL when --database-url is given, else SQLite in --data-dir. */
export async function openServerStore(options: { readonly dataDir: string; readonly databaseUrl?: string | undefined }): Promise<ServerStore> {
  if (options.databaseUrl !== undefined) return PostgresServerStore.open({ url: options.databaseUrl });
  return SqliteServerStore.open({ path: join(options.dataDir, SQLITE_FILE_NAME) });
}
