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
}

const FileSchema = z.object({
  version: z.literal(1),
  secrets: z.array(z.object({ id: z.string(), hash: z.string(), schoolId: z.string().nullable(), createdAt: z.number() })),
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
    const secrets = [...(await this.list()), record];
    // Write-then-rename, so a crash never leaves half a file that would lock every device out.
    const temporary = `${this.#path}.${process.pid}.tmp`;
    await writeFile(temporary, `${JSON.stringify({ version: 1, secrets }, null, 2)}\n`, { mode: 0o600 });
    await chmod(temporary, 0o600);
    await rename(temporary, this.#path);
    return { secret, record };
  }

  /** The secret's record when `secret` is one of ours. */
  async match(secret: string): Promise<EnrollmentSecret | null> {
    const hash = sha256Hex(secret);
    let found: EnrollmentSecret | null = null;
    // Compare against every record, so the time taken does not say how far the list was searched.
    for (const record of await this.list()) if (sameSecret(record.hash, hash)) found = record;
    return found;
  }
}
