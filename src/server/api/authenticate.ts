import type { IncomingMessage } from 'node:http';
import { bearerToken, credentialMatches, deviceIdOf } from '../auth/device-credentials.ts';
import { csrfTokenMatches, CSRF_HEADER, SESSION_COOKIE } from '../auth/sessions.ts';
import { parseCookies } from '../http/cookies.ts';
import { forbidden, HttpError, unauthenticated } from '../http/http-error.ts';
import type { ApiContext } from './context.ts';
import type { Access, DevicePrincipal, UserPrincipal } from './route.ts';

/**
 * Who is calling, checked against the route's access before anything else
 * is read: 401 without a valid session or device credential, 403 with the
 * wrong role or without the CSRF token a state-changing request needs.
 */

const SAFE_METHODS = new Set(['GET', 'HEAD']);

export function isStateChanging(method: string | undefined): boolean {
  return !SAFE_METHODS.has(method ?? 'GET');
}

/**
 * Defence in depth behind the CSRF token: a browser says where a request
 * comes from (Origin, Sec-Fetch-Site); a request another site made is
 * refused outright. Clients that are not browsers send neither and pass.
 */
export function checkSameOrigin(req: IncomingMessage): void {
  if (req.headers['sec-fetch-site'] === 'cross-site') throw new HttpError(403, 'csrf-failed', 'Cross-site requests are refused.');
  const origin = req.headers.origin;
  if (origin === undefined || origin === 'null') return;
  let host: string;
  try {
    host = new URL(origin).host;
  } catch {
    throw new HttpError(403, 'csrf-failed', 'The Origin header is not a valid origin.');
  }
  if (host !== req.headers.host) throw new HttpError(403, 'csrf-failed', `Requests from ${origin} are refused; use the Lesmodus web app itself.`);
}

export function sessionTokenOf(req: IncomingMessage): string | undefined {
  return parseCookies(req.headers.cookie).get(SESSION_COOKIE);
}

async function authenticateUser(req: IncomingMessage, roles: readonly string[], api: ApiContext, now: number): Promise<UserPrincipal> {
  const token = sessionTokenOf(req);
  if (token === undefined || token === '') throw unauthenticated();
  const session = await api.sessions.resolve(token, now);
  if (session === null) throw unauthenticated('Your session has expired or was ended; log in again.');
  if (!roles.includes(session.user.role)) {
    throw forbidden(`This needs the role ${roles.join(' or ')}; you are logged in as a${session.user.role === 'admin' ? 'n' : ''} ${session.user.role}.`);
  }
  if (isStateChanging(req.method)) {
    const sent = req.headers[CSRF_HEADER];
    if (!csrfTokenMatches(token, typeof sent === 'string' ? sent : undefined)) {
      throw new HttpError(403, 'csrf-failed', `Send the session's CSRF token (from GET /api/v1/me) in the ${CSRF_HEADER} header.`);
    }
  }
  return { kind: 'user', user: session.user, sessionToken: token, sessionExpiresAt: session.expiresAt };
}

async function authenticateDevice(req: IncomingMessage, api: ApiContext): Promise<DevicePrincipal> {
  const credential = bearerToken(req.headers.authorization);
  const deviceId = credential === null ? null : deviceIdOf(credential);
  if (credential === null || deviceId === null) throw unauthenticated('Send the device credential from enrollment as "Authorization: Bearer …".');
  const device = await api.store.device(deviceId);
  if (device === null || !credentialMatches(credential, device.credentialHash)) {
    throw unauthenticated('The device credential is not valid; the device must enroll again.');
  }
  // Checked after the credential: only the laptop itself learns that it was revoked.
  if (device.revokedAt !== null) {
    throw unauthenticated(`This device was revoked by the school on ${new Date(device.revokedAt).toISOString()} (lost or stolen laptop); `
      + 'it gets no schedules or grants. Ask the school\'s IT to restore it.');
  }
  return { kind: 'device', device };
}

export async function authenticate(access: Access, req: IncomingMessage, api: ApiContext, now: number): Promise<UserPrincipal | DevicePrincipal | null> {
  if (access.kind !== 'device' && isStateChanging(req.method)) checkSameOrigin(req);
  switch (access.kind) {
    case 'public': return null;
    case 'user': return authenticateUser(req, access.roles, api, now);
    case 'device': return authenticateDevice(req, api);
  }
}
