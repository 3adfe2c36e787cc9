import type { z } from 'zod';
import { DeviceEventSchema, NewEventSchema, type DeviceEvent, type NewEvent } from './schema.ts';

/** One thing wrong with an event, by field: `path` is like "payload.lesson.start" or "[3].seq" ("" for the whole value). */
export interface FieldIssue {
  readonly path: string;
  readonly message: string;
}

export type ParseResult<T> =
  | { readonly ok: true; readonly value: T }
  | { readonly ok: false; readonly issues: readonly FieldIssue[] };

/**
 * Property names that mean someone tried to record browsing or screen data.
 * They are refused like any unknown field, with a message that says why, so
 * whoever added them learns the rule instead of just renaming the field.
 */
const PRIVACY_FIELDS = new Set([
  'url', 'href', 'uri', 'domain', 'host', 'hostname', 'path', 'query',
  'title', 'windowtitle', 'pagetitle', 'screenshot', 'image', 'keystrokes', 'keys', 'text', 'message', 'note', 'comment',
]);

export function pathToString(path: readonly PropertyKey[]): string {
  return path.map((p) => (typeof p === 'number' ? `[${p}]` : `.${String(p)}`)).join('').replace(/^\./, '');
}

/** Zod issues as one issue per field; an unknown property becomes an issue at that property's own path. */
export function fieldIssues(error: z.ZodError): FieldIssue[] {
  return error.issues.flatMap((issue): FieldIssue[] => {
    if (issue.code === 'unrecognized_keys') {
      return issue.keys.map((key) => ({
        path: pathToString([...issue.path, key]),
        message: PRIVACY_FIELDS.has(key.toLowerCase())
          ? 'is never recorded (privacy: events carry no URLs, titles, screenshots, keystrokes or free text)'
          : 'is not a field of this event type',
      }));
    }
    return [{ path: pathToString(issue.path), message: issue.message }];
  });
}

/** "payload.count: at least 1; seq: must be 1 or more" */
export function describeIssues(issues: readonly FieldIssue[]): string {
  return issues.map((i) => `${i.path || '(event)'}: ${i.message}`).join('; ');
}

/** A missing field says so, instead of zod's "expected string, received undefined". */
export const MISSING_IS_REQUIRED = { error: (issue: { code?: string; input?: unknown }) => (issue.code === 'invalid_type' && issue.input === undefined ? 'is required' : undefined) };

function parseWith<T>(schema: z.ZodType<T>, input: unknown): ParseResult<T> {
  const result = schema.safeParse(input, MISSING_IS_REQUIRED);
  return result.success ? { ok: true, value: result.data } : { ok: false, issues: fieldIssues(result.error) };
}

/** Validates one stored event (as the server receives it). Never throws. */
export function parseEvent(input: unknown): ParseResult<DeviceEvent> {
  return parseWith(DeviceEventSchema, input);
}

/** Validates an event the agent is about to store (no id or seq yet). Never throws. */
export function parseNewEvent(input: unknown): ParseResult<NewEvent> {
  return parseWith(NewEventSchema, input);
}
