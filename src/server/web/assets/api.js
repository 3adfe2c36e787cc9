// @ts-check
// The one way the pages talk to the server: same-origin JSON, the session
// cookie, and the CSRF token (from /api/v1/me or the login) on every
// state-changing request.

import { currentLanguage } from './i18n.js';

let csrfToken = null;

export class ApiError extends Error {
  constructor(status, body) {
    super(body?.message ?? body?.error ?? `HTTP ${status}`);
    this.status = status;
    this.body = body;
  }
}

/** `extra`: more request headers, e.g. { 'idempotency-key': … }. */
export async function api(method, path, body, extra = {}) {
  // The server answers errors in the language the user chose here (not the browser's).
  const headers = { accept: 'application/json', 'accept-language': currentLanguage(), ...extra };
  if (body !== undefined) headers['content-type'] = 'application/json';
  if (method !== 'GET' && csrfToken !== null) headers['x-csrf-token'] = csrfToken;
  const res = await fetch(path, { method, headers, credentials: 'same-origin', body: body === undefined ? undefined : JSON.stringify(body) });
  const text = await res.text();
  const data = text === '' ? null : JSON.parse(text);
  if (!res.ok) throw new ApiError(res.status, data);
  return data;
}

/**
 * A fresh Idempotency-Key. crypto.randomUUID exists only in secure contexts
 * (HTTPS, localhost); a school server reached over plain http on the LAN has
 * getRandomValues still, which is just as random.
 */
export function newIdempotencyKey() {
  if (typeof crypto.randomUUID === 'function') return crypto.randomUUID();
  return Array.from(crypto.getRandomValues(new Uint8Array(16)), (b) => b.toString(16).padStart(2, '0')).join('');
}

/** Who is logged in, or null when nobody is. */
export async function whoAmI() {
  try {
    const session = await api('GET', '/api/v1/me');
    csrfToken = session.csrfToken;
    return session.user;
  } catch (error) {
    if (error instanceof ApiError && error.status === 401) return null;
    throw error;
  }
}

export async function logIn(username, password) {
  const session = await api('POST', '/api/v1/session', { username, password });
  csrfToken = session.csrfToken;
  return session.user;
}

export async function logOut() {
  await api('DELETE', '/api/v1/session');
  csrfToken = null;
}

/** A query string from the filled-in fields only. */
export function queryString(values) {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(values)) if (value !== undefined && value !== null && value !== '') params.set(key, String(value));
  const text = params.toString();
  return text === '' ? '' : `?${text}`;
}

/**
 * A call named by its route, as the server's route table names it
 * ('GET /api/v1/exceptions/:id'): the path's parameters filled in (encoded),
 * the query from its filled-in fields, and the answer (and body) typed from
 * the API's own schemas (api-types.d.ts), so a page cannot read a field the
 * server does not send.
 * @template {keyof import('./api-types').ApiReplies} R
 * @param {R} route
 * @param {{
 *   params?: Record<string, string>,
 *   query?: Record<string, string | number | boolean | undefined | null>,
 *   body?: R extends keyof import('./api-types').ApiBodies ? import('./api-types').ApiBodies[R] : never,
 *   headers?: Record<string, string>,
 * }} [parts]
 * @returns {Promise<import('./api-types').ApiReplies[R]>}
 */
export function request(route, parts = {}) {
  const space = route.indexOf(' ');
  const path = route.slice(space + 1).replace(/:(\w+)/g, (_, name) => {
    const value = parts.params?.[name];
    if (value === undefined) throw new Error(`${route} needs ${name}`);
    return encodeURIComponent(value);
  });
  // A state-changing route always sends a body (the CSRF check wants JSON); {} when it takes none.
  const method = route.slice(0, space);
  const body = parts.body ?? (method === 'GET' || method === 'DELETE' ? undefined : {});
  return api(method, `${path}${queryString(parts.query ?? {})}`, body, parts.headers);
}
