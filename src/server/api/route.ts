import type { IncomingMessage, ServerResponse } from 'node:http';
import type { z } from 'zod';
import type { Logger } from '../http/logger.ts';
import type { Device, User, UserRole } from '../store/index.ts';
import type { ApiContext } from './context.ts';

/**
 * One API route as data: method, path, who may call it, the zod schemas of
 * its parameters, query, body and answer, and its handler. The pipeline
 * enforces access and validates everything in and out from these; the
 * OpenAPI document is generated from the same objects, so it cannot drift.
 */

export type Access =
  | { readonly kind: 'public' }
  | { readonly kind: 'user'; readonly roles: readonly UserRole[] }
  | { readonly kind: 'device' };

export const PUBLIC = { kind: 'public' } as const;
export const DEVICE = { kind: 'device' } as const;
export function users<const R extends readonly UserRole[]>(...roles: R): { readonly kind: 'user'; readonly roles: R } {
  return { kind: 'user', roles };
}

export interface UserPrincipal {
  readonly kind: 'user';
  readonly user: User;
  readonly sessionToken: string;
  readonly sessionExpiresAt: number;
}

export interface DevicePrincipal {
  readonly kind: 'device';
  readonly device: Device;
}

export type PrincipalOf<A extends Access> = A extends { kind: 'user' } ? UserPrincipal : A extends { kind: 'device' } ? DevicePrincipal : null;

/** What a handler knows about the request besides its validated input. */
export interface RequestScope {
  readonly requestId: string;
  /** The server's clock when the request arrived: one "now" for the whole request. */
  readonly now: number;
  /** The client's address (rate limiting, logs): the peer, or what a trusted proxy says it saw. */
  readonly address: string;
  /** Whether the client reached the server over HTTPS (directly or via a trusted proxy). */
  readonly https: boolean;
  readonly req: IncomingMessage;
  readonly res: ServerResponse;
  readonly log: Logger;
  /** Headers to add to the answer (Set-Cookie). */
  readonly headers: Record<string, string | string[]>;
  /** A JSON answer's status when the handler sets it (a replayed request: 200 instead of 201); else the route's reply.status. */
  status: 200 | 201 | null;
}

/** A request header a route reads (the handler checks it), for the OpenAPI document. */
export interface HeaderDoc {
  readonly name: string;
  readonly description: string;
  readonly schema: z.ZodType;
}

export interface RouteInput<A extends Access, P, Q, B> {
  readonly principal: PrincipalOf<A>;
  readonly params: P;
  readonly query: Q;
  readonly body: B;
  readonly scope: RequestScope;
}

export type Reply<R> =
  | { readonly kind: 'json'; readonly status: 200 | 201; readonly schema: z.ZodType<R>; readonly description: string }
  | { readonly kind: 'empty'; readonly description: string }
  /** The handler writes the answer itself (CSV export, Server-Sent Events). */
  | { readonly kind: 'stream'; readonly contentTypes: readonly string[]; readonly description: string };

export type Method = 'GET' | 'POST' | 'PUT' | 'DELETE';

export interface RouteSpec<A extends Access, P, Q, B, R> {
  readonly method: Method;
  /** "/api/v1/grants/:id/revoke" */
  readonly path: string;
  readonly tag: string;
  readonly summary: string;
  readonly description?: string;
  readonly access: A;
  readonly params?: z.ZodType<P>;
  readonly query?: z.ZodType<Q>;
  readonly body?: z.ZodType<B>;
  /** Bytes; DEFAULT_BODY_LIMIT when not set. */
  readonly bodyLimit?: number;
  readonly reply: Reply<R>;
  /** Request headers the handler reads, for the OpenAPI document. */
  readonly requestHeaders?: readonly HeaderDoc[];
  /** Other answers the route gives, by status, for the OpenAPI document (a replay's 200, a 409). */
  readonly otherReplies?: Readonly<Record<string, string>>;
  handle(input: RouteInput<A, P, Q, B>, api: ApiContext): Promise<R>;
}

export type AnyRoute = RouteSpec<Access, any, any, any, any>;

/** Checks one route's types where it is written, then erases them for the route table. */
export function defineRoute<const A extends Access, P = undefined, Q = undefined, B = undefined, R = void>(spec: RouteSpec<A, P, Q, B, R>): AnyRoute {
  return spec as unknown as AnyRoute;
}
