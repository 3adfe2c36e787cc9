import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Logger } from './logger.ts';

/** Starting and stopping the HTTP server around a request handler. */

/** A slow or stalled client gets this long to send its headers (a slowloris holds a socket otherwise). */
export const HEADERS_TIMEOUT_MS = 20_000;
/**
 * … and this long for the whole request, body included. Only the request:
 * a long-lived answer (the device stream) is not cut by it.
 */
export const REQUEST_TIMEOUT_MS = 60_000;
/** How long a shutdown waits for requests in flight before cutting the remaining connections. */
export const SHUTDOWN_GRACE_MS = 5_000;

export interface Listening {
  readonly server: Server;
  /** "http://127.0.0.1:8420" */
  readonly url: string;
  readonly port: number;
  /** Stops accepting, runs `beforeClose` (end live streams), waits for requests in flight, then cuts what is left. */
  close(beforeClose?: () => void): Promise<void>;
}

export async function listen(
  handler: (req: IncomingMessage, res: ServerResponse) => Promise<void>,
  address: { readonly host: string; readonly port: number },
  logger: Logger,
): Promise<Listening> {
  // Requests whose answer is not finished: a shutdown waits for these, then cuts every other connection
  // (idle keep-alive ones, and spare ones an HTTP client opened but never used).
  let inFlight = 0;
  let onDrained: (() => void) | null = null;
  const server = createServer((req, res) => {
    inFlight++;
    res.once('close', () => {
      inFlight--;
      if (inFlight === 0) onDrained?.();
    });
    handler(req, res).catch((error: unknown) => {
      logger.error('unhandled request failure', { error: (error as Error)?.stack ?? String(error) });
      if (!res.headersSent) res.writeHead(500).end();
      else res.destroy();
    });
  });
  server.headersTimeout = HEADERS_TIMEOUT_MS;
  server.requestTimeout = REQUEST_TIMEOUT_MS;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(address.port, address.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;
  const host = address.host.includes(':') ? `[${address.host}]` : address.host;
  let closing: Promise<void> | null = null;
  return {
    server,
    url: `http://${host}:${port}`,
    port,
    close(beforeClose) {
      closing ??= new Promise<void>((resolve) => {
        const grace = setTimeout(() => server.closeAllConnections(), SHUTDOWN_GRACE_MS);
        grace.unref();
        server.close(() => {
          clearTimeout(grace);
          resolve();
        });
        beforeClose?.();
        onDrained = () => server.closeAllConnections();
        if (inFlight === 0) onDrained();
        else server.closeIdleConnections();
      });
      return closing;
    },
  };
}
