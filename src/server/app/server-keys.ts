import { createHash, createPrivateKey, createPublicKey, hkdfSync } from 'node:crypto';
import { chmod, readFile, writeFile } from 'node:fs/promises';
import { generateSigningKeyPair, signingKeyOf, signPayload, type Signed } from '../../adapters/signing.ts';
import type { DataDir } from './data-dir.ts';

/**
 * The server's Ed25519 signing key. Devices verify schedules and grants with
 * the public key MDM pinned, so the private key never leaves the data folder
 * (owner read/write only) and `lesmodus server init` never overwrites one.
 */

export interface ServerSigner {
  /** First 16 hex characters of the SHA-256 of the public key (SPKI DER): tells keys apart after a rotation. */
  readonly keyId: string;
  readonly publicKeyPem: string;
  sign<T>(payload: T): Signed<T>;
  /**
   * A secret derived from the private key for short codes the server alone
   * can make and check (teacher unlock codes): nothing more to keep or back up.
   */
  readonly codeKey: Buffer;
}

export function keyIdOf(publicKeyPem: string): string {
  const der = createPublicKey(publicKeyPem).export({ type: 'spki', format: 'der' });
  return createHash('sha256').update(der).digest('hex').slice(0, 16);
}

export function signerFrom(privateKeyPem: string, publicKeyPem: string): ServerSigner {
  const keyId = keyIdOf(publicKeyPem);
  const key = signingKeyOf(privateKeyPem);
  const codeKey = Buffer.from(hkdfSync('sha256', createPrivateKey(privateKeyPem).export({ type: 'pkcs8', format: 'der' }), 'lesmodus', 'unlock codes', 32));
  return { keyId, publicKeyPem, codeKey, sign: (payload) => signPayload(payload, key, keyId) };
}

async function exists(path: string): Promise<boolean> {
  try {
    await readFile(path);
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return false;
    throw error;
  }
}

/** Creates the key pair unless one exists; says which happened. */
export async function createServerKeys(dir: DataDir): Promise<{ created: boolean; signer: ServerSigner }> {
  if (await exists(dir.privateKey)) return { created: false, signer: await loadServerKeys(dir) };
  const pair = generateSigningKeyPair();
  // 'wx' refuses to overwrite: two inits at once cannot replace a key a device already pinned.
  await writeFile(dir.privateKey, pair.privateKeyPem, { mode: 0o600, flag: 'wx' });
  await writeFile(dir.publicKey, pair.publicKeyPem, { mode: 0o600, flag: 'w' });
  // The mode given to writeFile is filtered by the umask; set it exactly.
  await chmod(dir.privateKey, 0o600);
  await chmod(dir.publicKey, 0o600);
  return { created: true, signer: signerFrom(pair.privateKeyPem, pair.publicKeyPem) };
}

export async function loadServerKeys(dir: DataDir): Promise<ServerSigner> {
  let privateKeyPem: string;
  let publicKeyPem: string;
  try {
    [privateKeyPem, publicKeyPem] = await Promise.all([readFile(dir.privateKey, 'utf8'), readFile(dir.publicKey, 'utf8')]);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') {
      throw new Error(`There is no signing key in ${dir.root}; run 'lesmodus server init --data-dir ${dir.root}' first.`);
    }
    throw error;
  }
  return signerFrom(privateKeyPem, publicKeyPem);
}
