import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

/**
 * Random tokens and their hashes. Session tokens, device credentials and
 * enrollment secrets are 256 random bits, so a fast hash (SHA-256) is enough
 * to store them: there is nothing to brute-force, unlike a password.
 */

/** 32 bytes: 256 bits of entropy, out of reach of any guessing. */
export const TOKEN_BYTES = 32;

export function randomToken(bytes = TOKEN_BYTES): string {
  return randomBytes(bytes).toString('base64url');
}

export function sha256Hex(text: string): string {
  return createHash('sha256').update(text, 'utf8').digest('hex');
}

export function hmacBase64Url(key: string, message: string): string {
  return createHmac('sha256', key).update(message, 'utf8').digest('base64url');
}

/** Compares two strings in time that does not depend on where they differ. */
export function sameSecret(a: string, b: string): boolean {
  const left = Buffer.from(a, 'utf8');
  const right = Buffer.from(b, 'utf8');
  return left.length === right.length && timingSafeEqual(left, right);
}
