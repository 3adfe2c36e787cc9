import { readFile } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { fileURLToPath } from 'node:url';
import type { SiteHandler } from '../app/server-app.ts';

/**
 * The web UI (teacher portal, leader dashboard): a handful of static files.
 * Every page path answers the same HTML shell; the browser script picks the
 * page and asks the API, which enforces roles on every call. Nothing here
 * knows about sessions, so the UI can never grant more than the API allows.
 */

const ASSETS_DIR = fileURLToPath(new URL('./assets/', import.meta.url));

/** Paths the API answers itself (with JSON, also for a 404). */
const API_PATHS = /^\/(api\/|healthz$)/;

/** Paths that are pages of the single HTML shell. */
const PAGE_PATTERNS: readonly RegExp[] = [
  /^\/$/, /^\/login$/, /^\/lessen$/, /^\/leiding$/, /^\/leiding\/uitzondering\/[A-Za-z0-9_-]{1,128}$/, /^\/geen-toegang$/, /^\/beheer$/,
];

const CONTENT_TYPES: Readonly<Record<string, string>> = {
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.html': 'text/html; charset=utf-8',
  '.svg': 'image/svg+xml',
};

/** Strict: only our own files, no inline script or style, no framing, nothing from elsewhere. */
export const CONTENT_SECURITY_POLICY =
  "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; "
  + "form-action 'self'; frame-ancestors 'none'; base-uri 'none'; object-src 'none'";

/**
 * What a request path maps to: the HTML shell for a page, an asset file for
 * /assets/<name>, or null (not ours). Asset names are a flat, plain set, so
 * no path can climb out of the folder.
 */
export type SiteTarget =
  | { kind: 'page' }
  | { kind: 'asset'; file: string; type: string }
  /** A page path written with a trailing slash ("/lessen/"): the same page, at its one address. */
  | { kind: 'redirect'; location: string }
  /** Not a page: people get a page that says so, in Dutch (the API's own paths keep their JSON 404). */
  | { kind: 'not-found' };

export function resolveSitePath(path: string): SiteTarget | null {
  if (PAGE_PATTERNS.some((p) => p.test(path))) return { kind: 'page' };
  if (path.length > 1 && path.endsWith('/')) {
    const bare = path.replace(/\/+$/, '');
    if (PAGE_PATTERNS.some((p) => p.test(bare))) return { kind: 'redirect', location: bare };
  }
  if (API_PATHS.test(path)) return null;
  const asset = /^\/assets\/([a-z0-9-]{1,64})(\.js|\.css|\.svg)$/.exec(path);
  if (asset === null) return { kind: 'not-found' };
  return { kind: 'asset', file: `${asset[1]!}${asset[2]!}`, type: CONTENT_TYPES[asset[2]!]! };
}

export function createSite(options: { assetsDir?: string } = {}): SiteHandler {
  const dir = options.assetsDir ?? ASSETS_DIR;
  return async (req: IncomingMessage, res: ServerResponse): Promise<boolean> => {
    if (req.method !== 'GET' && req.method !== 'HEAD') return false;
    const [path, query] = (req.url ?? '/').split('?', 2) as [string, string | undefined];
    const target = resolveSitePath(path);
    if (target === null) return false;
    if (target.kind === 'redirect') {
      res.writeHead(308, { location: `${target.location}${query === undefined ? '' : `?${query}`}`, 'content-length': 0 });
      res.end();
      return true;
    }
    const file = target.kind === 'page' ? 'index.html' : target.kind === 'not-found' ? 'not-found.html' : target.file;
    let body: Buffer;
    try {
      body = await readFile(`${dir}${file}`);
    } catch {
      return false;
    }
    res.writeHead(target.kind === 'not-found' ? 404 : 200, {
      'content-type': target.kind === 'asset' ? target.type : CONTENT_TYPES['.html']!,
      'content-length': body.length,
      'content-security-policy': CONTENT_SECURITY_POLICY,
      'x-content-type-options': 'nosniff',
      'referrer-policy': 'same-origin',
      // Pages carry no data (the script fetches it), but keep them fresh so a new version is picked up at once.
      'cache-control': 'no-cache',
    });
    res.end(req.method === 'HEAD' ? undefined : body);
    return true;
  };
}
