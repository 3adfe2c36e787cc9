import { HttpError } from './http-error.ts';

/**
 * A tiny router: "/api/v1/grants/:id/revoke" patterns, exact segments, no
 * wildcards or regexes, so which route answers a path is obvious from the
 * route table. Unknown paths are 404; a known path with another method 405
 * (with an Allow header).
 */

export interface Routable {
  readonly method: string;
  readonly path: string;
}

interface Compiled<T extends Routable> {
  readonly route: T;
  readonly segments: readonly ({ readonly literal: string } | { readonly param: string })[];
}

export interface Match<T> {
  readonly route: T;
  readonly params: Readonly<Record<string, string>>;
}

function compile<T extends Routable>(route: T): Compiled<T> {
  const segments = route.path.split('/').slice(1).map((s) => (s.startsWith(':') ? { param: s.slice(1) } : { literal: s }));
  return { route, segments };
}

function decodeSegment(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    throw new HttpError(400, 'invalid-request', 'The path is not validly percent-encoded.', { issues: [{ path: 'path', message: 'bad percent-encoding' }] });
  }
}

export class Router<T extends Routable> {
  readonly #routes: Compiled<T>[];

  constructor(routes: readonly T[]) {
    this.#routes = routes.map(compile);
    const seen = new Set<string>();
    for (const { route } of this.#routes) {
      const key = `${route.method} ${route.path.replace(/:[^/]+/g, ':')}`;
      if (seen.has(key)) throw new Error(`two routes answer ${route.method} ${route.path}`);
      seen.add(key);
    }
  }

  get routes(): readonly T[] {
    return this.#routes.map((c) => c.route);
  }

  /** The route for this method and path (without the query string), or a 404/405 HttpError. */
  match(method: string, pathname: string): Match<T> {
    const parts = pathname.split('/').slice(1);
    const allowed: string[] = [];
    // Literal segments beat parameters, so "/exceptions/export" is never read as "/exceptions/:id".
    let best: { match: Match<T>; literals: number } | null = null;
    for (const { route, segments } of this.#routes) {
      if (segments.length !== parts.length) continue;
      const params: Record<string, string> = {};
      let literals = 0;
      const fits = segments.every((segment, i) => {
        const part = parts[i]!;
        if ('literal' in segment) {
          literals++;
          return segment.literal === part;
        }
        if (part === '') return false;
        params[segment.param] = decodeSegment(part);
        return true;
      });
      if (!fits) continue;
      if (route.method !== method && !(method === 'HEAD' && route.method === 'GET')) {
        allowed.push(route.method);
        continue;
      }
      if (best === null || literals > best.literals) best = { match: { route, params }, literals };
    }
    if (best !== null) return best.match;
    if (allowed.length > 0) {
      const allow = [...new Set(allowed)].join(', ');
      throw new HttpError(405, 'method-not-allowed', `${method} is not allowed here; use ${allow}.`, { headers: { allow } });
    }
    throw new HttpError(404, 'not-found', `There is no ${pathname}. The API is described at /api/v1/openapi.json.`);
  }
}
