import { randomUUID } from 'node:crypto';
import { chmod, readFile, rename, writeFile } from 'node:fs/promises';
import { z } from 'zod';
import { randomToken, sameSecret, sha256Hex } from './tokens.ts';

/**
 * Device enrollment secrets: what MDM puts on every school laptop so it can
 * enroll itself. Kept as SHA-256 hashes in a file in the data folder (owner
 * read/write only); the secret itself is printed once and never stored.
 * The file is read on every enrollment, so a secret made with the CLI works
 * without restarting the server.
 */

export interface EnrollmentSecret {
  readonly id: string;
  readonly hash: string;
  /** The school devices enrolled with it belong to; null when the server has several and the admin did not say. */
  readonly schoolId: string | null;
  readonly createdAt: number;
  /** When it was revoked (leaked): it no longer enrolls; devices enrolled with it keep working. Absent while valid. */
  readonly revokedAt?: number;
}

/**
 * Version 1 still: revokedAt is optional, so a file written before secrets
 * could be revoked reads as it is, and an older Lesmodus reading a newer file
 * ignores the field (zod's object drops unknown keys) — it would then accept
 * a revoked secret again, so do not downgrade the server after revoking.
 */
const FileSchema = z.object({
  version: z.literal(1),
  secrets: z.array(z.object({
    id: z.string(), hash: z.string(), schoolId: z.string().nullable(), createdAt: z.number(), revokedAt: z.number().optional(),
  })),
});

const SECRET_PREFIX = 'lme1';

export class EnrollmentSecretFile {
  readonly #path: string;

  constructor(path: string) {
    this.#path = path;
  }

  async list(): Promise<EnrollmentSecret[]> {
    let text: string;
    try {
      text = await readFile(this.#path, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw error;
    }
    const parsed = FileSchema.safeParse(JSON.parse(text));
    if (!parsed.success) throw new Error(`${this.#path} is not a Lesmodus enrollment secret file; move it away and run 'lesmodus server enroll-secret' again.`);
    return parsed.data.secrets;
  }

  /** Makes a new secret and returns it: the only time it is ever seen in full. */
  async create(schoolId: string | null, at: number): Promise<{ secret: string; record: EnrollmentSecret }> {
    const secret = `${SECRET_PREFIX}.${randomToken()}`;
    const record: EnrollmentSecret = { id: randomUUID(), hash: sha256Hex(secret), schoolId, createdAt: at };
    await this.#write([...(await this.list()), record]);
    return { secret, record };
  }

  /**
   * Revokes the secret with this id (or the one secret whose id starts with
   * it, at least 8 characters): it no longer enrolls devices. Revoking again
   * keeps the first time. Null when no secret (or more than one) matches.
   */
  async revoke(idOrPrefix: string, at: number): Promise<EnrollmentSecret | null> {
    const secrets = await this.list();
    const exact = secrets.filter((s) => s.id === idOrPrefix);
    const matches = exact.length > 0 ? exact : idOrPrefix.length >= 8 ? secrets.filter((s) => s.id.startsWith(idOrPrefix)) : [];
    if (matches.length !== 1) return null;
    const target = matches[0]!;
    if (target.revokedAt !== undefined) return target;
    const revoked: EnrollmentSecret = { ...target, revokedAt: at };
    await this.#write(secrets.map((s) => (s === target ? revoked : s)));
    return revoked;
  }

  async #write(secrets: readonly EnrollmentSecret[]): Promise<void> {
    // Write-then-rename, so a crash never leaves half a file that would lock every device out.
    const temporary = `${this.#path}.${process.pid}.tmp`;
    await writeFile(temporary, `${JSON.stringify({ version: 1, secrets }, null, 2)}\n`, { mode: 0o600 });
    await chmod(temporary, 0o600);
    await rename(temporary, this.#path);
  }

  /** The secret's record when `secret` is one of ours and not revoked (a revoked one is refused like a wrong one). */
  async match(secret: string): Promise<EnrollmentSecret | null> {
    const hash = sha256Hex(secret);
    let found: EnrollmentSecret | null = null;
    // Compare against every record, so the time taken does not say how far the list was searched.
    for (const record of await this.list()) if (sameSecret(record.hash, hash)) found = record;
    return found?.revokedAt === undefined ? found : null;
  }
}
