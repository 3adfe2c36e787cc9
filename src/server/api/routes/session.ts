import { csrfTokenFor, SESSION_COOKIE, SESSION_LIFETIME_MS } from '../../auth/sessions.ts';
import { sessionCookie } from '../../http/cookies.ts';
import { USER_ROLES } from '../../store/index.ts';
import { checkPassword } from '../password-check.ts';
import { defineRoute, PUBLIC, users, type AnyRoute } from '../route.ts';
import { LoginBody, SessionViewSchema } from '../schemas/people.ts';
import { userView } from '../views.ts';

/** Logging in and out of the web UI, and "who am I" (which also hands out the CSRF token). */

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
    const user = await checkPassword(api, body.username, body.password, scope.address, scope.now);
    const session = await api.sessions.create(user.username, scope.now);
    scope.headers['set-cookie'] = sessionCookie(SESSION_COOKIE, session.token, { maxAge: SESSION_LIFETIME_MS / 1000, secure: api.settings.secureCookies || scope.https });
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
    scope.headers['set-cookie'] = sessionCookie(SESSION_COOKIE, '', { maxAge: 0, secure: api.settings.secureCookies || scope.https });
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
