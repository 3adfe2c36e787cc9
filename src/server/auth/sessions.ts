import type { ServerStore, User } from '../store/index.ts';
import { hmacBase64Url, randomToken, sameSecret, sha256Hex } from './tokens.ts';

/**
 * Web UI sessions. The browser holds a random token in an HttpOnly cookie;
 * the store keeps only its SHA-256, so a copy of the database cannot be used
 * to log in.
 *
 * CSRF: every state-changing request must also carry X-CSRF-Token, an HMAC
 * of the session token. The UI gets it from POST /session or GET /me (a
 * same-origin read no other site can make); another site can neither read
 * it nor compute it without the cookie, which script cannot read. Being
 * derived, it needs no storage and dies with the session.
 */

/** A school day with evening marking; after that the teacher logs in again. */
export const SESSION_LIFETIME_MS = 12 * 3_600_000;
export const SESSION_COOKIE = 'lesmodus_session';
export const CSRF_HEADER = 'x-csrf-token';
/** Binds the derived token to its purpose, so the HMAC of a session token is useful for nothing else. */
const CSRF_PURPOSE = 'lesmodus csrf v1';

export interface NewSession {
  readonly token: string;
  readonly csrfToken: string;
  readonly expiresAt: number;
}

export class Sessions {
  readonly #store: ServerStore;

  constructor(store: ServerStore) {
    this.#store = store;
  }

  async create(username: string, now: number): Promise<NewSession> {
    const token = randomToken();
    const expiresAt = now + SESSION_LIFETIME_MS;
    await this.#store.createSession({ tokenHash: sha256Hex(token), username, createdAt: now, expiresAt });
    return { token, csrfToken: csrfTokenFor(token), expiresAt };
  }

  /** The session's user, unless the token is unknown or expired. */
  async resolve(token: string, now: number): Promise<{ user: User; expiresAt: number } | null> {
    const found = await this.#store.session(sha256Hex(token), now);
    return found === null ? null : { user: found.user, expiresAt: found.session.expiresAt };
  }

  async destroy(token: string): Promise<void> {
    await this.#store.deleteSession(sha256Hex(token));
  }
}

export function csrfTokenFor(sessionToken: string): string {
  return hmacBase64Url(sessionToken, CSRF_PURPOSE);
}

export function csrfTokenMatches(sessionToken: string, sent: string | undefined): boolean {
  return sent !== undefined && sameSecret(csrfTokenFor(sessionToken), sent);
}
