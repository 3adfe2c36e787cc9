import type { z } from 'zod';

/**
 * HTTP to the school server: JSON in, JSON out, the device credential as a
 * bearer token. Every failure is a SyncError that says whether trying again
 * later can help (network, 5xx, 429, an answer that is not what the API
 * promises) or not (401/403/4xx: the configuration or the credential is wrong).
 */

/** A request that has not answered in this long is treated as a network failure; a school server answers in milliseconds. */
export const REQUEST_TIMEOUT_MS = 30_000;

export class SyncError extends Error {
  readonly retryable: boolean;
  readonly status: number | null;
  /** The server's error code ("consent-missing", …) when it sent one. */
  readonly code: string | null;

  constructor(message: string, options: { retryable: boolean; status?: number | null; code?: string | null; cause?: unknown }) {
    super(message, { cause: options.cause });
    this.name = 'SyncError';
    this.retryable = options.retryable;
    this.status = options.status ?? null;
    this.code = options.code ?? null;
  }
}

export interface RequestOptions<S extends z.ZodType> {
  readonly method: 'GET' | 'POST';
  readonly path: string;
  readonly body?: unknown;
  readonly credential?: string;
  /** What the answer must look like; anything else is a retryable "garbage" failure. */
  readonly reply: S;
  readonly signal?: AbortSignal;
}

export type Fetch = typeof fetch;

export class ServerClient {
  readonly baseUrl: string;
  readonly #fetch: Fetch;
  readonly #timeoutMs: number;

  constructor(baseUrl: string, fetchImpl: Fetch = fetch, timeoutMs = REQUEST_TIMEOUT_MS) {
    this.baseUrl = baseUrl.replace(/\/+$/, '');
    this.#fetch = fetchImpl;
    this.#timeoutMs = timeoutMs;
  }

  headers(credential?: string, json = false): Record<string, string> {
    const headers: Record<string, string> = { accept: 'application/json' };
    if (credential !== undefined) headers.authorization = `Bearer ${credential}`;
    if (json) headers['content-type'] = 'application/json';
    return headers;
  }

  /** Opens a request and returns the raw response (the SSE client reads the body as a stream). */
  async open(path: string, init: RequestInit): Promise<Response> {
    try {
      return await this.#fetch(`${this.baseUrl}${path}`, init);
    } catch (error) {
      if (init.signal?.aborted && !(init.signal.reason instanceof DOMException && init.signal.reason.name === 'TimeoutError')) throw error;
      throw new SyncError(`${path}: the server could not be reached (${(error as Error).message})`, { retryable: true, cause: error });
    }
  }

  async request<S extends z.ZodType>(options: RequestOptions<S>): Promise<z.infer<S>> {
    const timeout = AbortSignal.timeout(this.#timeoutMs);
    const signal = options.signal === undefined ? timeout : AbortSignal.any([options.signal, timeout]);
    const init: RequestInit = { method: options.method, headers: this.headers(options.credential, options.body !== undefined), signal };
    if (options.body !== undefined) init.body = JSON.stringify(options.body);
    const response = await this.open(options.path, init);
    let text: string;
    try {
      text = await response.text();
    } catch (error) {
      throw new SyncError(`${options.path}: the answer was cut off (${(error as Error).message})`, { retryable: true, status: response.status, cause: error });
    }
    if (!response.ok) throw statusError(options.path, response.status, text);
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      throw new SyncError(`${options.path}: the answer is not JSON`, { retryable: true, status: response.status });
    }
    const parsed = options.reply.safeParse(json);
    if (!parsed.success) throw new SyncError(`${options.path}: the answer is not what the API promises (${parsed.error.issues[0]?.message ?? 'unknown'})`, { retryable: true, status: response.status });
    return parsed.data;
  }
}

function statusError(path: string, status: number, text: string): SyncError {
  let message = '';
  let code: string | null = null;
  try {
    const body = JSON.parse(text) as { message?: unknown; error?: unknown };
    if (typeof body.message === 'string') message = `: ${body.message.slice(0, 200)}`;
    if (typeof body.error === 'string') code = body.error.slice(0, 64);
  } catch {
    // A proxy's HTML error page: the status says enough.
  }
  const retryable = status >= 500 || status === 429 || status === 408;
  return new SyncError(`${path}: the server answered ${status}${message}`, { retryable, status, code });
}
