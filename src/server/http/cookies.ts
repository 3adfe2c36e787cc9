/** Reading the Cookie header and writing Set-Cookie values (RFC 6265), for the session cookie only. */

export function parseCookies(header: string | undefined): Map<string, string> {
  const cookies = new Map<string, string>();
  if (header === undefined) return cookies;
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq <= 0) continue;
    const name = part.slice(0, eq).trim();
    const value = part.slice(eq + 1).trim().replace(/^"(.*)"$/, '$1');
    // The first one wins, as browsers send the most specific path first.
    if (!cookies.has(name)) cookies.set(name, value);
  }
  return cookies;
}

export interface CookieOptions {
  /** Seconds; 0 deletes the cookie. */
  readonly maxAge: number;
  /** Only over HTTPS; on when the server is reached through TLS (a reverse proxy). */
  readonly secure: boolean;
}

/**
 * HttpOnly (no script can read it, so an XSS cannot steal the session),
 * SameSite=Strict (never sent on a cross-site request, the first CSRF layer),
 * Path=/ (the whole app).
 */
export function sessionCookie(name: string, value: string, options: CookieOptions): string {
  const parts = [`${name}=${value}`, 'Path=/', 'HttpOnly', 'SameSite=Strict', `Max-Age=${Math.max(0, Math.floor(options.maxAge))}`];
  if (options.secure) parts.push('Secure');
  return parts.join('; ');
}
