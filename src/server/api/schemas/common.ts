import { z } from 'zod';
import { parseInstant } from '../../../core/time/parse-instant.ts';
import { DEFAULT_TIME_ZONE, parseLocalDate } from '../../../core/time/zoned.ts';
import { MAX_PAGE_SIZE } from '../../store/index.ts';
import { Instant, Key, Label, text } from '../../store/inputs.ts';

/**
 * Building blocks for the API's schemas. Instants in bodies and answers are
 * epoch milliseconds, as in the store and in signed payloads; query strings
 * also take ISO-8601 for people typing URLs.
 */

// The same bounded, control-character-free building blocks the store validates with.
export { Instant, Key, Label, text };

/** Page size when the client does not ask: one screen of the log. */
export const DEFAULT_PAGE_SIZE = 50;

/** "2026-01-12" */
export const DateParam = z.string().refine((s) => parseLocalDate(s) !== undefined, 'must be a date as YYYY-MM-DD');

/**
 * An instant in a query string: epoch milliseconds, or ISO-8601 ("2026-01-12",
 * "2026-01-12T08:30", "2026-01-12T07:30:00Z"); without an offset it is
 * Dutch wall-clock time, as school leaders read it.
 */
export const InstantParam = z.string().transform((s, ctx) => {
  const value = instantFromQuery(s);
  if (value === undefined) {
    ctx.addIssue({ code: 'custom', message: INSTANT_PARAM_MESSAGE });
    return z.NEVER;
  }
  return value;
});

export const INSTANT_PARAM_MESSAGE = 'must be epoch milliseconds or an ISO-8601 date or date-time';

/** What InstantParam reads, for a route that says what is wrong in its own words: undefined for no instant. */
export function instantFromQuery(s: string): number | undefined {
  return /^\d{1,15}$/.test(s) ? Number(s) : parseInstant(s, DEFAULT_TIME_ZONE);
}

export function integerParam(min: number, max: number) {
  return z.string().regex(/^\d{1,9}$/, 'must be a whole number').transform(Number)
    .pipe(z.number().min(min, `at least ${min}`).max(max, `at most ${max}`));
}

export const PageQuery = {
  limit: integerParam(1, MAX_PAGE_SIZE).optional(),
  offset: integerParam(0, 1_000_000_000).optional(),
};

export function pageOf(query: { limit?: number | undefined; offset?: number | undefined }): { limit: number; offset: number } {
  return { limit: query.limit ?? DEFAULT_PAGE_SIZE, offset: query.offset ?? 0 };
}

export const IdParams = z.strictObject({ id: Key });

export const OkSchema = z.object({ ok: z.literal(true) });
