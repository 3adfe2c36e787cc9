import { describe, expect, it } from 'vitest';
import type { TestApi, useApi } from '../harness.ts';
import { DAY, HOUR, JNS_EARLIER, JNS_NEXT, JNS_NOW, MINUTE, NOW, PTR_NOW } from '../school.ts';

const lessonScope = (lesson: { uid: string; start: number }) => ({ kind: 'lesson', lessonUid: lesson.uid, lessonStart: lesson.start });

/** Three exceptions: Jansen's for his lesson now (social), Pieters's (social), and the leader's camera window for v4b. */
async function threeExceptions(server: TestApi) {
  const jansen = await server.login('jansen');
  const pieters = await server.login('pieters');
  const leader = await server.login('de-vries');
  const a = (await server.call('POST', '/api/v1/grants', { as: jansen, body: { scope: lessonScope(JNS_NOW), allow: { categories: ['social'] }, reason: '=HYPERLINK("http://x") campagne' } })).body;
  server.now += MINUTE;
  const b = (await server.call('POST', '/api/v1/grants', { as: pieters, body: { scope: lessonScope(PTR_NOW), allow: { services: ['instagram'] }, reason: 'Biologie: "dieren" op Instagram' } })).body;
  server.now += MINUTE;
  const c = (await server.call('POST', '/api/v1/grants', {
    as: leader, body: { scope: { kind: 'window', start: NOW + HOUR, end: NOW + 2 * DAY }, audience: { kind: 'groups', groups: ['v4b'] }, allow: { categories: ['camera'], capture: ['camera'] }, reason: 'Filmopdracht CKV' },
  })).body;
  return { leader, jansen, grants: [a, b, c] as const };
}

export function leaderSuite(api: ReturnType<typeof useApi>): void {
  describe('the exception log', () => {
    it('stores reasons normalised: a fullwidth formula is defused in the CSV, and hidden direction or zero-width characters are refused', async () => {
      const server = await api.start();
      const jansen = await server.login('jansen');
      const leader = await server.login('de-vries');
      const fullwidth = await server.call('POST', '/api/v1/grants', { as: jansen, body: { scope: lessonScope(JNS_NOW), allow: { categories: ['social'] }, reason: '＝HYPERLINK("http://x") les' } });
      expect(fullwidth.status).toBe(201);
      expect(fullwidth.body.grant.reason).toBe('=HYPERLINK("http://x") les');
      const csv = await server.call('GET', '/api/v1/exceptions/export?format=csv', { as: leader });
      expect(csv.text).toContain(`"'=HYPERLINK(""http://x"") les"`);
      for (const reason of ['Les \u202Egnitekram\u202C over reclame', 'Les\u200B over reclame', '\u2066Les over reclame\u2069']) {
        const refused = await server.call('POST', '/api/v1/grants', { as: jansen, body: { scope: lessonScope(JNS_NOW), allow: { categories: ['social'] }, reason } });
        expect(refused.status, reason).toBe(400);
        expect(JSON.stringify(refused.body)).toContain('no invisible formatting characters');
      }
    });

    it('lists exceptions newest effect first, filtered and paged', async () => {
      const server = await api.start();
      const { leader, grants: [a, b, c] } = await threeExceptions(server);
      const all = await server.call('GET', '/api/v1/exceptions', { as: leader });
      expect(all.status).toBe(200);
      expect(all.body.total).toBe(3);
      expect(all.body.rows.map((r: { id: string }) => r.id)).toEqual([c.id, b.id, a.id]);
      const byArticle = await server.call('GET', '/api/v1/exceptions?article=III.A.3', { as: leader });
      expect(byArticle.body.rows.map((r: { id: string }) => r.id)).toEqual([c.id]);
      const byTeacher = await server.call('GET', '/api/v1/exceptions?teacher=PTR', { as: leader });
      expect(byTeacher.body.rows.map((r: { id: string }) => r.id)).toEqual([b.id]);
      const byGroup = await server.call('GET', '/api/v1/exceptions?group=v4a&status=active', { as: leader });
      expect(byGroup.body.rows.map((r: { id: string }) => r.id)).toEqual([a.id]);
      // Instagram: the exception for it, and the one for all social media, which allowed it too.
      const byService = await server.call('GET', '/api/v1/exceptions?service=instagram', { as: leader });
      expect(byService.body.rows.map((r: { id: string }) => r.id)).toEqual([b.id, a.id]);
      const byDate = await server.call('GET', `/api/v1/exceptions?from=2026-01-12T09:00&to=${NOW + 3 * DAY}`, { as: leader });
      expect(byDate.body.rows.map((r: { id: string }) => r.id)).toEqual([c.id]);
      const page = await server.call('GET', '/api/v1/exceptions?limit=2&offset=2', { as: leader });
      expect(page.body).toMatchObject({ total: 3, limit: 2, offset: 2, rows: [{ id: a.id }] });
    });

    it('names a wrong filter, and keeps teachers and admins out', async () => {
      const server = await api.start();
      const leader = await server.login('de-vries');
      for (const [query, path] of [['status=lost', 'query.status'], ['from=yesterday', 'query.from'], ['limit=0', 'query.limit'], ['category=games', 'query.category'], ['colour=red', 'query.colour'], ['school=a&school=b', 'query.school']]) {
        const reply = await server.call('GET', `/api/v1/exceptions?${query}`, { as: leader });
        expect(reply.status, query).toBe(400);
        expect(reply.body.issues[0].path, query).toBe(path);
      }
      for (const who of ['jansen', 'beheer']) {
        const session = await server.login(who);
        for (const path of ['/api/v1/exceptions', '/api/v1/exceptions/export', '/api/v1/exceptions/chart', '/api/v1/exceptions/x', '/api/v1/devices/not-enforcing', '/api/v1/devices/x/events']) {
          expect((await server.call('GET', path, { as: session })).status, `${who} ${path}`).toBe(403);
        }
      }
      expect((await server.call('GET', '/api/v1/exceptions')).status).toBe(401);
    });

    it('finds a service by its name or id in any case (and through an exception for its whole category), and a category also through an exception for one of its services', async () => {
      const server = await api.start();
      const { leader, jansen, grants: [a, b, c] } = await threeExceptions(server);
      server.now += MINUTE;
      const d = (await server.call('POST', '/api/v1/grants', { as: jansen, body: { scope: lessonScope(JNS_NOW), allow: { services: ['tiktok'] }, reason: 'Trends op TikTok bespreken' } })).body;
      const ids = async (query: string) => (await server.call('GET', `/api/v1/exceptions?${query}`, { as: leader })).body.rows.map((r: { id: string }) => r.id);
      // TikTok: the exception for it, and the one for all social media; not Instagram's or the camera's.
      for (const name of ['TikTok', 'tiktok', 'TIKTOK', ' TikTok ']) expect(await ids(`service=${encodeURIComponent(name)}`), name).toEqual([d.id, a.id]);
      expect(await ids('service=Instagram')).toEqual([b.id, a.id]);
      // A service the catalog does not know is looked for as given, without a category.
      expect(await ids('service=chirpr')).toEqual([]);
      // Social media: the exception for the category, and those that allowed only TikTok or only Instagram.
      expect(await ids('category=social')).toEqual([d.id, b.id, a.id]);
      expect(await ids('category=camera')).toEqual([c.id]);
      const chart = await server.call('GET', '/api/v1/exceptions/chart?category=social', { as: leader });
      expect(chart.body.weeks).toEqual([{ weekStart: '2026-01-12', article: 'III.A.1', count: 3 }]);
      const csv = await server.call('GET', '/api/v1/exceptions/export?format=csv&lang=en&service=TikTok', { as: leader });
      expect(csv.headers.get('content-disposition')).toContain('-tiktok.csv');
      expect(csv.text).toContain(d.id);
      expect(csv.text).not.toContain(b.id);
    });

    it('refuses a reversed or unreadable date range with a message, in Dutch for the portal', async () => {
      const server = await api.start();
      const leader = await server.login('de-vries');
      for (const path of ['/api/v1/exceptions', '/api/v1/exceptions/chart', '/api/v1/exceptions/export']) {
        const reversed = await server.call('GET', `${path}?from=2026-01-14&to=2026-01-12`, { as: leader });
        expect(reversed.status, path).toBe(400);
        expect(reversed.body.issues, path).toEqual([{ path: 'query.to', message: 'must be after from (the range ends before it starts)' }]);
      }
      const dutch = await server.call('GET', '/api/v1/exceptions?from=2026-01-14&to=2026-01-14', { as: leader, headers: { 'accept-language': 'nl' } });
      expect(dutch.body.message).toBe('De datum bij Tot en met ligt vóór die bij Vanaf; kies een latere einddatum of draai ze om.');
      const invalid = await server.call('GET', '/api/v1/exceptions?from=2026-02-31&to=morgen', { as: leader, headers: { 'accept-language': 'nl-NL,nl;q=0.9' } });
      expect(invalid.status).toBe(400);
      expect(invalid.body.issues.map((i: { path: string }) => i.path)).toEqual(['query.from', 'query.to']);
      expect(invalid.body.message).toBe('De datum bij Vanaf ("2026-02-31") bestaat niet of is niet te lezen; schrijf hem als jjjj-mm-dd, bijvoorbeeld 2026-12-02. '
        + 'De datum bij Tot en met ("morgen") bestaat niet of is niet te lezen; schrijf hem als jjjj-mm-dd, bijvoorbeeld 2026-12-02.');
      const english = await server.call('GET', '/api/v1/exceptions?from=2026-02-31', { as: leader, headers: { 'accept-language': 'en' } });
      expect(english.body.message).toBe('The request is not valid: query.from: must be epoch milliseconds or an ISO-8601 date or date-time.');
      // One day, from its midnight to the next: not reversed.
      expect((await server.call('GET', '/api/v1/exceptions?from=2026-01-12&to=2026-01-13', { as: leader })).status).toBe(200);
    });

    it("keeps a leader to their own school", async () => {
      const server = await api.start();
      await threeExceptions(server);
      const other = await server.login('bakker');
      expect((await server.call('GET', '/api/v1/exceptions', { as: other })).body.total).toBe(0);
      expect((await server.call('GET', '/api/v1/exceptions?school=svok-college', { as: other })).status).toBe(403);
    });

    it("shows one exception's detail (who, role, reason, scope, each device's lifecycle) and records the look in the audit log", async () => {
      const server = await api.start();
      const sanne = await server.enroll('sanne');
      await server.enroll('daan');
      const { leader, grants: [a] } = await threeExceptions(server);
      await server.applied(sanne, a.id, NOW + 2_000);
      server.now += MINUTE;
      const detail = await server.call('GET', `/api/v1/exceptions/${a.id}`, { as: leader });
      expect(detail.status).toBe(200);
      expect(detail.body).toMatchObject({
        grant: { id: a.id, grant: { issuedBy: { username: 'jansen', role: 'teacher' }, reason: a.grant.reason, scope: lessonScope(JNS_NOW) }, articles: ['III.A.1'] },
        devicesExpected: 2,
      });
      expect(detail.body.devices).toContainEqual(expect.objectContaining({ deviceId: sanne.deviceId, studentId: 's1', studentName: 'Sanne de Vries', appliedAt: NOW + 2_000 }));
      const audit = await server.call('GET', '/api/v1/audit', { as: leader });
      expect(audit.body.rows[0]).toMatchObject({ username: 'de-vries', action: 'view-exception', subject: { kind: 'exception', id: a.id }, at: server.now });
      expect((await server.call('GET', '/api/v1/exceptions/nope', { as: leader })).status).toBe(404);
    });

    it('exports the filtered log as CSV, streamed, safe for spreadsheets, and audits the export', async () => {
      const server = await api.start();
      const { leader, grants: [a, b, c] } = await threeExceptions(server);
      const reply = await server.call('GET', '/api/v1/exceptions/export?format=csv&lang=en&article=III.A.1', { as: leader });
      expect(reply.status).toBe(200);
      expect(reply.headers.get('content-type')).toBe('text/csv; charset=utf-8');
      expect(reply.headers.get('content-disposition')).toMatch(/^attachment; filename="lesmodus-exceptions-2026-01-12-svok-college-iii.a.1\.csv"$/);
      const lines = reply.text.replace(/^\uFEFF/, '').trimEnd().split('\r\n');
      expect(lines[0]).toMatch(/^"id","school","status","issued_at"/);
      expect(lines).toHaveLength(3);
      expect(lines[1]).toContain(`"${b.id}"`);
      expect(lines[1]).toContain('"Biologie: ""dieren"" op Instagram"');
      expect(lines[2]).toContain(`"${a.id}"`);
      // A formula in a reason is defused.
      expect(lines[2]).toContain(`"'=HYPERLINK(""http://x"") campagne"`);
      expect(lines[2]).toContain('"2026-01-12T08:40:00+01:00"');
      expect(reply.text).not.toContain(c.id);
      // For a Dutch leader (the default): ";", Dutch headers and words, service names, the school's clock, and the filter in the name.
      const dutch = await server.call('GET', '/api/v1/exceptions/export?format=csv&article=III.A.1&from=2026-01-05&to=2026-01-19&status=active', { as: leader });
      expect(dutch.headers.get('content-disposition')).toBe('attachment; filename="uitzonderingen-2026-01-05-tot-2026-01-18-svok-college-iii.a.1-actief.csv"');
      const rows = dutch.text.replace(/^\uFEFF/, '').trimEnd().split('\r\n');
      expect(rows[0]).toMatch(/^"Nummer";"School";"Status";"Gegeven op";"Gaat in op"/);
      expect(rows[0]).toContain('"Categorieën";"Apps en sites"');
      expect(rows.slice(1).join('\n')).toContain('"Actief"');
      expect(rows.slice(1).join('\n')).toContain('"2026-01-12 08:40"');
      expect(rows.slice(1).join('\n')).toContain(`"'=HYPERLINK(""http://x"") campagne"`);
      expect(rows.slice(1).join('\n')).not.toMatch(/"social"|"social-media"/);
      const json = await server.call('GET', '/api/v1/exceptions/export?format=json', { as: leader });
      expect(json.body.map((r: { id: string }) => r.id)).toEqual([c.id, b.id, a.id]);
      const audit = await server.call('GET', '/api/v1/audit', { as: leader });
      expect(audit.body.rows.filter((r: { action: string }) => r.action === 'export-log')).toHaveLength(3);
    });

    it('counts exceptions per week per article for the chart', async () => {
      const server = await api.start();
      const { leader } = await threeExceptions(server);
      const chart = await server.call('GET', '/api/v1/exceptions/chart', { as: leader });
      expect(chart.body.weeks).toEqual(expect.arrayContaining([
        { weekStart: '2026-01-12', article: 'III.A.1', count: 2 },
        { weekStart: '2026-01-12', article: 'III.A.3', count: 1 },
      ]));
    });
  });

  describe("the portal's lists", () => {
    it("come from the policy: the log's filter offers the articles exceptions rest on and every status, the account form the roles and the password length", async () => {
      const server = await api.start();
      const { leader } = await threeExceptions(server);
      const policy = await server.call('GET', '/api/v1/policy', { as: leader });
      expect(policy.status).toBe(200);
      // III.A.2 blocks recordings but exceptions to it rest on III.A.3: a filter on III.A.2 would always be empty.
      expect(policy.body.exceptionArticles).toEqual(['III.A.1', 'III.A.3']);
      expect(policy.body.exceptionStatuses).toEqual(['scheduled', 'active', 'expired', 'revoked']);
      expect(policy.body.accountRoles).toEqual(expect.arrayContaining(['teacher', 'leader', 'admin']));
      expect(policy.body.minPasswordLength).toBe(10);
      // Every article the log shows is one the filter offers.
      const log = await server.call('GET', '/api/v1/exceptions', { as: leader });
      const shown = new Set((log.body.rows as { articles: string[] }[]).flatMap((e) => e.articles));
      expect(shown.size).toBeGreaterThan(0);
      for (const article of shown) expect(policy.body.exceptionArticles).toContain(article);
      // And filtering on each finds what it names.
      for (const article of policy.body.exceptionArticles as string[]) {
        const filtered = await server.call('GET', `/api/v1/exceptions?article=${article}`, { as: leader });
        expect((filtered.body.rows as unknown[]).length, article).toBeGreaterThan(0);
      }
    });
  });

  describe('device health', () => {
    it('lists devices least recently seen first, and shows those not enforcing during a lesson', async () => {
      const server = await api.start();
      const leader = await server.login('de-vries');
      const sanne = await server.enroll('sanne');
      const daan = await server.enroll('daan');
      for (let at = JNS_NOW.start; at <= JNS_NOW.end; at += MINUTE) {
        server.now = at;
        await server.call('POST', '/api/v1/device/heartbeat', { as: sanne, body: {} });
      }
      server.now = JNS_NEXT.end;
      const health = await server.call('GET', '/api/v1/devices', { as: leader });
      expect(health.body.devices.map((d: { deviceId: string }) => d.deviceId)).toEqual([daan.deviceId, sanne.deviceId]);
      const silent = await server.call('GET', `/api/v1/devices/not-enforcing?from=${JNS_NOW.start}&to=${JNS_NOW.end}`, { as: leader });
      expect(silent.status).toBe(200);
      expect(silent.body.devices).toEqual([expect.objectContaining({ deviceId: daan.deviceId, studentId: 's2', lesson: expect.objectContaining({ uid: JNS_NOW.uid }) })]);
      const audit = await server.call('GET', '/api/v1/audit', { as: leader });
      expect(audit.body.rows.map((r: { action: string }) => r.action)).toEqual(['view-not-enforcing', 'view-device-health']);
    });

    it('counts a laptop silent only in lessons after it was enrolled, and from its enrollment on', async () => {
      const server = await api.start();
      const leader = await server.login('de-vries');
      // Daan's laptop enrolls ten minutes into his lesson (08:40) and stays silent; Friday's lesson was before it existed.
      const daan = await server.enroll('daan');
      server.now = JNS_NEXT.end;
      const silent = await server.call('GET', `/api/v1/devices/not-enforcing?from=${JNS_EARLIER.start}`, { as: leader });
      expect(silent.body.devices).toEqual([expect.objectContaining({
        deviceId: daan.deviceId, lesson: expect.objectContaining({ uid: JNS_NOW.uid }), silentMs: JNS_NOW.end - NOW, silent: true, tamperEvents: 0,
      })]);
    });

    it('never reports laptops silent in lessons older than the contact retention (their contact times are pruned)', async () => {
      const server = await api.start();
      await server.enroll('daan');
      (server.context.settings as { eventRetentionDays: number | null }).eventRetentionDays = 30;
      server.now = JNS_NOW.end + 31 * 24 * 60 * MINUTE;
      const leader = await server.login('de-vries');
      const old = await server.call('GET', `/api/v1/devices/not-enforcing?from=${JNS_NOW.start}&to=${JNS_NOW.end}`, { as: leader });
      expect(old).toMatchObject({ status: 400, body: { issues: [{ path: 'query.to', message: expect.stringMatching(/kept 30 days/) }] } });
      const wide = await server.call('GET', `/api/v1/devices/not-enforcing?from=${JNS_NOW.start}`, { as: leader });
      expect(wide.body.devices).toEqual([]);
    });

    it("shows one device's events to a leader, recording whose detail was looked at", async () => {
      const server = await api.start();
      const leader = await server.login('de-vries');
      const sanne = await server.enroll('sanne');
      await server.call('POST', '/api/v1/device/events', {
        as: sanne, body: { events: [{ id: '00000000-0000-4000-8000-000000000001', seq: 1, type: 'tamper', occurredAt: NOW, policyVersion: 'p1', payload: { kind: 'agent-killed', detail: 'service stopped' } }] },
      });
      const events = await server.call('GET', `/api/v1/devices/${sanne.deviceId}/events`, { as: leader });
      expect(events.body).toMatchObject({ total: 1, rows: [{ event: { type: 'tamper', payload: { kind: 'agent-killed' } } }] });
      const audit = await server.call('GET', '/api/v1/audit', { as: leader });
      expect(audit.body.rows[0]).toMatchObject({ action: 'view-device-events', subject: { kind: 'student', id: 's1' } });
    });
  });
}
