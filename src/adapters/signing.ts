import { createPrivateKey, createPublicKey, generateKeyPairSync, sign, verify, type KeyObject } from 'node:crypto';
import { canonicalJson } from '../core/grants/canonical-json.ts';

/**
 * Ed25519 signatures over canonical JSON. The server signs schedules and
 * grants; a device verifies them offline with the public key MDM pinned, so
 * nothing stored on a student's laptop can unlock anything.
 */

export type Signed<T> = { readonly keyId: string; readonly signature: string; readonly payload: T };

export interface SigningKeyPair {
  readonly privateKeyPem: string;
  readonly publicKeyPem: string;
}

export function generateSigningKeyPair(): SigningKeyPair {
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  return {
    privateKeyPem: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
    publicKeyPem: publicKey.export({ type: 'spki', format: 'pem' }).toString(),
  };
}

/** The private key, parsed once: the server signs once per device for every grant, and parsing costs more than signing. */
export function signingKeyOf(privateKeyPem: string): KeyObject {
  const key = createPrivateKey(privateKeyPem);
  if (key.asymmetricKeyType !== 'ed25519') throw new Error('the signing key must be an Ed25519 private key');
  return key;
}

export function signPayload<T>(payload: T, privateKey: string | KeyObject, keyId: string): Signed<T> {
  const key = typeof privateKey === 'string' ? signingKeyOf(privateKey) : privateKey;
  const signature = sign(null, Buffer.from(canonicalJson(payload)), key).toString('base64');
  return { keyId, signature, payload };
}

/** Parsed public keys by PEM: a device verifies every grant with the one key MDM pinned. */
const publicKeys = new Map<string, KeyObject>();

function publicKeyOf(pem: string): KeyObject {
  let key = publicKeys.get(pem);
  if (key === undefined) {
    key = createPublicKey(pem);
    if (key.asymmetricKeyType !== 'ed25519') throw new Error('the pinned key must be an Ed25519 public key');
    if (publicKeys.size > 16) publicKeys.clear(); // tests make many; a device has one
    publicKeys.set(pem, key);
  }
  return key;
}

/** True only when `signed.signature` is the pinned key's signature over exactly this payload. */
export function verifySignature(signed: Signed<unknown>, publicKeyPem: string): boolean {
  let signature: Buffer;
  try {
    signature = Buffer.from(signed.signature, 'base64');
    return signature.length === 64 && verify(null, Buffer.from(canonicalJson(signed.payload)), publicKeyOf(publicKeyPem), signature);
  } catch {
    return false;
  }
}
