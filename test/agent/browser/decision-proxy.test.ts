import { Agent, createServer as createHttpServer, request, type Server } from 'node:http';
import { connect, createServer as createTcpServer, type AddressInfo, type Socket } from 'node:net';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startDecisionProxy, type DecisionProxy, type Refusal } from '../../../src/agent/browser/decision-proxy.ts';
import { hostGate } from '../../../src/agent/browser/host-gate.ts';
import { browserRestrictions, NO_RESTRICTIONS } from '../../../src/agent/browser/restrictions.ts';
import { translateProxyHost } from '../../../src/core/catalog/translate-proxy.ts';
import { blocked, NEVER_BLOCK, SCHOOL, SCHOOL_UNDER_SOCIAL, SOCIAL } from './fixtures.ts';

const LESSON_GATE = hostGate(browserRestrictions(blocked(), NEVER_BLOCK));
const FREE_GATE = hostGate(NO_RESTRICTIONS);

let site: Server;
let echo: ReturnType<typeof createTcpServer>;
let proxy: DecisionProxy;
let refusals: Refusal[];
const port = (server: { address(): unknown }) => (server.address() as AddressInfo).port;

beforeEach(async () => {
  site = createHttpServer((req, res) => res.end(`welkom op ${req.headers.host}${req.url}`));
  echo = createTcpServer((socket) => socket.pipe(socket));
  await new Promise<void>((r) => site.listen(0, '127.0.0.1', r));
  await new Promise<void>((r) => echo.listen(0, '127.0.0.1', r));
  refusals = [];
  proxy = await startDecisionProxy({
    address: { host: '127.0.0.1', port: 0 },
    gate: FREE_GATE,
    // Every made-up host is served locally: port 80 by the site, 443 by the echo server.
    connect: (_host, p) => connect(p === 443 ? port(echo) : port(site), '127.0.0.1'),
    onRefused: (r) => refusals.push(r),
  });
});

afterEach(async () => {
  await proxy.close();
  await new Promise((r) => site.close(r));
  await new Promise((r) => echo.close(r));
});

function get(host: string): Promise<{ status: number; body: string; lesmodus: string | undefined }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port: proxy.address.port, path: `http://${host}/pagina`, headers: { host }, agent: false }, (res) => {
      let body = '';
      res.on('data', (c) => (body += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body, lesmodus: res.headers['x-lesmodus'] as string | undefined }));
    });
    req.on('error', reject);
    req.end();
  });
}

/** Opens a CONNECT tunnel; resolves with the status line and, when established, the socket. */
function tunnel(host: string): Promise<{ status: number; socket: Socket }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port: proxy.address.port, method: 'CONNECT', path: `${host}:443`, agent: false });
    req.on('connect', (res, socket) => resolve({ status: res.statusCode ?? 0, socket }));
    req.on('error', reject);
    req.end();
  });
}

function roundTrip(socket: Socket, text: string): Promise<string> {
  return new Promise((resolve, reject) => {
    socket.once('data', (d) => resolve(String(d)));
    socket.once('error', reject);
    socket.write(text);
  });
}

describe('the decision proxy', () => {
  it('passes plain-http requests on outside a lesson, and refuses them during one with a page that says why', async () => {
    expect(await get(SOCIAL)).toMatchObject({ status: 200, body: `welkom op ${SOCIAL}/pagina` });
    proxy.setGate(LESSON_GATE);
    const refused = await get(`www.${SOCIAL}`);
    expect(refused).toMatchObject({ status: 403, lesmodus: 'blocked' });
    expect(refused.body).toContain('geblokkeerd tijdens de les');
    expect(refusals).toEqual([{ host: `www.${SOCIAL}`, domain: SOCIAL, method: 'GET' }]);
  });

  it('refuses a blocked site through Google Translate\'s proxy (www-<site>.translate.goog) during a lesson, over http and CONNECT', async () => {
    const proxied = translateProxyHost(`www.${SOCIAL}`)!;
    expect(proxied).toBe('www-lesmodus--test--social-example.translate.goog');
    expect(await get(proxied)).toMatchObject({ status: 200 });
    proxy.setGate(LESSON_GATE);
    expect(await get(proxied)).toMatchObject({ status: 403, lesmodus: 'blocked' });
    const refused = await tunnel(proxied);
    expect(refused.status).toBe(403);
    refused.socket.destroy();
    expect(refusals).toEqual([{ host: proxied, domain: SOCIAL, method: 'GET' }, { host: proxied, domain: SOCIAL, method: 'CONNECT' }]);
    // Other sites through the same proxy, and never-block ones under the blocked domain, still load.
    expect(await get(translateProxyHost(SCHOOL)!)).toMatchObject({ status: 200 });
    expect(await get(translateProxyHost(SCHOOL_UNDER_SOCIAL)!)).toMatchObject({ status: 200 });
  });

  it('lets a never-block host under a blocked domain through during a lesson', async () => {
    proxy.setGate(LESSON_GATE);
    expect(await get(SCHOOL_UNDER_SOCIAL)).toMatchObject({ status: 200 });
  });

  it('tunnels CONNECT outside a lesson and refuses it during one', async () => {
    const open = await tunnel(SOCIAL);
    expect(open.status).toBe(200);
    expect(await roundTrip(open.socket, 'hallo')).toBe('hallo');
    open.socket.destroy();
    proxy.setGate(LESSON_GATE);
    const refused = await tunnel(SOCIAL);
    expect(refused.status).toBe(403);
    refused.socket.destroy();
    expect(refusals.map((r) => r.method)).toEqual(['CONNECT']);
  });

  it('closes a tunnel opened before the lesson the moment the lesson starts', async () => {
    const open = await tunnel(SOCIAL);
    const closed = new Promise<void>((resolve) => open.socket.once('close', () => resolve()));
    expect(proxy.setGate(LESSON_GATE)).toBe(1);
    await closed;
  });

  it('closes a kept-alive plain-http connection that served a host the lesson now blocks', async () => {
    const agent = new Agent({ keepAlive: true, maxSockets: 1 });
    try {
      const status = await new Promise<number>((resolve, reject) => {
        const req = request({ host: '127.0.0.1', port: proxy.address.port, path: `http://${SOCIAL}/`, agent }, (res) => {
          res.resume();
          res.on('end', () => resolve(res.statusCode ?? 0));
        });
        req.on('error', reject);
        req.end();
      });
      expect(status).toBe(200);
      expect(proxy.setGate(LESSON_GATE)).toBe(1);
    } finally {
      agent.destroy();
    }
  });

  it('keeps tunnels to hosts the new decision does not block', async () => {
    const open = await tunnel(`other-${SOCIAL}`);
    expect(proxy.setGate(LESSON_GATE)).toBe(0);
    expect(await roundTrip(open.socket, 'nog open')).toBe('nog open');
    open.socket.destroy();
  });

  it('answers a site that cannot be reached with 502, not a hang', async () => {
    const dead = await startDecisionProxy({
      address: { host: '127.0.0.1', port: 0 },
      gate: FREE_GATE,
      connect: () => connect(1, '127.0.0.1'),
    });
    try {
      const status = await new Promise<number>((resolve, reject) => {
        const req = request({ host: '127.0.0.1', port: dead.address.port, path: `http://${SOCIAL}/` }, (res) => {
          res.resume();
          resolve(res.statusCode ?? 0);
        });
        req.on('error', reject);
        req.end();
      });
      expect(status).toBe(502);
    } finally {
      await dead.close();
    }
  });

  it('refuses to listen anywhere but loopback', async () => {
    await expect(startDecisionProxy({ address: { host: '0.0.0.0', port: 0 }, gate: FREE_GATE })).rejects.toThrow(/loopback|127\.0\.0\.1/);
  });
});
