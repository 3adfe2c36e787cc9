import type { FieldIssue } from '../../core/events/parse.ts';

/**
 * What went wrong, for code that reacts to it:
 * - `cannot-open`: the file could not be opened or created (missing folder, permissions, locked too long);
 * - `corrupt`: not a SQLite database, or a damaged one; left untouched;
 * - `newer-schema`: written by a newer Lesmodus; left untouched;
 * - `foreign-database`: a SQLite database of some other program; left untouched;
 * - `invalid-event` / `invalid-schedule` / `invalid-grant`: input refused, nothing written;
 * - `grant-conflict`: a grant id already stored with different content;
 * - `closed`: the store was used after close().
 */
export const DEVICE_STORE_ERROR_CODES = [
  'cannot-open',
  'corrupt',
  'newer-schema',
  'foreign-database',
  'invalid-event',
  'invalid-schedule',
  'invalid-grant',
  'grant-conflict',
  'closed',
] as const;
export type DeviceStoreErrorCode = (typeof DEVICE_STORE_ERROR_CODES)[number];

export class DeviceStoreError extends Error {
  readonly code: DeviceStoreErrorCode;
  /** The store file the error is about. */
  readonly path: string;
  /** For refused input: what is wrong, by field. Empty otherwise. */
  readonly issues: readonly FieldIssue[];

  constructor(code: DeviceStoreErrorCode, path: string, message: string, options: { issues?: readonly FieldIssue[]; cause?: unknown } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'DeviceStoreError';
    this.code = code;
    this.path = path;
    this.issues = options.issues ?? [];
  }
}

/** The SQLite result code of a better-sqlite3 error ("SQLITE_NOTADB"), if it is one. */
export function sqliteCodeOf(error: unknown): string | undefined {
  if (error instanceof Error && 'code' in error && typeof error.code === 'string' && error.code.startsWith('SQLITE_')) return error.code;
  return undefined;
}
