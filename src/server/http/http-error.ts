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
  /** The message in Dutch, for a client that asks for nl (the portal); without it the code's Dutch summary is sent. */
  readonly nl: string | undefined;

  constructor(status: number, code: HttpErrorCode, message: string, options: { issues?: readonly FieldIssue[]; headers?: Record<string, string>; nl?: string } = {}) {
    super(message);
    this.nl = options.nl;
    this.name = 'HttpError';
    this.status = status;
    this.code = code;
    this.issues = options.issues ?? [];
    this.headers = options.headers ?? {};
  }
}

/** 400 naming each wrong field, e.g. "body.reason: is required"; `nl`: what a Dutch user is told instead. */
export function invalidRequest(issues: readonly FieldIssue[], nl?: string): HttpError {
  const shown = issues.slice(0, 10).map((i) => `${i.path || '(request)'}: ${i.message}`).join('; ');
  return new HttpError(400, 'invalid-request', `The request is not valid: ${shown}.`, { issues, nl });
}

export function unauthenticated(message = 'Log in first (no valid session or device credential was sent).'): HttpError {
  return new HttpError(401, 'unauthenticated', message);
}

export function forbidden(message: string, nl?: string): HttpError {
  return new HttpError(403, 'forbidden', message, { nl });
}

/**
 * What a Dutch user is told when an error has no Dutch text of its own: every
 * code says in Dutch what happened and what to do (the English message with
 * its details stays in the answer's `detail`).
 */
const DUTCH_BY_CODE: Readonly<Record<HttpErrorCode, string>> = {
  'invalid-request': 'Het verzoek klopt niet; controleer de ingevulde velden.',
  'unauthenticated': 'Log eerst in.',
  'forbidden': 'Dat mag u niet met uw account.',
  'csrf-failed': 'De pagina is verouderd; laad hem opnieuw en probeer het nog eens.',
  'not-found': 'Dat bestaat niet (meer).',
  'method-not-allowed': 'Dat kan hier niet.',
  'conflict': 'Dat botst met wat er al is; laad de pagina opnieuw.',
  'consent-missing': 'Zonder toestemming (art. III.B.9) blijft dit voor de leerling geblokkeerd.',
  'payload-too-large': 'Wat u stuurt is te groot.',
  'unsupported-media-type': 'Dit soort gegevens neemt de server niet aan.',
  'too-many-requests': 'Te veel pogingen; probeer het over een paar minuten opnieuw.',
  'internal': 'Er ging iets mis op de server; noem het verzoeknummer aan de beheerder.',
  'unavailable': 'De server is even niet beschikbaar; probeer het zo opnieuw.',
};

/** True when the client's first choice of language (Accept-Language) is Dutch. */
export function wantsDutch(acceptLanguage: string | undefined): boolean {
  const first = (acceptLanguage ?? '').split(',')[0]?.split(';')[0]?.trim().toLowerCase() ?? '';
  return first === 'nl' || first.startsWith('nl-');
}

/** The error's message in the client's language: English by default, Dutch when asked for. */
export function messageFor(error: HttpError, dutch: boolean): string {
  return dutch ? error.nl ?? DUTCH_BY_CODE[error.code] : error.message;
}

export function notFound(message: string): HttpError {
  return new HttpError(404, 'not-found', message);
}

export function conflict(message: string): HttpError {
  return new HttpError(409, 'conflict', message);
}
