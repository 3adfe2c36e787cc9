import type { ServerResponse } from 'node:http';
import { SECURITY_HEADERS } from './respond.ts';

/**
 * One Server-Sent Events stream (text/event-stream, as the HTML standard
 * defines it): named events with JSON data, comment lines to keep the
 * connection alive, and a clean end.
 */

/**
 * A comment line this often keeps idle connections open through proxies and
 * NATs, whose idle timeouts are commonly 30–60 s, and lets the server notice
 * a vanished client within one interval (the write fails).
 */
export const SSE_KEEP_ALIVE_MS = 15_000;

/** Tells EventSource-style clients how long to wait before reconnecting after a drop. */
export const SSE_RETRY_MS = 3_000;

export class SseStream {
  readonly #res: ServerResponse;
  readonly #timer: NodeJS.Timeout;
  #closed = false;
  readonly #onClose: (() => void)[] = [];

  constructor(res: ServerResponse, keepAliveMs = SSE_KEEP_ALIVE_MS) {
    this.#res = res;
    res.writeHead(200, {
      ...SECURITY_HEADERS,
      'content-type': 'text/event-stream; charset=utf-8',
      // Reverse proxies (nginx) buffer responses unless told not to, which would hold grants back.
      'x-accel-buffering': 'no',
      connection: 'keep-alive',
    });
    res.write(`retry: ${SSE_RETRY_MS}\n\n`);
    // Small writes must go out at once, not wait for Nagle's algorithm.
    res.socket?.setNoDelay(true);
    this.#timer = setInterval(() => this.comment('keep-alive'), keepAliveMs);
    this.#timer.unref();
    res.on('close', () => this.#finish());
  }

  get closed(): boolean {
    return this.#closed;
  }

  /** Runs `listener` once when the stream ends, whoever ended it. */
  onClose(listener: () => void): void {
    if (this.#closed) listener();
    else this.#onClose.push(listener);
  }

  /** Sends one event; `data` is JSON on one line (JSON.stringify never emits a raw newline). */
  send(event: string, data: unknown, id?: string): void {
    if (this.#closed) return;
    const lines = [`event: ${event}`];
    if (id !== undefined) lines.push(`id: ${id.replace(/[\r\n]/g, '')}`);
    lines.push(`data: ${JSON.stringify(data)}`);
    this.#res.write(`${lines.join('\n')}\n\n`);
  }

  comment(text: string): void {
    if (this.#closed) return;
    this.#res.write(`: ${text.replace(/[\r\n]/g, ' ')}\n\n`);
  }

  /** Ends the stream from the server side (shutdown, credential revoked). */
  close(): void {
    if (this.#closed) return;
    this.#res.end();
    this.#finish();
  }

  #finish(): void {
    if (this.#closed) return;
    this.#closed = true;
    clearInterval(this.#timer);
    for (const listener of this.#onClose.splice(0)) listener();
  }
}
