import { generateKeyPairSync } from 'node:crypto';

/** A school's settings as an MDM profile carries them. */
export const PUBLIC_KEY = generateKeyPairSync('ed25519').publicKey.export({ type: 'spki', format: 'pem' }).toString();
export const SECRET = 'lme1.abcdefghijklmnopqrstuvwxyz0123';
export const URL = 'https://lesmodus.kennemer.example';
export const PROFILE = {
  server: { url: URL, enrollmentSecret: SECRET, publicKey: PUBLIC_KEY },
  schoolNetwork: { cidrs: ['10.20.0.0/16'], gateways: [], ssids: ['KL-Wifi'] },
};
