import { randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEVICE_GRANT_TYPE } from '../../../src/core/protocol/index.ts';
import { addDays, instantToLocal, type LocalDate } from '../../../src/core/time/zoned.ts';
import { servicesOf } from '../../../src/server/api/context.ts';
import { restoreGrants } from '../../../src/server/services/grant-restore.ts';
import { CHROMIUM, logIn, openBrowser, type BrowserSession } from './browser.ts';
import { layout } from './layout.ts';
import { startWebServer, type WebServer } from './web-server.ts';

/**
 * The leader's log in real Chromium: Dutch date fields whatever the
 * browser's language, filters that say what is wrong before asking the
 * server, services by name, and device health one line per laptop.
 * Screenshots go to test-results/leader-log and what they show is asserted.
 */

const E2E_MS = 120_000;
const SHOTS = 'test-results/leader-log';
const ZONE = 'Europe/Amsterdam';

const pad = (n: number) => String(n).padStart(2, '0');
const dutch = (d: LocalDate) => `${pad(d.day)}-${pad(d.month)}-${d.year}`;
const iso = (d: LocalDate) => `${d.year}-${pad(d.month)}-${pad(d.day)}`;


describe.skipIf(!existsSync(CHROMIUM))("the leader's log in Chromium", () => {
  let server: WebServer;
  let browser: BrowserSession | undefined;
  let monday: LocalDate;
  let wednesday: LocalDate;

  beforeAll(async () => {
    server = await startWebServer();
    await mkdir(SHOTS, { recursive: true });
    const today = instantToLocal(server.now, ZONE); // the demo's Wednesday
    wednesday = { year: today.year, month: today.month, day: today.day };
    monday = addDays(wednesday, -2);
  }, 60_000);
  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  async function leader(width: number, locale?: string): Promise<Page> {
    await browser?.close();
    browser = await openBrowser(server.now, locale);
    await browser.page.setViewportSize({ width, height: 900 });
    await logIn(browser.page, server.url, 'dewit', server.demo.password);
    await browser.page.locator('[data-page=log] form').waitFor();
    return browser.page;
  }

  it('in a browser set to English (en-US) the date fields show and take dd-mm-jjjj, and the address holds only what was filled in', async () => {
    const page = await leader(1280, 'en-US');
    expect(await page.evaluate(() => navigator.language)).toBe('en-US');
    const from = page.getByLabel('Vanaf');
    const to = page.getByLabel('Tot en met');
    for (const field of [from, to]) {
      expect(await field.getAttribute('type')).toBe('text');
      expect(await field.getAttribute('inputmode')).toBe('numeric');
      expect(await field.getAttribute('placeholder')).toBe('dd-mm-jjjj');
      // The hint is the field's description: a screen reader says the format too.
      const hint = await field.getAttribute('aria-describedby');
      expect(await page.locator(`#${hint}`).textContent()).toBe('dd-mm-jjjj');
    }
    await from.fill(dutch(monday));
    await to.fill(iso(wednesday)); // the other form it takes
    await page.getByLabel('Dienst').fill('tiktok');
    await page.getByRole('button', { name: 'Filteren' }).click();
    await page.waitForURL(/service=/);
    expect(new URL(page.url()).search).toBe(`?from=${iso(monday)}&to=${iso(wednesday)}&service=tiktok`);
    await page.locator('#log tbody tr').first().waitFor();
    // After the reload the fields show the dates as a Dutch leader writes them.
    expect(await page.getByLabel('Vanaf').inputValue()).toBe(dutch(monday));
    expect(await page.getByLabel('Tot en met').inputValue()).toBe(dutch(wednesday));
    const rows = await page.locator('#log tbody tr').allTextContents();
    // TikTok's exception, and the demo's one for all social media (it allowed TikTok too); nothing else.
    expect(rows.some((r) => r.includes('trends op TikTok'))).toBe(true);
    expect(await page.locator('#log tbody tr td:nth-child(4)').allTextContents()).toEqual(rows.map(() => expect.stringMatching(/^(TikTok|Social media)$/)));
    await page.locator('form.filters').screenshot({ path: `${SHOTS}/filter-en-US.png` });
    // The whole date shows in its field (not cut off), and nothing sticks out.
    expect(await layout(page, 'form.filters input, form.filters label')).toEqual({ overflow: 0, outside: [], cut: [] });
    expect(browser!.problems).toEqual([]);
  }, E2E_MS);

  it('a date that is none, or an end before the start, is said at the form with the focus on it, and the server is not asked', async () => {
    const page = await leader(375);
    await page.locator('#log tbody tr').first().waitFor();
    const asked: string[] = [];
    page.on('request', (request) => { if (request.url().includes('/api/v1/exceptions')) asked.push(request.url()); });
    const error = page.locator('#filter-error');

    await page.getByLabel('Vanaf').fill('31-02-2026');
    await page.getByLabel('Tot en met').fill('12/31/2026'); // how an American browser would write it
    await page.getByRole('button', { name: 'Filteren' }).click();
    await error.locator('li').first().waitFor();
    expect(await error.locator('li').allTextContents()).toEqual([
      'Vanaf: "31-02-2026" is geen datum; schrijf dd-mm-jjjj, bijvoorbeeld 02-12-2026.',
      'Tot en met: "12/31/2026" is geen datum; schrijf dd-mm-jjjj, bijvoorbeeld 02-12-2026.',
    ]);
    expect(await page.locator(':focus').getAttribute('name')).toBe('from');
    expect(await page.getByLabel('Vanaf').getAttribute('aria-invalid')).toBe('true');
    expect(await page.getByLabel('Tot en met').getAttribute('aria-invalid')).toBe('true');
    await page.screenshot({ path: `${SHOTS}/filter-errors-375.png`, fullPage: true });
    expect(await layout(page, '#filter-error, #filter-error li, form.filters input')).toEqual({ overflow: 0, outside: [], cut: [] });

    await page.getByLabel('Vanaf').fill(dutch(wednesday));
    await page.getByLabel('Tot en met').fill(dutch(monday));
    await page.getByRole('button', { name: 'Filteren' }).click();
    await error.getByText('ligt vóór Vanaf').waitFor();
    expect(await error.textContent()).toBe(`Tot en met (${dutch(monday)}) ligt vóór Vanaf (${dutch(wednesday)}); kies een latere einddatum of draai ze om.`);
    expect(await page.locator(':focus').getAttribute('name')).toBe('to');
    expect(await page.getByLabel('Vanaf').getAttribute('aria-invalid')).toBe('false');
    expect(new URL(page.url()).search).toBe('');
    expect(asked).toEqual([]);

    // An address typed or shared by hand: the same words at the form, no empty log that suggests there was nothing.
    await page.goto(`${server.url}/leiding?from=${iso(wednesday)}&to=${iso(monday)}`);
    await error.getByText('ligt vóór Vanaf').waitFor();
    expect(await page.locator('#log, #log-empty').count()).toBe(0);
    // A filter only the server can judge is refused there, and its Dutch words land at the form too.
    await page.goto(`${server.url}/leiding?status=lost`);
    await error.getByText('Het verzoek klopt niet').waitFor();
    expect(browser!.problems).toEqual([]);
  }, E2E_MS);

  it('a service is found by its name (with the exceptions for all social media), and social media also finds the exception that allowed only TikTok', async () => {
    const page = await leader(1280);
    await page.getByLabel('Dienst').fill('TikTok');
    await page.getByRole('button', { name: 'Filteren' }).click();
    await page.waitForURL(/service=TikTok/);
    expect(new URL(page.url()).search).toBe('?service=TikTok');
    await page.locator('#log tbody tr', { hasText: 'trends op TikTok' }).waitFor();
    expect((await page.locator('#log tbody tr td:nth-child(4)').allTextContents()).sort()).toEqual(['Social media', 'TikTok']);
    // The field offers the catalog's names.
    expect(await page.locator('#f-service-names option[value="TikTok"]').count()).toBe(1);

    await page.goto(`${server.url}/leiding`);
    await page.getByLabel('Categorie').selectOption('social');
    await page.getByRole('button', { name: 'Filteren' }).click();
    await page.waitForURL(/category=social/);
    expect(new URL(page.url()).search).toBe('?category=social');
    await page.locator('#log tbody tr').first().waitFor();
    const allowed = await page.locator('#log tbody tr td:nth-child(4)').allTextContents();
    expect(allowed).toContain('TikTok');
    expect(allowed).toContain('Social media');
    expect(allowed.every((a) => a === 'TikTok' || a.includes('Social media'))).toBe(true);
    expect(browser!.problems).toEqual([]);
  }, E2E_MS);

  it('device health shows one line per laptop that did not enforce, opened to its lessons', async () => {
    const page = await leader(375);
    const laptops = page.locator('#not-enforcing > li');
    await laptops.first().waitFor();
    // Only the demo's silent laptop: the others were on in every lesson.
    expect(await laptops.count()).toBe(1);
    const summary = laptops.first().locator('summary');
    const line = (await summary.textContent())!;
    const match = /^LKK-LT-0203 \(.+\) — (\d+) lessen stil sinds \d{1,2} [a-z]{3} \d\d:\d\d, 1 keer manipulatie$/.exec(line);
    expect(match, line).not.toBeNull();
    const lessons = laptops.first().locator('tbody tr');
    expect(await lessons.first().isVisible()).toBe(false); // closed: one line, not a wall of rows
    await summary.click();
    await lessons.first().waitFor();
    // Its lessons: every silent one, and the one with the tampering.
    expect(await lessons.count()).toBeGreaterThanOrEqual(Number(match![1]));
    await page.locator('#not-enforcing').screenshot({ path: `${SHOTS}/device-health-375.png` });
    // Every cell in sight on a phone, the numbers each beside their column's name: nothing to scroll sideways for.
    expect(await layout(page, '#not-enforcing summary, #not-enforcing td, #not-enforcing .table-wrap')).toEqual({ overflow: 0, outside: [], cut: [] });
    const tampered = laptops.first().locator('tbody tr').filter({ has: page.locator('td:last-child', { hasText: /^[1-9]/ }) }).first();
    const label = await tampered.locator('td:last-child').evaluate((td) => td.ownerDocument.defaultView!.getComputedStyle(td, '::before').content);
    expect(label).toBe('"Manipulatie"');
    expect(await tampered.locator('td:last-child').isVisible()).toBe(true);
    // A screen reader still meets a table with its column names.
    expect(await page.getByRole('columnheader', { name: 'Manipulatie' }).count()).toBeGreaterThan(0);
    expect(browser!.problems).toEqual([]);
  }, E2E_MS);

  it('an exception a laptop gave back after the server was restored from a backup reads like any other, and says where it came from', async () => {
    const { store, signer } = server.context;
    const laptop = (await store.device((await store.deviceHealth(server.demo.schoolId))[0]!.deviceId))!;
    const grant = {
      id: randomUUID(), issuedBy: { username: 'dewit', name: 'Mw. De Wit', role: 'leader' as const }, reason: 'Interviews opnemen voor het profielwerkstuk',
      scope: { kind: 'window' as const, start: server.now - 30 * 60_000, end: server.now + 30 * 60_000 },
      allow: { categories: [], services: [], capture: ['camera' as const] }, issuedAt: server.now - 30 * 60_000, expiresAt: server.now + 30 * 60_000,
    };
    const signed = signer.sign({ type: DEVICE_GRANT_TYPE, deviceId: laptop.id, schoolId: server.demo.schoolId, grant, articles: ['III.A.3'],
      audience: { kind: 'device', deviceId: laptop.id }, signedAt: grant.issuedAt });
    expect(await restoreGrants(servicesOf(server.context), laptop, [signed], signer.publicKeyPem, server.now)).toEqual([{ index: 0, grantId: grant.id, status: 'restored' }]);

    const page = await leader(1280);
    await page.goto(`${server.url}/leiding/uitzondering/${grant.id}`);
    const facts = page.locator('[data-page=detail] dl');
    await facts.waitFor();
    const text = (await facts.textContent())!;
    expect(text).toContain('Mw. De Wit');
    expect(text).toContain('Interviews opnemen voor het profielwerkstuk');
    expect(text).toContain('III.A.3');
    expect(text).toContain(`Hersteld van laptop ${laptop.hostname}: de server is uit een back-up teruggezet`);
    await page.locator('[data-page=detail]').screenshot({ path: `${SHOTS}/restored-exception.png` });
    expect(browser!.problems).toEqual([]);
  }, E2E_MS);
});
