import { describe, expect, it } from 'vitest';
import { API_ROUTES } from '../../../../src/server/api/routes/index.ts';
import type { useApi } from '../harness.ts';

export function openApiSuite(api: ReturnType<typeof useApi>): void {
  describe('the OpenAPI document', () => {
    it('is OpenAPI 3.1 and lists every route with its method, access and schemas', async () => {
      const server = await api.start({ seed: false });
      const reply = await server.call('GET', '/api/v1/openapi.json');
      expect(reply.status).toBe(200);
      const doc = reply.body;
      expect(doc.openapi).toBe('3.1.0');
      const listed = Object.entries(doc.paths as Record<string, Record<string, unknown>>)
        .flatMap(([path, methods]) => Object.keys(methods).map((m) => `${m.toUpperCase()} ${path}`)).sort();
      const routes = API_ROUTES.map((r) => `${r.method} ${r.path.replace(/:([A-Za-z]+)/g, '{$1}')}`).sort();
      expect(listed).toEqual(routes);
      expect(routes.length).toBeGreaterThanOrEqual(30);
      const operationIds = Object.values(doc.paths as Record<string, Record<string, { operationId: string }>>).flatMap((m) => Object.values(m).map((o) => o.operationId));
      expect(new Set(operationIds).size).toBe(operationIds.length);

      const create = doc.paths['/api/v1/grants'].post;
      expect(create['x-roles']).toEqual(['teacher', 'leader']);
      expect(create.security).toEqual([{ session: [], csrf: [] }]);
      expect(create.requestBody.content['application/json'].schema.required).toEqual(expect.arrayContaining(['scope', 'allow', 'reason']));
      expect(create.responses['201'].content['application/json'].schema.properties.signed).toBeDefined();
      expect(Object.keys(create.responses)).toEqual(expect.arrayContaining(['400', '401', '403', '413']));
      expect(Object.keys(create.responses)).toEqual(expect.arrayContaining(['200', '201', '409']));
      expect(create.parameters).toEqual([expect.objectContaining({ name: 'Idempotency-Key', in: 'header', required: false })]);
      expect(create.description).toMatch(/Idempotency-Key.*24 hours.*Idempotent-Replayed: true/s);
      expect(doc.paths['/api/v1/devices/{id}/revoke'].post['x-roles']).toEqual(['admin', 'leader']);
      expect(doc.paths['/api/v1/devices/{id}/restore'].post['x-roles']).toEqual(['admin']);
      const revoke = doc.paths['/api/v1/grants/{id}/revoke'].post;
      expect(revoke.parameters).toEqual([expect.objectContaining({ name: 'id', in: 'path', required: true })]);
      const log = doc.paths['/api/v1/exceptions'].get;
      expect(log.parameters.map((p: { name: string }) => p.name)).toEqual(expect.arrayContaining(['from', 'to', 'group', 'teacher', 'article', 'status', 'limit', 'offset']));
      expect(doc.paths['/api/v1/device/stream'].get.security).toEqual([{ device: [] }]);
      expect(doc.components.securitySchemes.session).toMatchObject({ type: 'apiKey', in: 'cookie', name: 'lesmodus_session' });
    });
  });
}
