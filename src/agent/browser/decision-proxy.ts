// The decision point that makes a running browser follow a lesson within
// milliseconds: browsers send only the catalog's domains here (the PAC
// script installed once in their policy), and every request is refused or
// passed on by the decision of that moment. See README.md for why.
import { createServer, request as httpRequest, type IncomingHttpHeaders, type IncomingMessage, type ServerResponse } from 'node:http';
import { connect as netConnect, type Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import type { HostGate } from './host-gate.ts';
import type { ProxyAddress } from './pac-script.ts';

/** Opens the connection to the real site; injected so tests can map made-up hosts to 127.0.0.1. */
export type UpstreamConnector = (host: string, port: number) => Socket;

export interface Refusal {
  /** The host the browser asked for. */
  readonly host: string;
  /** The blocked catalog domain it falls under. */
  readonly domain: string;
  /** CONNECT for https and websockets, the HTTP method otherwise. */
  readonly method: string;
}

export interface DecisionProxyOptions {
  /** Port 0 picks a free one (tests). Must be a loopback address. */
  readonly address: ProxyAddress;
  readonly gate: HostGate;
  readonly connect?: UpstreamConnector;
  /** Told of every refusal, for the student's notice and the event log. */
  readonly onRefused?: (refusal: Refusal) => void;
  /** The page shown for a refused plain-http request (https can only get an error). */
  readonly refusalPage?: (refusal: Refusal) => string;
  /**
   * Browser connections held at once (each tunnel costs two descriptors),
   * from the agent's descriptor budget: anyone on the laptop can connect, and
   * a flood must not take the descriptors the process guard needs.
   */
  readonly maxConnections?: number;
}

export interface DecisionProxy {
  /** Where it listens (the real port when 0 was asked). */
  readonly address: ProxyAddress;
  /**
   * Switches to a new decision at once: new requests follow it, and open
   * tunnels and connections to hosts it now blocks are closed, so a page that
   * was open before the lesson cannot keep using its connection. Returns how
   * many were closed.
   */
  setGate(gate: HostGate): number;
  close(): Promise<void>;
}

/**
 * A site that does not answer must not keep a browser tab waiting forever
 * on us; browsers retry a failed connection themselves. Generous, because a
 * school network at 08:30 can be slow.
 */
export const UPSTREAM_CONNECT_TIMEOUT_MS = 15_000;

const LOOPBACK = new Set(['127.0.0.1', '::1', 'localhost']);

/** Headers that describe one hop, not the message: never passed on (RFC 9110 §7.6.1). */
const HOP_BY_HOP = new Set(['connection', 'proxy-connection', 'keep-alive', 'proxy-authorization', 'proxy-authenticate', 'te', 'trailer', 'transfer-encoding', 'upgrade']);

export function defaultRefusalPage(refusal: Refusal): string {
  return [
    '<!doctype html><html lang="nl"><meta charset="utf-8"><title>Geblokkeerd tijdens de les</title>',
    '<h1>Deze site is geblokkeerd tijdens de les</h1>',
    `<p>${escapeHtml(refusal.domain)} is tijdens de les niet bereikbaar (Gedragscode Social Media SVOK).</p>`,
    '<p>Heb je de site nodig voor de les? Vraag je docent om een uitzondering.</p></html>',
  ].join('\n');
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

function withoutHopByHop(headers: IncomingHttpHeaders): Record<string, string | string[]> {
  const listed = new Set(String(headers.connection ?? '').toLowerCase().split(',').map((s) => s.trim()).filter(Boolean));
  const out: Record<string, string | string[]> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value === undefined || HOP_BY_HOP.has(name) || listed.has(name)) continue;
    out[name] = value;
  }
  return out;
}

/** "host:port" of a CONNECT request, IPv6 in brackets; null when malformed. */
function parseAuthority(authority: string): { host: string; port: number } | null {
  try {
    const url = new URL(`http://${authority}`);
    const port = Number(url.port || 443);
    const host = url.hostname.startsWith('[') ? url.hostname.slice(1, -1) : url.hostname;
    return host && Number.isInteger(port) && port > 0 ? { host, port } : null;
  } catch {
    return null;
  }
}

export async function startDecisionProxy(options: DecisionProxyOptions): Promise<DecisionProxy> {
  if (!LOOPBACK.has(options.address.host)) {
    throw new Error(`the decision proxy serves this device only: listen on 127.0.0.1 or ::1, not ${options.address.host}`);
  }
  const connect: UpstreamConnector = options.connect ?? ((host, port) => netConnect({ host, port }));
  const refusalPage = options.refusalPage ?? defaultRefusalPage;
  let gate = options.gate;
  /** Client connections carrying plain-http requests, with the hosts they were used for. */
  const clients = new Map<Socket, Set<string>>();
  /** Open CONNECT tunnels. */
  const tunnels = new Set<{ readonly host: string; readonly client: Duplex; readonly upstream: Socket }>();

  function refuse(host: string, domain: string, method: string): Refusal {
    const refusal = { host, domain, method };
    options.onRefused?.(refusal);
    return refusal;
  }

  /** A connection to the site that gives up if it is not up within UPSTREAM_CONNECT_TIMEOUT_MS. */
  function connectWithDeadline(host: string, port: number): Socket {
    const upstream = connect(host, port);
    const timer = setTimeout(() => upstream.destroy(new Error(`no connection to ${host}:${port} within ${UPSTREAM_CONNECT_TIMEOUT_MS} ms`)), UPSTREAM_CONNECT_TIMEOUT_MS);
    upstream.once('connect', () => clearTimeout(timer));
    upstream.once('close', () => clearTimeout(timer));
    return upstream;
  }

  /** Connects to the site; exactly one of `onReady` and `onFail` is called. */
  function openUpstream(host: string, port: number, onReady: (upstream: Socket) => void, onFail: (upstream: Socket) => void): void {
    const upstream = connectWithDeadline(host, port);
    const failed = () => {
      upstream.off('connect', ready);
      onFail(upstream);
    };
    const ready = () => {
      upstream.off('error', failed);
      onReady(upstream);
    };
    upstream.once('connect', ready);
    upstream.once('error', failed);
  }

  function onRequest(req: IncomingMessage, res: ServerResponse): void {
    let url: URL;
    try {
      url = new URL(req.url ?? '');
    } catch {
      res.writeHead(400, { 'content-type': 'text/plain; charset=utf-8' }).end('Lesmodus decision point: proxy requests only\n');
      return;
    }
    const host = url.hostname.startsWith('[') ? url.hostname.slice(1, -1) : url.hostname;
    const verdict = gate(host);
    if (verdict.blocked) {
      const body = refusalPage(refuse(host, verdict.domain, req.method ?? 'GET'));
      res.writeHead(403, {
        'content-type': 'text/html; charset=utf-8',
        'cache-control': 'no-store',
        'x-lesmodus': 'blocked',
      }).end(body);
      return;
    }
    const socket = req.socket;
    if (!clients.has(socket)) {
      clients.set(socket, new Set());
      socket.once('close', () => clients.delete(socket));
    }
    clients.get(socket)!.add(host);
    const port = Number(url.port || 80);
    const upstreamReq = httpRequest({
      method: req.method,
      path: `${url.pathname}${url.search}`,
      headers: { ...withoutHopByHop(req.headers), host: url.host },
      createConnection: () => connectWithDeadline(host, port),
    });
    upstreamReq.on('response', (upstreamRes) => {
      res.writeHead(upstreamRes.statusCode ?? 502, withoutHopByHop(upstreamRes.headers));
      upstreamRes.pipe(res);
    });
    upstreamReq.on('error', () => {
      if (!res.headersSent) res.writeHead(502, { 'content-type': 'text/plain; charset=utf-8' }).end(`Lesmodus: ${host} is not reachable\n`);
      else res.destroy();
    });
    req.pipe(upstreamReq);
  }

  function onConnect(req: IncomingMessage, client: Duplex, head: Buffer): void {
    const target = parseAuthority(req.url ?? '');
    if (!target) {
      client.end('HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\nConnection: close\r\n\r\n');
      return;
    }
    const verdict = gate(target.host);
    if (verdict.blocked) {
      refuse(target.host, verdict.domain, 'CONNECT');
      client.end('HTTP/1.1 403 Forbidden\r\nX-Lesmodus: blocked\r\nContent-Length: 0\r\nConnection: close\r\n\r\n');
      return;
    }
    client.on('error', () => client.destroy());
    openUpstream(
      target.host,
      target.port,
      (upstream) => {
        if (client.destroyed) {
          upstream.destroy();
          return;
        }
        const tunnel = { host: target.host, client, upstream };
        tunnels.add(tunnel);
        const close = () => {
          tunnels.delete(tunnel);
          client.destroy();
          upstream.destroy();
        };
        client.once('close', close);
        upstream.once('close', close);
        upstream.on('error', close);
        client.write('HTTP/1.1 200 Connection Established\r\n\r\n');
        if (head.length > 0) upstream.write(head);
        client.pipe(upstream);
        upstream.pipe(client);
      },
      (upstream) => {
        upstream.destroy();
        if (!client.destroyed) client.end('HTTP/1.1 502 Bad Gateway\r\nContent-Length: 0\r\nConnection: close\r\n\r\n');
      },
    );
  }

  const server = createServer(onRequest);
  if (options.maxConnections !== undefined) server.maxConnections = options.maxConnections;
  server.on('connect', onConnect);
  server.on('clientError', (_error, socket) => socket.destroy());
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.address.port, options.address.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const bound = server.address();
  const port = typeof bound === 'object' && bound ? bound.port : options.address.port;

  return {
    address: { host: options.address.host, port },
    setGate(next) {
      gate = next;
      let closed = 0;
      for (const tunnel of [...tunnels]) {
        if (!next(tunnel.host).blocked) continue;
        tunnels.delete(tunnel);
        tunnel.client.destroy();
        tunnel.upstream.destroy();
        closed++;
      }
      for (const [socket, hosts] of [...clients]) {
        if (![...hosts].some((h) => next(h).blocked)) continue;
        clients.delete(socket);
        socket.destroy();
        closed++;
      }
      return closed;
    },
    async close() {
      for (const tunnel of tunnels) {
        tunnel.client.destroy();
        tunnel.upstream.destroy();
      }
      tunnels.clear();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

