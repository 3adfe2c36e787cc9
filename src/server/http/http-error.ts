import type { FieldIssue } from '../../core/events/parse.ts';

/**
 * An error the client may see: a status, a stable code a UI can switch on,
 * and a message that says what was wrong and what to do. Anything that is not
 * an HttpError (or a store error mapped to one) becomes a 500 with only a
 * request id, so no stack trace or internal detail ever reaches a client.
 */
export const HTTP_ERROR_CODES = [
  'invalid-request',
  'unauthenticated',
  'forbidden',
  'csrf-failed',
  'not-found',
  'method-not-allowed',
  'conflict',
  /** An exception that would lift nothing: the student lacks the consent it needs (III.B.9). */
  'consent-missing',
  'payload-too-large',
  'unsupported-media-type',
  'too-many-requests',
  'internal',
  'unavailable',
] as const;
export type HttpErrorCode = (typeof HTTP_ERROR_CODES)[number];

export class HttpError extends Error {
  readonly status: number;
  readonly code: HttpErrorCode;
  readonly issues: readonly FieldIssue[];
  readonly headers: Readonly<Record<string, string>>;

  constructor(status: number, code: HttpErrorCode, message: string, options: { issues?: readonly FieldIssue[]; headers?: Record<string, string> } = {}) {
    super(message);
    this.name = 'HttpError';
    this.status = status;
    this.code = code;
    this.issues = options.issues ?? [];
    this.headers = options.headers ?? {};
  }
}

/** 400 naming each wrong field, e.g. "body.reason: is required". */
export function invalidRequest(issues: readonly FieldIssue[]): HttpError {
  const shown = issues.slice(0, 10).map((i) => `${i.path || '(request)'}: ${i.message}`).join('; ');
  return new HttpError(400, 'invalid-request', `The request is not valid: ${shown}.`, { issues });
}

export function unauthenticated(message = 'Log in first (no valid session or device credential was sent).'): HttpError {
  return new HttpError(401, 'unauthenticated', message);
}

export function forbidden(message: string): HttpError {
  return new HttpError(403, 'forbidden', message);
}

export function notFound(message: string): HttpError {
  return new HttpError(404, 'not-found', message);
}

export function conflict(message: string): HttpError {
  return new HttpError(409, 'conflict', message);
}
