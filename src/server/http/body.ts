import type { IncomingMessage } from 'node:http';
import { HttpError } from './http-error.ts';

/**
 * Reading request bodies with a hard limit. The limit is checked against the
 * declared Content-Length first (refused before a byte is read) and again
 * while streaming (a chunked body cannot declare its size), so a client can
 * never make the server buffer more than the route allows.
 */

function tooLarge(limit: number): HttpError {
  return new HttpError(413, 'payload-too-large', `The request body is larger than the ${limit} bytes this route accepts.`);
}

/** True when the request says it carries a body (a length above 0, or chunked). */
export function hasBody(req: IncomingMessage): boolean {
  const length = req.headers['content-length'];
  if (length !== undefined) return Number(length) > 0;
  return req.headers['transfer-encoding'] !== undefined;
}

/** Refuses a declared length over the limit without reading anything. */
export function checkDeclaredLength(req: IncomingMessage, limit: number): void {
  const length = req.headers['content-length'];
  if (length !== undefined && Number(length) > limit) throw tooLarge(limit);
}

export async function readBody(req: IncomingMessage, limit: number): Promise<Buffer> {
  checkDeclaredLength(req, limit);
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    // Stop reading at once; the connection is closed after the 413 so the rest is never buffered.
    if (size > limit) throw tooLarge(limit);
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
}

/**
 * The body as JSON, or undefined when there is none. A body must be sent as
 * application/json: besides being honest, that content type cannot be sent
 * cross-site by a plain HTML form, which is one layer of the CSRF defence.
 */
export async function readJsonBody(req: IncomingMessage, limit: number): Promise<unknown> {
  if (!hasBody(req)) return undefined;
  const type = (req.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
  if (type !== 'application/json') {
    throw new HttpError(415, 'unsupported-media-type', `Send the body as application/json (got ${type === '' ? 'no content type' : `"${type}"`}).`);
  }
  const bytes = await readBody(req, limit);
  if (bytes.length === 0) return undefined;
  try {
    return JSON.parse(bytes.toString('utf8'));
  } catch (error) {
    throw new HttpError(400, 'invalid-request', `The body is not valid JSON: ${(error as Error).message}.`, {
      issues: [{ path: 'body', message: 'is not valid JSON' }],
    });
  }
}
