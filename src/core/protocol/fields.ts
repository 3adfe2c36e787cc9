import { z } from 'zod';

/**
 * The building blocks of the device API's bodies and answers, shared with
 * the server's store (which validates the same shapes again before keeping
 * them): bounded strings without control characters, instants as epoch
 * milliseconds.
 */

const NO_CONTROL_CHARACTERS = /^[^\p{Cc}]*$/u;

/** A key or label: bounded, no control characters (it ends up in CSV exports and logs). */
export function text(max: number) {
  return z.string().min(1, 'must not be empty').max(max, `at most ${max} characters`)
    .regex(NO_CONTROL_CHARACTERS, 'must not contain control characters');
}

export const Instant = z.number().int('must be whole epoch milliseconds').nonnegative('must not be before 1970');
export const Key = text(128);
export const Label = text(200);
