import type { IncomingMessage } from 'node:http';
import type { TLSSocket } from 'node:tls';
import { inCidr } from '../../core/network/school-network.ts';

/**
 * Who is asking, and over what. Behind a TLS-terminating reverse proxy every
 * request comes from the proxy's address over plain HTTP: the client and its
 * scheme are in X-Forwarded-For and X-Forwarded-Proto, which anyone can also
 * send. So they are read only from a configured proxy, and only the last hop
 * that proxy added counts (earlier entries are the client's own claims).
 */

export interface Client {
  /** The client's address: for rate limits and logs. */
  readonly address: string;
  /** Whether the client reached us over HTTPS (directly, or via a trusted proxy that says so). */
  readonly https: boolean;
}

/** "::ffff:10.0.0.1" as Node reports an IPv4 peer on a dual-stack socket, as "10.0.0.1". */
function plain(address: string): string {
  return address.startsWith('::ffff:') && address.includes('.') ? address.slice(7) : address;
}

function isTrusted(address: string, trustedProxies: readonly string[]): boolean {
  return trustedProxies.some((proxy) => (proxy.includes('/') ? inCidr(address, proxy) : plain(proxy) === address));
}

function header(req: IncomingMessage, name: string): string | undefined {
  const value = req.headers[name];
  return Array.isArray(value) ? value.join(',') : value;
}

export function clientOf(req: IncomingMessage, trustedProxies: readonly string[]): Client {
  const peer = plain(req.socket.remoteAddress ?? 'unknown');
  const direct = { address: peer, https: (req.socket as TLSSocket).encrypted === true };
  if (!isTrusted(peer, trustedProxies)) return direct;
  const hops = (header(req, 'x-forwarded-for') ?? '').split(',').map((h) => plain(h.trim())).filter((h) => h !== '');
  // From the right: skip our own proxies; the first other address is the one a trusted proxy saw.
  const client = [...hops].reverse().find((hop) => !isTrusted(hop, trustedProxies)) ?? hops[0] ?? peer;
  const proto = (header(req, 'x-forwarded-proto') ?? '').split(',').pop()?.trim().toLowerCase();
  return { address: client, https: direct.https || proto === 'https' };
}
