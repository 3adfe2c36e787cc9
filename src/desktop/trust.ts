/**
 * The tray's trust decisions, as pure functions with hostile inputs in their
 * tests: which URLs its windows may show, which frames may talk to main.
 * The tray shows only its own pages, shipped with it; everything else
 * (navigation, new windows, permissions) is refused.
 */

/** The pages the tray ships, by file name: nothing else is loaded or trusted. */
export const PAGES = ['status.html', 'why.html', 'unlock.html', 'notice.html'] as const;
export type PageName = (typeof PAGES)[number];

/**
 * Whether `url` is one of our pages inside `pagesDirUrl` (a file: URL ending in
 * a slash). Compared after URL parsing, so `..`, encoded slashes, queries to
 * other files, and other schemes do not pass.
 */
export function isOwnPage(url: string, pagesDirUrl: string): boolean {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return false;
  }
  if (parsed.protocol !== 'file:' || parsed.host !== '' || parsed.username !== '' || parsed.password !== '') return false;
  if (!pagesDirUrl.endsWith('/')) return false;
  const dir = new URL(pagesDirUrl).pathname;
  if (!parsed.pathname.startsWith(dir)) return false;
  const name = parsed.pathname.slice(dir.length);
  return (PAGES as readonly string[]).includes(name);
}

/**
 * The Content-Security-Policy of every tray page: only its own scripts and
 * styles, no inline script, nothing from the network, no frames or forms
 * posting elsewhere. Also in each page's meta tag (tested in Chromium).
 */
export const CONTENT_SECURITY_POLICY = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; connect-src 'none'; frame-src 'none'; object-src 'none'; base-uri 'none'; form-action 'none'";
