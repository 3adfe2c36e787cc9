import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { performance } from 'node:perf_hooks';
import { z } from 'zod';
import { hasBody, readBody, readJsonBody } from '../http/body.ts';
import { clientOf } from '../http/client.ts';
import { HttpError, messageFor, wantsDutch } from '../http/http-error.ts';
import { SECURITY_HEADERS, sendEmpty, sendJson } from '../http/respond.ts';
import { Router } from '../http/router.ts';
import { queryObject, validateRequestPart } from '../http/validate.ts';
import { ServerStoreError } from '../store/index.ts';
import { authenticate } from './authenticate.ts';
import type { ApiContext } from './context.ts';
import type { AnyRoute, RequestScope } from './route.ts';

/**
 * One request through the API: route → who is calling (401/403) → params,
 * query and body validated (400/413/415) → handler → answer validated
 * against its schema → sent. Any failure becomes a JSON error; anything
 * unexpected a 500 with only a request id, the details logged server-side.
 */

/** Bodies of most routes are a few hundred bytes; 64 KiB leaves room and refuses junk early. */
export const DEFAULT_BODY_LIMIT = 64 * 1024;

const NO_INPUT = z.strictObject({});

export type RequestHandler = (req: IncomingMessage, res: ServerResponse) => Promise<void>;

function storeErrorStatus(error: ServerStoreError): HttpError {
  switch (error.code) {
    case 'invalid-input': return new HttpError(400, 'invalid-request', error.message, { issues: error.issues });
    case 'not-found': return new HttpError(404, 'not-found', error.message);
    case 'conflict': return new HttpError(409, 'conflict', error.message);
    case 'revoked': return new HttpError(403, 'forbidden', error.message);
    default: return new HttpError(503, 'unavailable', 'The database is not available; try again shortly.');
  }
}

function clientError(error: unknown): HttpError | null {
  if (error instanceof HttpError) return error;
  if (error instanceof ServerStoreError) return storeErrorStatus(error);
  return null;
}

function sendError(res: ServerResponse, error: unknown, scope: RequestScope): void {
  const known = clientError(error);
  if (known === null || known.status >= 500) {
    scope.log.error('request failed', { requestId: scope.requestId, method: scope.req.method, error: (error as Error)?.stack ?? String(error) });
  }
  if (res.headersSent) {
    // A stream already under way cannot change its status; cutting it tells the client it is incomplete.
    res.destroy();
    return;
  }
  const status = known?.status ?? 500;
  // The portal asks in its own language; the CLI, agents and scripts get English (and the details) as before.
  const dutch = wantsDutch(scope.req.headers['accept-language']);
  const body = known === null
    ? { error: 'internal', message: dutch ? `Er ging iets mis op de server. Noem verzoeknummer ${scope.requestId} aan de beheerder.` : `Something went wrong on the server. Quote request id ${scope.requestId} to the administrator.`, requestId: scope.requestId }
    : { error: known.code, message: messageFor(known, dutch), ...(dutch ? { detail: known.message } : {}), requestId: scope.requestId, ...(known.issues.length > 0 ? { issues: known.issues } : {}) };
  // After a 413 the rest of the body is never read, so the connection cannot be reused.
  const close: Record<string, string> = status === 413 ? { connection: 'close' } : {};
  sendJson(res, status, body, { ...scope.headers, ...known?.headers, ...close, 'x-request-id': scope.requestId });
}

async function bodyOf(route: AnyRoute, req: IncomingMessage): Promise<unknown> {
  const limit = route.bodyLimit ?? DEFAULT_BODY_LIMIT;
  if (route.body === undefined) {
    // Read and drop (bounded): an unexpected body must not linger in the connection.
    if (hasBody(req)) await readBody(req, limit);
    return undefined;
  }
  return validateRequestPart(route.body, await readJsonBody(req, limit), 'body');
}

/** A year, the usual HSTS lifetime; sent only on answers that came over HTTPS. */
export const HSTS = 'max-age=31536000';

export function createApiHandler(routes: readonly AnyRoute[], api: ApiContext): RequestHandler {
  const router = new Router(routes);
  return async (req, res) => {
    const started = performance.now();
    const client = clientOf(req, api.settings.trustedProxies);
    const scope: RequestScope = {
      requestId: randomUUID(),
      now: api.clock(),
      address: client.address,
      https: client.https,
      req,
      res,
      log: api.logger,
      // Over HTTPS, browsers are told to stay on it (a school's users reach the server by name through its proxy).
      headers: client.https ? { 'strict-transport-security': HSTS } : {},
      status: null,
    };
    let who = '-';
    res.once('close', () => {
      scope.log.info('request', {
        requestId: scope.requestId, method: req.method, path: (req.url ?? '').split('?')[0], status: res.statusCode,
        ms: Math.round(performance.now() - started), who,
      });
    });
    try {
      const url = new URL(req.url ?? '/', 'http://server');
      const { route, params } = router.match(req.method ?? 'GET', url.pathname);
      const principal = await authenticate(route.access, req, api, scope.now);
      if (principal !== null) who = principal.kind === 'user' ? `user:${principal.user.username}` : `device:${principal.device.id}`;
      const input = {
        principal,
        params: validateRequestPart(route.params ?? NO_INPUT, params, 'params'),
        query: validateRequestPart(route.query ?? NO_INPUT, queryObject(url.searchParams), 'query'),
        body: await bodyOf(route, req),
        scope,
      };
      const result = await route.handle(input, api);
      const reply = route.reply;
      if (reply.kind === 'stream') return;
      if (reply.kind === 'empty') {
        sendEmpty(res, 204, { ...scope.headers, 'x-request-id': scope.requestId });
        return;
      }
      const checked = reply.schema.safeParse(result);
      if (!checked.success) throw new Error(`the answer of ${route.method} ${route.path} does not fit its schema: ${checked.error.message}`);
      sendJson(res, scope.status ?? reply.status, checked.data, { ...scope.headers, 'x-request-id': scope.requestId });
    } catch (error) {
      sendError(res, error, scope);
    }
  };
}

/** Headers for a stream a handler writes itself. */
export function streamHeaders(scope: RequestScope, contentType: string, extra: Record<string, string> = {}): Record<string, string | string[]> {
  return { ...SECURITY_HEADERS, ...scope.headers, ...extra, 'content-type': contentType, 'x-request-id': scope.requestId };
}
