import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CONTENT_SECURITY_POLICY, createSite, resolveSitePath } from '../../../src/server/web/site.ts';

describe('resolveSitePath', () => {
  it('maps pages to the shell and assets to flat files', () => {
    for (const page of ['/', '/login', '/lessen', '/leiding', '/leiding/uitzondering/abc-123', '/geen-toegang']) {
      expect(resolveSitePath(page), page).toEqual({ kind: 'page' });
    }
    expect(resolveSitePath('/assets/app.js')).toEqual({ kind: 'asset', file: 'app.js', type: 'text/javascript; charset=utf-8' });
    expect(resolveSitePath('/assets/style.css')).toMatchObject({ kind: 'asset', file: 'style.css' });
  });

  it('never climbs out of the assets folder: anything else that is not a page is "not found", and the API keeps its own paths', () => {
    for (const path of ['/assets/../site.ts', '/assets/%2e%2e/x.js', '/assets/sub/app.js', '/assets/site.ts', '/assets/index.html', '/nope', '/leiding/uitzondering/a/b']) {
      expect(resolveSitePath(path), path).toEqual({ kind: 'not-found' });
    }
    for (const path of ['/api/v1/nope', '/api/v1/openapi.json', '/healthz']) expect(resolveSitePath(path), path).toBeNull();
  });

  it('sends a page written with a trailing slash to its one address', () => {
    expect(resolveSitePath('/lessen/')).toEqual({ kind: 'redirect', location: '/lessen' });
    expect(resolveSitePath('/leiding//')).toEqual({ kind: 'redirect', location: '/leiding' });
    expect(resolveSitePath('/nope/')).toEqual({ kind: 'not-found' });
  });
});

describe('createSite', () => {
  let dir: string;
  let server: Server;
  let base: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'lesmodus-site-'));
    await writeFile(join(dir, 'index.html'), '<!doctype html><title>shell</title>');
    await writeFile(join(dir, 'app.js'), 'export {};');
    await writeFile(join(dir, 'not-found.html'), '<!doctype html><title>Deze pagina bestaat niet</title>');
    const site = createSite({ assetsDir: `${dir}/` });
    server = createServer((req, res) => {
      void site(req, res).then((served) => { if (!served) { res.statusCode = 404; res.end('api'); } });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    await new Promise((resolve) => server.close(resolve));
    await rm(dir, { recursive: true, force: true });
  });

  it('serves the shell for pages with a strict CSP', async () => {
    const res = await fetch(`${base}/leiding?group=h4a`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toContain('text/html');
    expect(res.headers.get('content-security-policy')).toBe(CONTENT_SECURITY_POLICY);
    expect(CONTENT_SECURITY_POLICY).not.toContain('unsafe-inline');
    expect(await res.text()).toContain('shell');
  });

  it('answers an unknown page with a Dutch 404 page, and leaves missing assets, API paths and other methods to the API', async () => {
    expect((await fetch(`${base}/assets/app.js`)).headers.get('content-type')).toContain('text/javascript');
    expect((await fetch(`${base}/assets/missing.js`)).status).toBe(404);
    const unknown = await fetch(`${base}/other`);
    expect(unknown.status).toBe(404);
    expect(unknown.headers.get('content-type')).toContain('text/html');
    expect(await unknown.text()).toContain('Deze pagina bestaat niet');
    expect(await (await fetch(`${base}/api/v1/other`)).text()).toBe('api');
    expect((await fetch(`${base}/login`, { method: 'POST' })).status).toBe(404);
  });

  it('redirects a page with a trailing slash, keeping the filter in the query', async () => {
    const res = await fetch(`${base}/leiding/?group=h4a`, { redirect: 'manual' });
    expect(res.status).toBe(308);
    expect(res.headers.get('location')).toBe('/leiding?group=h4a');
    expect((await fetch(`${base}/lessen/`)).status).toBe(200);
  });
});
