import { randomBytes } from 'node:crypto';
import { chmodSync, closeSync, fsyncSync, openSync, readFileSync, renameSync, rmSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';

/**
 * The device credential, in the data dir, readable by its owner only (the
 * desktop shell will move it to the OS keychain). Written to a temporary
 * file and renamed, so a crash mid-write never leaves half a credential.
 */

export const CREDENTIAL_FILE_NAME = 'device-credential.json';

export const DeviceCredentialSchema = z.object({
  deviceId: z.string().min(1),
  credential: z.string().min(1),
  /** The server this credential is for: a new server URL in MDM means enrolling again. */
  serverUrl: z.string(),
  enrolledAt: z.number().int(),
});
export type DeviceCredential = z.infer<typeof DeviceCredentialSchema>;

export function credentialPath(dataDir: string): string {
  return join(dataDir, CREDENTIAL_FILE_NAME);
}

/** The saved credential, or null when there is none (or it is unreadable: enrolling again is the fix). */
export function readCredential(dataDir: string): DeviceCredential | null {
  let text: string;
  try {
    text = readFileSync(credentialPath(dataDir), 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw error;
  }
  try {
    const parsed = DeviceCredentialSchema.safeParse(JSON.parse(text));
    return parsed.success ? parsed.data : null;
  } catch {
    return null;
  }
}

export function writeCredential(dataDir: string, credential: DeviceCredential): void {
  writeOwnerOnly(credentialPath(dataDir), `${JSON.stringify(credential)}\n`);
}

/** Forgets the credential (the server refused it); enrolling again writes a new one. */
export function removeCredential(dataDir: string): void {
  rmSync(credentialPath(dataDir), { force: true });
}

export const ENROLLMENT_KEY_FILE_NAME = 'enrollment-key';

/**
 * The laptop's enrollment key (see the server's EnrollBody): made once,
 * saved before the first try, sent with every try, so enrolling again after a
 * lost answer is the same device to the server.
 */
export function enrollmentKey(dataDir: string): string {
  const path = join(dataDir, ENROLLMENT_KEY_FILE_NAME);
  try {
    const saved = readFileSync(path, 'utf8').trim();
    if (/^[A-Za-z0-9_-]{43,128}$/.test(saved)) return saved;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
  const key = randomBytes(32).toString('base64url');
  writeOwnerOnly(path, `${key}\n`);
  return key;
}

/** Writes `text` to `path` owner-only (0600 from creation) and atomically (a temporary file renamed over it). */
export function writeOwnerOnly(path: string, text: string): void {
  const temporary = `${path}.${process.pid}.tmp`;
  // Created 0600 from the start: there is no moment when another user could open it.
  const fd = openSync(temporary, 'w', 0o600);
  try {
    writeSync(fd, text);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  chmodSync(temporary, 0o600);
  renameSync(temporary, path);
}
