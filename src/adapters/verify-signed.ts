import type { z } from 'zod';
import { SignedEnvelopeSchema } from '../core/protocol/index.ts';
import { verifySignature, type Signed } from './signing.ts';

/**
 * Believing something the server signed: the key's signature over the payload
 * exactly as received, the payload type, the schema, and (for what was signed
 * for one device) that device. The agent checks what reaches it with the
 * pinned key; the server checks what a laptop gives back with its own.
 */

export type Rejection = 'malformed' | 'bad-signature' | 'wrong-type' | 'other-device' | 'expired' | 'rollback';

export type Verified<T> = { readonly ok: true; readonly signed: Signed<T> } | { readonly ok: false; readonly reason: Rejection; readonly detail: string };

export interface EnvelopeContext {
  readonly publicKeyPem: string;
  /** The device it must have been signed for; null for what is signed for every device (the catalog). */
  readonly deviceId: string | null;
}

export function reject(reason: Rejection, detail: string): Verified<never> {
  return { ok: false, reason, detail };
}

/**
 * The signature is checked over the payload exactly as received, before the
 * schema parses it (parsing fills defaults and would change what was signed).
 */
export function verifyEnvelope<S extends z.ZodType>(input: unknown, schema: S, type: string, context: EnvelopeContext): Verified<z.infer<S>> {
  const envelope = SignedEnvelopeSchema.safeParse(input);
  if (!envelope.success) return reject('malformed', `not a signed ${type} envelope`);
  const signed = envelope.data as Signed<unknown>;
  if (!verifySignature(signed, context.publicKeyPem)) return reject('bad-signature', `${type}: signature is not the pinned server key's`);
  const claimed = (signed.payload as { type?: unknown } | null)?.type;
  if (claimed !== type) return reject('wrong-type', `expected a ${type}, got ${typeof claimed === 'string' ? claimed.slice(0, 64) : typeof claimed}`);
  const payload = schema.safeParse(signed.payload);
  if (!payload.success) return reject('malformed', `${type}: signed but not valid (${payload.error.issues[0]?.message ?? 'unknown'})`);
  const deviceId = (payload.data as { deviceId: string }).deviceId;
  if (context.deviceId !== null && deviceId !== context.deviceId) return reject('other-device', `${type} signed for device ${deviceId.slice(0, 64)}, not this one`);
  return { ok: true, signed: { keyId: signed.keyId, signature: signed.signature, payload: payload.data } };
}
