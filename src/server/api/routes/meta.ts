import { z } from 'zod';
import { openApiDocument } from '../openapi.ts';
import { defineRoute, PUBLIC, type AnyRoute } from '../route.ts';

/** Health, the server's public key, and the OpenAPI document. */

const health = defineRoute({
  method: 'GET',
  path: '/healthz',
  tag: 'meta',
  summary: 'Liveness and readiness: 200 when the server and its database answer.',
  access: PUBLIC,
  reply: {
    kind: 'json', status: 200, description: 'Healthy.',
    schema: z.object({ status: z.literal('ok'), version: z.string(), database: z.enum(['sqlite', 'postgres']), liveConnections: z.number().int() }),
  },
  async handle(_input, api) {
    // A real query, so a load balancer takes a server whose database is gone out of rotation.
    await api.store.schools();
    return { status: 'ok' as const, version: api.settings.version, database: api.store.dialect, liveConnections: api.hub.connections };
  },
});

const serverKey = defineRoute({
  method: 'GET',
  path: '/api/v1/server-key',
  tag: 'meta',
  summary: "The server's Ed25519 public key and key id, for checking the MDM configuration (devices trust only the key MDM pinned).",
  access: PUBLIC,
  reply: {
    kind: 'json', status: 200, description: 'The public key.',
    schema: z.object({ algorithm: z.literal('Ed25519'), keyId: z.string(), publicKeyPem: z.string() }),
  },
  async handle(_input, api) {
    return { algorithm: 'Ed25519' as const, keyId: api.signer.keyId, publicKeyPem: api.signer.publicKeyPem };
  },
});

/** The document route needs the whole table, so it is made from it. */
export function openApiRoute(all: () => readonly AnyRoute[]): AnyRoute {
  let document: Record<string, unknown> | null = null;
  return defineRoute({
    method: 'GET',
    path: '/api/v1/openapi.json',
    tag: 'meta',
    summary: 'This API as an OpenAPI 3.1 document, generated from the schemas the server validates with.',
    access: PUBLIC,
    reply: { kind: 'json', status: 200, schema: z.record(z.string(), z.unknown()), description: 'The OpenAPI document.' },
    async handle(_input, api) {
      document ??= openApiDocument(all(), api.settings.version);
      return document;
    },
  });
}

export const metaRoutes: readonly AnyRoute[] = [health, serverKey];
