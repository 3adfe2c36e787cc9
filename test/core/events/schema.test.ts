import { describe, expect, it } from 'vitest';
import { MAX_TAMPER_DETAIL_LENGTH } from '../../../src/core/events/limits.ts';
import { parseEvent, parseNewEvent, type FieldIssue, type ParseResult } from '../../../src/core/events/parse.ts';
import { EVENT_TYPES } from '../../../src/core/events/schema.ts';
import { APP_BLOCKED, VALID_EVENTS } from './fixtures.ts';

function issuesOf(result: ParseResult<unknown>): readonly FieldIssue[] {
  if (result.ok) throw new Error('expected the event to be refused');
  return result.issues;
}

const withPayload = (payload: Record<string, unknown>) => ({ ...APP_BLOCKED, payload: { ...APP_BLOCKED.payload, ...payload } });

describe('device event schema', () => {
  it('has a valid example of every event type, and accepts each as it is', () => {
    expect(Object.keys(VALID_EVENTS).sort()).toEqual([...EVENT_TYPES].sort());
    for (const event of Object.values(VALID_EVENTS)) expect(parseEvent(event)).toEqual({ ok: true, value: event });
  });

  it('names every wrong field by its path', () => {
    const issues = issuesOf(parseEvent({ ...withPayload({ count: 0, os: 'android' }), seq: 0 }));
    expect(issues).toEqual(expect.arrayContaining([
      { path: 'seq', message: 'must be 1 or more' },
      { path: 'payload.count', message: 'at least 1' },
      expect.objectContaining({ path: 'payload.os' }),
    ]));
  });

  it('says which fields are missing', () => {
    const { policyVersion: _, ...withoutVersion } = APP_BLOCKED;
    expect(issuesOf(parseEvent(withoutVersion))).toEqual([{ path: 'policyVersion', message: 'is required' }]);
    expect(issuesOf(parseEvent({ ...APP_BLOCKED, payload: {} }))).toContainEqual({ path: 'payload.service', message: 'is required' });
  });

  it('refuses an unknown type and lists the known ones', () => {
    const [issue] = issuesOf(parseEvent({ ...APP_BLOCKED, type: 'heartbeat' }));
    expect(issue?.path).toBe('type');
    expect(issue?.message).toMatch(/unknown event type; expected one of: exception\.applied, .*tamper/);
  });

  it('never throws, whatever it is given', () => {
    for (const input of [undefined, null, 42, 'app.blocked', [], {}, { type: 'tamper', payload: null }]) {
      expect(parseEvent(input).ok).toBe(false);
    }
  });

  it('requires a UUID id and an empty-free policy version', () => {
    expect(issuesOf(parseEvent({ ...APP_BLOCKED, id: 'event-1' }))).toEqual([{ path: 'id', message: 'must be a UUID' }]);
    expect(issuesOf(parseEvent({ ...APP_BLOCKED, policyVersion: '' }))).toEqual([{ path: 'policyVersion', message: 'must not be empty' }]);
  });

  it('refuses instants that are fractional or before 1970', () => {
    expect(issuesOf(parseEvent({ ...APP_BLOCKED, occurredAt: 1.5 }))[0]?.path).toBe('occurredAt');
    expect(issuesOf(parseEvent({ ...APP_BLOCKED, occurredAt: -1 }))[0]?.message).toBe('must not be before 1970');
  });

  it('refuses a last repeat before the first', () => {
    expect(issuesOf(parseEvent(withPayload({ lastOccurredAt: APP_BLOCKED.occurredAt - 1 })))).toEqual([
      { path: 'payload.lastOccurredAt', message: 'the last repeat cannot come before occurredAt, the first' },
    ]);
  });

  it('refuses an exception that allows nothing or cites no article', () => {
    const base = VALID_EVENTS['exception.expired'];
    const nothing = { ...base, payload: { ...base.payload, allowed: { categories: [], services: [], capture: [] } } };
    expect(issuesOf(parseEvent(nothing))).toEqual([{ path: 'payload.allowed', message: 'an exception must allow at least one category, service or capture kind' }]);
    expect(issuesOf(parseEvent({ ...base, payload: { ...base.payload, articles: [] } }))).toEqual([{ path: 'payload.articles', message: 'name at least one article' }]);
  });

  it('accepts tamper kinds and enforcement reasons it does not know yet, in kebab-case', () => {
    const tamper = VALID_EVENTS.tamper;
    expect(parseEvent({ ...tamper, payload: { ...tamper.payload, kind: 'usb-debugger-attached' } }).ok).toBe(true);
    expect(issuesOf(parseEvent({ ...tamper, payload: { ...tamper.payload, kind: 'Clock Jump' } }))[0]?.path).toBe('payload.kind');
    const started = VALID_EVENTS['enforcement.started'];
    expect(parseEvent({ ...started, payload: { ...started.payload, reason: 'exam-mode' } }).ok).toBe(true);
  });

  it('validates a new event the same way, without id and seq', () => {
    const { id: _id, seq: _seq, ...draft } = APP_BLOCKED;
    expect(parseNewEvent(draft)).toEqual({ ok: true, value: draft });
    expect(issuesOf(parseNewEvent(APP_BLOCKED)).map((i) => i.path).sort()).toEqual(['id', 'seq']);
  });
});

describe('privacy by design', () => {
  it('refuses a URL, a page title or a screenshot on a block event, and says why', () => {
    const site = VALID_EVENTS['site.blocked'];
    const issues = issuesOf(parseEvent({ ...site, payload: { ...site.payload, url: 'https://www.instagram.com/someone', title: 'Instagram' } }));
    expect(issues).toEqual([
      { path: 'payload.url', message: 'is never recorded (privacy: events carry no URLs, titles, screenshots, keystrokes or free text)' },
      { path: 'payload.title', message: 'is never recorded (privacy: events carry no URLs, titles, screenshots, keystrokes or free text)' },
    ]);
    expect(issuesOf(parseEvent({ ...site, screenshot: 'iVBORw0KGgo' }))).toEqual([
      { path: 'screenshot', message: 'is never recorded (privacy: events carry no URLs, titles, screenshots, keystrokes or free text)' },
    ]);
  });

  it('refuses any other field it does not know', () => {
    expect(issuesOf(parseEvent(withPayload({ pid: 4242 })))).toEqual([{ path: 'payload.pid', message: 'is not a field of this event type' }]);
  });

  it('keeps URLs and control characters out of a tamper detail, and bounds its length', () => {
    const tamper = VALID_EVENTS.tamper;
    const detail = (text: string) => ({ ...tamper, payload: { ...tamper.payload, detail: text } });
    expect(issuesOf(parseEvent(detail('proxy set to http://10.0.0.1:8080')))[0]?.message).toMatch(/must not contain a URL/);
    expect(issuesOf(parseEvent(detail('line one\nline two')))[0]?.message).toMatch(/control characters/);
    expect(parseEvent(detail('x'.repeat(MAX_TAMPER_DETAIL_LENGTH))).ok).toBe(true);
    expect(issuesOf(parseEvent(detail('x'.repeat(MAX_TAMPER_DETAIL_LENGTH + 1))))[0]).toEqual({ path: 'payload.detail', message: `at most ${MAX_TAMPER_DETAIL_LENGTH} characters` });
  });

  it('bounds every string it carries', () => {
    const long = 'a'.repeat(10_000);
    const lesson = { uid: long, start: 0 };
    const paths = issuesOf(parseEvent({ ...withPayload({ service: long, rule: long, article: long, lesson }), policyVersion: long })).map((i) => i.path);
    expect(paths.sort()).toEqual(['payload.article', 'payload.lesson.uid', 'payload.rule', 'payload.service', 'policyVersion']);
    const exception = VALID_EVENTS['exception.revoked'];
    expect(issuesOf(parseEvent({ ...exception, payload: { ...exception.payload, grantId: long } }))[0]?.path).toBe('payload.grantId');
  });
});
