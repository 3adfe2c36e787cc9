import { randomToken, sameSecret, sha256Hex } from './tokens.ts';

/**
 * A device's credential: "lmd1.<device id>.<secret>", sent as a bearer token.
 * The device id in it lets the server find the one hash to compare against
 * (no scan); the store keeps only the SHA-256 of the whole credential.
 */

const PREFIX = 'lmd1';
/** Device ids are UUIDs the server chose; anything else in a credential is not ours. */
const CREDENTIAL = /^lmd1\.([0-9a-f-]{36})\.([A-Za-z0-9_-]{43})$/;

export function issueDeviceCredential(deviceId: string): { credential: string; credentialHash: string } {
  const credential = `${PREFIX}.${deviceId}.${randomToken()}`;
  return { credential, credentialHash: sha256Hex(credential) };
}

/** The device id a credential claims, or null when it is not shaped like one of ours. */
export function deviceIdOf(credential: string): string | null {
  return CREDENTIAL.exec(credential)?.[1] ?? null;
}

export function credentialMatches(credential: string, storedHash: string): boolean {
  return sameSecret(sha256Hex(credential), storedHash);
}

/** The token of an "Authorization: Bearer …" header, or null. */
export function bearerToken(header: string | undefined): string | null {
  const match = /^Bearer\s+(\S+)\s*$/i.exec(header ?? '');
  return match?.[1] ?? null;
}
