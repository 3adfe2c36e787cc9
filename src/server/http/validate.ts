import type { z } from 'zod';
import { fieldIssues } from '../../core/events/parse.ts';
import { invalidRequest } from './http-error.ts';

/** Where in the request a value came from; issue paths start with it ("body.reason", "query.date"). */
export type RequestPart = 'params' | 'query' | 'body';

/**
 * A field that is simply not there says "is required", whatever its type
 * (zod would otherwise describe an absent enum as a wrong option).
 */
const MISSING_IS_REQUIRED = {
  error: (issue: { code?: string; input?: unknown }) =>
    issue.input === undefined && (issue.code === 'invalid_type' || issue.code === 'invalid_value' || issue.code === 'invalid_union') ? 'is required' : undefined,
};

/** Parses one part of a request with its schema, or throws a 400 that names every wrong field. */
export function validateRequestPart<T>(schema: z.ZodType<T>, value: unknown, part: RequestPart): T {
  const result = schema.safeParse(value, MISSING_IS_REQUIRED);
  if (result.success) return result.data;
  throw invalidRequest(fieldIssues(result.error).map((i) => ({ path: i.path === '' ? part : `${part}.${i.path}`, message: i.message })));
}

/**
 * The query string as an object. A repeated key is refused rather than
 * silently taking one value: "?school=a&school=b" is ambiguous.
 */
export function queryObject(search: URLSearchParams): Record<string, string> {
  const out: Record<string, string> = {};
  const repeated: string[] = [];
  for (const [key, value] of search) {
    if (Object.hasOwn(out, key)) repeated.push(key);
    out[key] = value;
  }
  if (repeated.length > 0) throw invalidRequest(repeated.map((key) => ({ path: `query.${key}`, message: 'is given more than once' })));
  return out;
}
