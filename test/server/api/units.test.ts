import { describe, expect, it } from 'vitest';
import { loadCatalogIndex } from '../../../src/adapters/resources.ts';
import { csvField, csvRow, localIso } from '../../../src/server/api/exception-csv.ts';
import { grantReaches, type DeviceReach } from '../../../src/server/api/grant-reach.ts';
import { articlesFor } from '../../../src/server/api/grants/articles.ts';
import { teaches } from '../../../src/server/api/grants/authority.ts';
import { credentialMatches, deviceIdOf, issueDeviceCredential, bearerToken } from '../../../src/server/auth/device-credentials.ts';
import { FailureLimiter } from '../../../src/server/auth/failure-limiter.ts';
import { FAST_SCRYPT_COST, hashPassword, verifyPassword } from '../../../src/server/auth/passwords.ts';
import { csrfTokenFor, csrfTokenMatches } from '../../../src/server/auth/sessions.ts';
import { parseCookies } from '../../../src/server/http/cookies.ts';
import { Router } from '../../../src/server/http/router.ts';
import type { ExceptionLogRow } from '../../../src/server/store/index.ts';
import { svokPolicy } from '../../helpers/policy.ts';
import { ams } from '../../helpers/policy.ts';

describe('passwords', () => {
  it('verify the right password only, and never a malformed or tampered hash', async () => {
    const hash = await hashPassword('correct horse battery', FAST_SCRYPT_COST);
    expect(hash).toMatch(/^scrypt\$1024\$8\$1\$[\w-]{22}\$[\w-]{43}$/);
    expect(await verifyPassword('correct horse battery', hash)).toBe(true);
    expect(await verifyPassword('correct horse batterY', hash)).toBe(false);
    expect(await hashPassword('correct horse battery', FAST_SCRYPT_COST)).not.toBe(hash);
    for (const bad of ['', 'plain', hash.replace('$1024$', '$1000$'), hash.replace('$1024$', `$${2 ** 30}$`), hash.slice(0, -2)]) {
      expect(await verifyPassword('correct horse battery', bad), bad).toBe(false);
    }
  });
});

describe('tokens', () => {
  it('bind the CSRF token to its session', () => {
    expect(csrfTokenMatches('session-a', csrfTokenFor('session-a'))).toBe(true);
    expect(csrfTokenMatches('session-a', csrfTokenFor('session-b'))).toBe(false);
    expect(csrfTokenMatches('session-a', undefined)).toBe(false);
    expect(csrfTokenFor('session-a')).not.toContain('session-a');
  });

  it('name the device in its credential and match only the issued one', () => {
    const id = '0b7a3c2e-1f4d-4e8a-9b6c-2d5e7f901234';
    const { credential, credentialHash } = issueDeviceCredential(id);
    expect(deviceIdOf(credential)).toBe(id);
    expect(credentialMatches(credential, credentialHash)).toBe(true);
    expect(credentialMatches(`${credential.slice(0, -1)}${credential.endsWith('A') ? 'B' : 'A'}`, credentialHash)).toBe(false);
    for (const bad of ['', 'lmd1.x.y', `lmd2.${id}.${'a'.repeat(43)}`, `lmd1.${id}.short`]) expect(deviceIdOf(bad), bad).toBeNull();
    expect(bearerToken(`Bearer ${credential}`)).toBe(credential);
    expect(bearerToken(`Basic ${credential}`)).toBeNull();
  });

  it('read cookies, the first of a name winning', () => {
    expect(parseCookies('a=1; lesmodus_session=tok; a=2; junk')).toEqual(new Map([['a', '1'], ['lesmodus_session', 'tok']]));
    expect(parseCookies(undefined).size).toBe(0);
  });
});

describe('FailureLimiter', () => {
  it('refuses a key after the allowed failures until the oldest leaves the window, and forgets on reset', async () => {
    const limiter = new FailureLimiter({ maxFailures: 3, windowMs: 1000 });
    for (const at of [0, 100, 200]) await limiter.fail('k', at);
    expect(await limiter.retryAfter('k', 300)).toBe(700);
    expect(await limiter.retryAfter('other', 300)).toBe(0);
    expect(await limiter.retryAfter('k', 999)).toBe(1);
    expect(await limiter.retryAfter('k', 1000)).toBe(0);
    await limiter.fail('k', 1001);
    await limiter.reset('k');
    expect(await limiter.retryAfter('k', 1002)).toBe(0);
  });
});

describe('Router', () => {
  const router = new Router([
    { method: 'GET', path: '/api/v1/exceptions/:id' },
    { method: 'GET', path: '/api/v1/exceptions/export' },
    { method: 'POST', path: '/api/v1/grants/:id/revoke' },
  ]);

  it('prefers literal segments, decodes parameters, and says 404 or 405', () => {
    expect(router.match('GET', '/api/v1/exceptions/export').route.path).toBe('/api/v1/exceptions/export');
    expect(router.match('GET', '/api/v1/exceptions/a%20b').params).toEqual({ id: 'a b' });
    expect(router.match('HEAD', '/api/v1/exceptions/x').route.method).toBe('GET');
    expect(() => router.match('GET', '/api/v1/grants/x/revoke')).toThrow(expect.objectContaining({ status: 405 }));
    expect(() => router.match('GET', '/api/v1/grants//revoke')).toThrow(expect.objectContaining({ status: 404 }));
    expect(() => router.match('GET', '/nope')).toThrow(expect.objectContaining({ status: 404 }));
  });

  it('refuses two routes for one method and path shape', () => {
    expect(() => new Router([{ method: 'GET', path: '/a/:x' }, { method: 'GET', path: '/a/:y' }])).toThrow(/two routes/);
  });
});

describe('articlesFor', () => {
  const catalog = loadCatalogIndex();
  const allow = (a: Partial<{ categories: string[]; services: string[]; capture: string[] }>) => ({ categories: [], services: [], capture: [], ...a }) as never;

  it('rests social media on III.A.1 and recordings on III.A.3, services by their category', () => {
    expect(articlesFor(allow({ categories: ['social'] }), 'teacher', svokPolicy, catalog)).toEqual({ articles: ['III.A.1'], issues: [], refused: [] });
    expect(articlesFor(allow({ services: ['tiktok'], capture: ['microphone'] }), 'leader', svokPolicy, catalog).articles).toEqual(['III.A.1', 'III.A.3']);
  });

  it('names what nothing blocks and unknown services', () => {
    const verdict = articlesFor(allow({ categories: ['video'], services: ['nope'] }), 'teacher', svokPolicy, catalog);
    expect(verdict.issues.map((i) => i.path)).toEqual(['allow.categories[0]', 'allow.services[0]']);
  });

  it('refuses a role the rule does not let make exceptions', () => {
    const strict = { ...svokPolicy, rules: svokPolicy.rules.map((r) => (r.kind === 'block' && r.exceptions ? { ...r, exceptions: { ...r.exceptions, by: ['leader' as const] } } : r)) };
    expect(articlesFor(allow({ categories: ['social'] }), 'teacher', strict, catalog).refused).toHaveLength(1);
  });
});

describe('authority and reach', () => {
  it('lets a teacher grant only with their code on the lesson, in any case', () => {
    expect(teaches('jns', { teachers: ['JNS', 'VRM'] })).toBe(true);
    expect(teaches('PTR', { teachers: ['JNS'] })).toBe(false);
    expect(teaches(null, { teachers: ['JNS'] })).toBe(false);
  });

  it("reaches a device through its student's groups, its student, or itself, at its own school only", () => {
    const device: DeviceReach = { deviceId: 'd1', schoolId: 's', studentId: 'st1', groups: new Set(['v4a']) };
    const record = (audience: ExceptionLogRow['audience'], groups: string[] = [], schoolId = 's') => ({ schoolId, audience, groups });
    expect(grantReaches(record({ kind: 'lesson' }, ['v4a']), device)).toBe(true);
    expect(grantReaches(record({ kind: 'lesson' }, ['v4b']), device)).toBe(false);
    expect(grantReaches(record({ kind: 'lesson' }, ['v4a'], 'other'), device)).toBe(false);
    expect(grantReaches(record({ kind: 'student', studentId: 'st1' }), device)).toBe(true);
    expect(grantReaches(record({ kind: 'device', deviceId: 'd1' }, [], 'other'), device)).toBe(true);
    expect(grantReaches(record({ kind: 'groups', groups: ['v4a'] }, ['v4a']), { ...device, studentId: null })).toBe(false);
  });
});

describe('the CSV export', () => {
  it('quotes every field and defuses spreadsheet formulas', () => {
    expect(csvField('plain')).toBe('"plain"');
    expect(csvField('say "hi"')).toBe('"say ""hi"""');
    for (const formula of ['=1+1', '+1', '-1', '@SUM(A1)', '\tx']) expect(csvField(formula).startsWith(`"'`), formula).toBe(true);
    // Read as a spreadsheet may read it: fullwidth signs, and invisible characters or spaces in front, do not hide a formula.
    for (const hidden of ['＝HYPERLINK("x")', '＋1', '\u200B=1+1', '\u202E=1+1', ' =1', '\u3000@A1', '﹦1']) expect(csvField(hidden).startsWith(`"'`), JSON.stringify(hidden)).toBe(true);
  });

  it("writes times in the school's zone with the offset, across DST", () => {
    expect(localIso(ams('2026-01-12 08:30'), 'Europe/Amsterdam')).toBe('2026-01-12T08:30:00+01:00');
    expect(localIso(ams('2026-06-12 08:30'), 'Europe/Amsterdam')).toBe('2026-06-12T08:30:00+02:00');
  });

  it('writes one line per exception with every column', () => {
    const row: ExceptionLogRow = {
      id: 'g1', schoolId: 's', issuedBy: { username: 'jansen', role: 'teacher', teacherCode: 'JNS' }, reason: 'r', articles: ['III.A.1'],
      scope: { kind: 'lesson', lessonUid: 'u', lessonStart: ams('2026-01-12 08:30') }, allow: { categories: ['social'], services: [], capture: [] },
      groups: ['v4a'], audience: { kind: 'lesson' }, issuedAt: ams('2026-01-12 08:20'), startsAt: ams('2026-01-12 08:30'),
      expiresAt: ams('2026-01-12 09:20'), revokedAt: null, revokedBy: null, status: 'active', devicesApplied: 3,
    };
    const line = csvRow(row, 'Europe/Amsterdam');
    expect(line.endsWith('\r\n')).toBe(true);
    expect(line.split('","')).toHaveLength(23);
    expect(line).toContain('"2026-01-12T08:20:00+01:00"');
  });
});
