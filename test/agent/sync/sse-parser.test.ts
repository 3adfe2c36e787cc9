import { describe, expect, it } from 'vitest';
import { MAX_SSE_EVENT_CHARS, SseParser } from '../../../src/agent/sync/sse-parser.ts';

describe('SseParser', () => {
  it('returns named events with their data and id, skipping comments and retry lines', () => {
    const parser = new SseParser();
    expect(parser.push('retry: 3000\n\n: keep-alive\n\nevent: grant\nid: g1\ndata: {"a":1}\n\n')).toEqual([{ event: 'grant', data: '{"a":1}', id: 'g1' }]);
  });

  it('joins an event split across chunks, even between \\r and \\n', () => {
    const parser = new SseParser();
    expect(parser.push('event: ready\r')).toEqual([]);
    expect(parser.push('\ndata: {"x"')).toEqual([]);
    expect(parser.push(':2}\r\n\r\n')).toEqual([{ event: 'ready', data: '{"x":2}', id: null }]);
  });

  it('joins multi-line data with newlines and calls an unnamed event "message"', () => {
    expect(new SseParser().push('data: a\ndata: b\n\n')).toEqual([{ event: 'message', data: 'a\nb', id: null }]);
  });

  it('refuses to buffer an endless event', () => {
    const parser = new SseParser();
    expect(() => parser.push(`data: ${'x'.repeat(MAX_SSE_EVENT_CHARS + 1)}\n`)).toThrow(/too large/);
  });
});
