import type { FieldIssue } from '../../core/events/parse.ts';

/**
 * What went wrong, for the API layer to turn into a status code:
 * - `cannot-open`: the database could not be opened or reached (file, URL, credentials);
 * - `newer-schema`: the database was migrated by a newer Lesmodus; nothing was changed;
 * - `foreign-database`: a SQLite file of another program; nothing was changed;
 * - `invalid-input`: refused input (by field in `issues`); nothing was written;
 * - `not-found`: a record the call refers to does not exist (a device, a school);
 * - `conflict`: a record with this key exists already with other content;
 * - `revoked`: the laptop (its serial number) was revoked by the school; an admin must restore it;
 * - `clock-ahead`: the server's clock is far past everything stored, so it is not trusted to delete by age;
 * - `closed`: the store was used after close().
 */
export const SERVER_STORE_ERROR_CODES = [
  'cannot-open',
  'newer-schema',
  'foreign-database',
  'invalid-input',
  'not-found',
  'conflict',
  'revoked',
  'clock-ahead',
  'closed',
] as const;
export type ServerStoreErrorCode = (typeof SERVER_STORE_ERROR_CODES)[number];

export class ServerStoreError extends Error {
  readonly code: ServerStoreErrorCode;
  /** For refused input: what is wrong, by field. Empty otherwise. */
  readonly issues: readonly FieldIssue[];

  constructor(code: ServerStoreErrorCode, message: string, options: { issues?: readonly FieldIssue[]; cause?: unknown } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'ServerStoreError';
    this.code = code;
    this.issues = options.issues ?? [];
  }
}
