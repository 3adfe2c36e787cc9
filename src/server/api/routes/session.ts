import { hashPassword, verifyPassword, type ScryptCost } from '../../auth/passwords.ts';
import { csrfTokenFor, SESSION_COOKIE, SESSION_LIFETIME_MS } from '../../auth/sessions.ts';
import { sessionCookie } from '../../http/cookies.ts';
import { HttpError, unauthenticated } from '../../http/http-error.ts';
import { USER_ROLES } from '../../store/index.ts';
import { defineRoute, PUBLIC, users, type AnyRoute } from '../route.ts';
import { LoginBody, SessionViewSchema } from '../schemas/people.ts';
import { userView } from '../views.ts';

/** Logging in and out of the web UI, and "who am I" (which also hands out the CSRF token). */

const dummyHashes = new Map<string, Promise<string>>();

/**
 * A hash to check unknown usernames against, so a login for an unknown user
 * takes as long as one with a wrong password and does not reveal which
 * usernames exist.
 */
function dummyHash(cost: ScryptCost): Promise<string> {
  const key = `${cost.N}/${cost.r}/${cost.p}`;
  let hash = dummyHashes.get(key);
  if (hash === undefined) {
    hash = hashPassword('not the password of anyone', cost);
    dummyHashes.set(key, hash);
  }
  return hash;
}

const login = defineRoute({
  method: 'POST',
  path: '/api/v1/session',
  tag: 'session',
  summary: 'Log in: sets the HttpOnly session cookie and returns the CSRF token.',
  description: 'Rate limited per username and address: after 5 wrong passwords in 15 minutes the answer is 429 with Retry-After.',
  access: PUBLIC,
  body: LoginBody,
  reply: { kind: 'json', status: 200, schema: SessionViewSchema, description: 'Logged in.' },
  async handle({ body, scope }, api) {
    const wait = api.loginGuard.retryAfter(body.username, scope.address, scope.now);
    if (wait > 0) {
      const seconds = Math.ceil(wait / 1000);
      throw new HttpError(429, 'too-many-requests', `Too many failed logins; try again in ${Math.ceil(seconds / 60)} minute(s).`, {
        headers: { 'retry-after': String(seconds) },
      });
    }
    const user = await api.store.user(body.username);
    const matches = await verifyPassword(body.password, user?.passwordHash ?? await dummyHash(api.settings.passwordCost));
    if (user === null || !matches) {
      api.loginGuard.failed(body.username, scope.address, scope.now);
      throw unauthenticated('Wrong username or password.');
    }
    api.loginGuard.succeeded(body.username, scope.address);
    const session = await api.sessions.create(user.username, scope.now);
    scope.headers['set-cookie'] = sessionCookie(SESSION_COOKIE, session.token, { maxAge: SESSION_LIFETIME_MS / 1000, secure: api.settings.secureCookies });
    return { user: userView(user), csrfToken: session.csrfToken, expiresAt: session.expiresAt };
  },
});

const logout = defineRoute({
  method: 'DELETE',
  path: '/api/v1/session',
  tag: 'session',
  summary: 'Log out: ends the session and clears the cookie.',
  access: users(...USER_ROLES),
  reply: { kind: 'empty', description: 'Logged out.' },
  async handle({ principal, scope }, api) {
    await api.sessions.destroy(principal.sessionToken);
    scope.headers['set-cookie'] = sessionCookie(SESSION_COOKIE, '', { maxAge: 0, secure: api.settings.secureCookies });
  },
});

const me = defineRoute({
  method: 'GET',
  path: '/api/v1/me',
  tag: 'session',
  summary: 'The logged-in user, and the CSRF token to send with state-changing requests.',
  access: users(...USER_ROLES),
  reply: { kind: 'json', status: 200, schema: SessionViewSchema, description: 'The session.' },
  async handle({ principal }) {
    return { user: userView(principal.user), csrfToken: csrfTokenFor(principal.sessionToken), expiresAt: principal.sessionExpiresAt };
  },
});

export const sessionRoutes: readonly AnyRoute[] = [login, logout, me];
