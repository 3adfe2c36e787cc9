import type { ServerResponse } from 'node:http';

/**
 * Headers on every API response: nothing is cached (answers are per user and
 * change), nothing is sniffed into HTML, and no page of ours can be framed.
 */
export const SECURITY_HEADERS: Readonly<Record<string, string>> = {
  'cache-control': 'no-store',
  'x-content-type-options': 'nosniff',
  'x-frame-options': 'DENY',
  'referrer-policy': 'no-referrer',
  'content-security-policy': "default-src 'none'; frame-ancestors 'none'",
};

export function sendJson(res: ServerResponse, status: number, body: unknown, headers: Readonly<Record<string, string | string[]>> = {}): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { ...SECURITY_HEADERS, ...headers, 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

export function sendEmpty(res: ServerResponse, status: number, headers: Readonly<Record<string, string | string[]>> = {}): void {
  res.writeHead(status, { ...SECURITY_HEADERS, ...headers });
  res.end();
}

/** Writes a chunk and waits when the socket's buffer is full, so a slow client never makes the server hold a whole export. */
export async function writeChunk(res: ServerResponse, chunk: string): Promise<void> {
  if (res.destroyed) throw new Error('the client went away');
  if (res.write(chunk)) return;
  await new Promise<void>((resolve, reject) => {
    const done = () => {
      res.off('drain', done);
      res.off('close', gone);
      resolve();
    };
    const gone = () => {
      res.off('drain', done);
      reject(new Error('the client went away'));
    };
    res.once('drain', done);
    res.once('close', gone);
  });
}
