/**
 * A Server-Sent Events parser (the HTML standard's "event stream
 * interpretation", without reconnection, which the caller owns): feed it
 * text chunks as they arrive, get whole events back.
 */

export interface SseEvent {
  readonly event: string;
  readonly data: string;
  readonly id: string | null;
}

/** One event's data larger than this is not something our server sends: the stream is dropped rather than buffered without end. */
export const MAX_SSE_EVENT_CHARS = 1024 * 1024;

export class SseParser {
  #buffer = '';
  #event = '';
  #data: string[] = [];
  #dataChars = 0;
  #id: string | null = null;

  /** Returns the events completed by this chunk; throws when one grows past MAX_SSE_EVENT_CHARS. */
  push(chunk: string): SseEvent[] {
    this.#buffer += chunk;
    const events: SseEvent[] = [];
    let newline: number;
    while ((newline = this.#buffer.search(/\r\n|\r|\n/)) >= 0) {
      const line = this.#buffer.slice(0, newline);
      const width = this.#buffer.startsWith('\r\n', newline) ? 2 : 1;
      // A lone \r at the very end may be the first half of \r\n: wait for the next chunk.
      if (width === 1 && this.#buffer[newline] === '\r' && newline === this.#buffer.length - 1) break;
      this.#buffer = this.#buffer.slice(newline + width);
      const event = this.#line(line);
      if (event !== null) events.push(event);
    }
    if (this.#buffer.length + this.#dataChars > MAX_SSE_EVENT_CHARS) throw new Error('an event on the stream is too large');
    return events;
  }

  #line(line: string): SseEvent | null {
    if (line === '') return this.#dispatch();
    if (line.startsWith(':')) return null;
    const colon = line.indexOf(':');
    const field = colon < 0 ? line : line.slice(0, colon);
    const value = colon < 0 ? '' : line.slice(colon + 1).replace(/^ /, '');
    if (field === 'event') this.#event = value;
    else if (field === 'data') {
      this.#data.push(value);
      this.#dataChars += value.length;
    } else if (field === 'id' && !value.includes('\0')) this.#id = value;
    return null;
  }

  #dispatch(): SseEvent | null {
    const event = this.#data.length === 0 ? null : { event: this.#event || 'message', data: this.#data.join('\n'), id: this.#id };
    this.#event = '';
    this.#data = [];
    this.#dataChars = 0;
    return event;
  }
}
