import { describe, expect, it } from 'vitest';
import { UnlockReplySchema, UnlockRequestSchema, ViewSchema } from '../../src/desktop/bridge.ts';
import { readArticles } from '../../src/desktop/articles.ts';
import { lessonStatus } from './status-fixture.ts';

const GOOD = { code: '042917', allow: { categories: ['social'], services: [], capture: [] }, reason: 'Onderzoek naar reclame' };

describe('what a page may send through the bridge', () => {
  it('accepts a code, what to allow and an educational purpose', () => {
    expect(UnlockRequestSchema.parse(GOOD)).toEqual(GOOD);
  });

  it.each([
    ['a code with letters', { ...GOOD, code: '04291a' }, 'de code is 6 cijfers'],
    ['a code too long (a pasted password)', { ...GOOD, code: 'hunter2hunter2' }, 'de code is 6 cijfers'],
    ['a password field next to the code', { ...GOOD, password: 'geheim' }, 'password'],
    ['nothing to allow', { ...GOOD, allow: { categories: [], services: [], capture: [] } }, 'kies wat mag'],
    ['a category that does not exist', { ...GOOD, allow: { categories: ['everything'], services: [], capture: [] } }, 'categories'],
    ['no purpose', { ...GOOD, reason: '  ' }, 'art. III.A.3'],
    ['a purpose of a megabyte', { ...GOOD, reason: 'x'.repeat(1_000_000) }, 'reason'],
    ['a prototype key', JSON.parse('{"code":"042917","allow":{"categories":["social"],"services":[],"capture":[]},"reason":"Onderzoek","__proto__":{"admin":true}}'), '__proto__'],
    ['not an object', 'unlock everything', 'expected object'],
  ])('refuses %s', (_name, input, problem) => {
    const result = UnlockRequestSchema.safeParse(input);
    expect(result.success).toBe(false);
    expect(JSON.stringify(result.error?.issues)).toContain(problem);
  });
});

describe('what main may send to a page', () => {
  const articles = readArticles('resources/desktop/articles.json');

  it('accepts a view with the status, or with the agent unreachable', () => {
    expect(ViewSchema.safeParse({ locale: 'nl', timeZone: 'Europe/Amsterdam', status: lessonStatus(), notice: null, articles }).success).toBe(true);
    expect(ViewSchema.safeParse({ locale: 'en', timeZone: 'Europe/Amsterdam', status: null, notice: null, articles }).success).toBe(true);
  });

  it('refuses a view in a language the pages do not have, or with fields it does not know', () => {
    expect(ViewSchema.safeParse({ locale: 'de', timeZone: 'Europe/Amsterdam', status: null, notice: null, articles }).success).toBe(false);
    expect(ViewSchema.safeParse({ locale: 'nl', timeZone: 'Europe/Amsterdam', status: null, notice: null, articles, script: 'alert(1)' }).success).toBe(false);
  });

  it('refuses an unlock reply without a message for the teacher', () => {
    expect(UnlockReplySchema.safeParse({ ok: true }).success).toBe(false);
  });

  it('quotes every article the policy cites, in Dutch and English', () => {
    expect(Object.keys(articles.articles).sort()).toEqual(['III.A.1', 'III.A.2', 'III.A.3', 'III.B.8', 'III.B.9']);
  });
});
