import { describe, expect, it } from 'vitest';
import { generateSigningKeyPair, signPayload, verifySignature } from '../../src/adapters/signing.ts';
import { canonicalJson } from '../../src/core/grants/canonical-json.ts';

const server = generateSigningKeyPair();
const impostor = generateSigningKeyPair();
const grant = { id: 'g-1', reason: 'Filmopdracht', allow: { categories: ['camera'], services: [] }, expiresAt: 1_800_000_000_000 };

describe('signed payloads', () => {
  it('verify with the server key whatever order the JSON keys arrive in', () => {
    const signed = signPayload(grant, server.privateKeyPem, 'k1');
    const reordered = { ...signed, payload: JSON.parse(JSON.stringify({ expiresAt: grant.expiresAt, allow: grant.allow, reason: grant.reason, id: grant.id })) };
    expect(verifySignature(signed, server.publicKeyPem)).toBe(true);
    expect(verifySignature(reordered, server.publicKeyPem)).toBe(true);
  });

  it('never verify when forged, tampered or signed by another key', () => {
    const signed = signPayload(grant, server.privateKeyPem, 'k1');
    expect(verifySignature(signPayload(grant, impostor.privateKeyPem, 'k1'), server.publicKeyPem)).toBe(false);
    expect(verifySignature({ ...signed, payload: { ...grant, expiresAt: grant.expiresAt + 1 } }, server.publicKeyPem)).toBe(false);
    expect(verifySignature({ ...signed, payload: { ...grant, allow: { ...grant.allow, categories: ['camera', 'social'] } } }, server.publicKeyPem)).toBe(false);
    expect(verifySignature({ ...signed, signature: 'AAAA' }, server.publicKeyPem)).toBe(false);
    expect(verifySignature({ ...signed, signature: '!!not base64!!' }, server.publicKeyPem)).toBe(false);
    expect(verifySignature(signed, 'not a key')).toBe(false);
  });
});

describe('canonicalJson', () => {
  it('sorts keys at every level and drops undefined members', () => {
    expect(canonicalJson({ b: 1, a: { d: [3, { f: 1, e: undefined }], c: 'x' } })).toBe('{"a":{"c":"x","d":[3,{"f":1}]},"b":1}');
  });

  it('refuses values JSON cannot carry faithfully', () => {
    expect(() => canonicalJson({ n: Number.NaN })).toThrow(/NaN/);
    expect(() => canonicalJson({ f: () => 1 })).toThrow(/function/);
  });
});
