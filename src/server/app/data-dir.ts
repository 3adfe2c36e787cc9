import { mkdir } from 'node:fs/promises';
import { join, resolve } from 'node:path';

/**
 * The server's data folder: its signing key, the enrollment secrets, and
 * (with SQLite) the database. Everything in it is secret or private, so the
 * folder is owner-only.
 */

/**
 * Without --data-dir or LESMODUS_DATA_DIR, a folder next to where the server
 * is started: obvious to find, and never a system path that needs root.
 */
export const DEFAULT_DATA_DIR = 'lesmodus-data';
export const DATA_DIR_VARIABLE = 'LESMODUS_DATA_DIR';
export const DATABASE_URL_VARIABLE = 'LESMODUS_DATABASE_URL';

export interface DataDir {
  readonly root: string;
  readonly privateKey: string;
  readonly publicKey: string;
  readonly enrollmentSecrets: string;
}

export function dataDirAt(root: string): DataDir {
  const absolute = resolve(root);
  return {
    root: absolute,
    privateKey: join(absolute, 'server-signing-key.pem'),
    publicKey: join(absolute, 'server-signing-key.pub.pem'),
    enrollmentSecrets: join(absolute, 'enrollment-secrets.json'),
  };
}

/** --data-dir, else $LESMODUS_DATA_DIR, else ./lesmodus-data. */
export function chooseDataDir(option: string | undefined, env: NodeJS.ProcessEnv = process.env): DataDir {
  return dataDirAt(option ?? env[DATA_DIR_VARIABLE] ?? DEFAULT_DATA_DIR);
}

/** --database-url, else $LESMODUS_DATABASE_URL (keeps the password out of shell history), else SQLite. */
export function chooseDatabaseUrl(option: string | undefined, env: NodeJS.ProcessEnv = process.env): string | undefined {
  const url = option ?? env[DATABASE_URL_VARIABLE];
  return url === '' ? undefined : url;
}

export async function ensureDataDir(dir: DataDir): Promise<void> {
  await mkdir(dir.root, { recursive: true, mode: 0o700 });
}
