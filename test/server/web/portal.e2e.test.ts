import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CHROMIUM, logIn, openBrowser, type BrowserSession } from './browser.ts';
import { startWebServer, type WebServer } from './web-server.ts';

/**
 * The teacher portal and leader dashboard end to end: real Chromium, real
 * server, the demo school on a temporary SQLite folder. The tests run in
 * order: the leader finds what the teacher granted.
 */

const REASON = 'Filmpje analyseren voor de presentatie';
const E2E_MS = 120_000;

describe.skipIf(!existsSync(CHROMIUM))('web UI in Chromium', () => {
  let server: WebServer;
  let browser: BrowserSession | undefined;

  beforeAll(async () => { server = await startWebServer(); }, 60_000);
  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  async function fresh(browserNow = server.now): Promise<BrowserSession> {
    await browser?.close();
    browser = await openBrowser(browserNow);
    return browser;
  }

  it('counts "now" from the server\'s clock: a browser whose clock is three days off still shows the lesson in progress', async () => {
    const { page } = await fresh(server.now + 3 * 24 * 3_600_000 + 11 * 3_600_000);
    await logIn(page, server.url, 'jansen', server.demo.password);
    await page.locator('[data-page=lessons]').waitFor();
    const lesson = page.locator('li.lesson.now');
    await lesson.waitFor();
    expect(await lesson.getByRole('button', { name: 'Uitzondering geven' }).isVisible()).toBe(true);
    expect(browser!.problems).toEqual([]);
  }, E2E_MS);

  it('a teacher grants an exception for the current lesson and sees it with its device count', async () => {
    const { page } = await fresh();
    await logIn(page, server.url, 'jansen', server.demo.password);
    await page.locator('[data-page=lessons]').waitFor();
    await page.getByText('art. III.A.1 / III.A.3 Gedragscode Social Media SVOK', { exact: false }).waitFor();
    const lesson = page.locator('li.lesson.now');
    // Only what the policy blocks is offered: a box the server would refuse (video) is not there.
    const offered = await lesson.locator('input[name=category]').evaluateAll((boxes) => boxes.map((b) => b.getAttribute('value')));
    expect(offered).toEqual(['social', 'camera', 'screen-recording', 'audio-recording']);
    await lesson.getByLabel('Social media').check();
    // Art. III.B.9: the demo has one student without consent this school year; the teacher sees how many, never who.
    const consent = lesson.locator('[data-consent]');
    await consent.waitFor();
    expect(await consent.textContent()).toBe('1 leerling zonder toestemming voor dit schooljaar (art. III.B.9): voor hem of haar blijft social media geblokkeerd.');
    expect(await lesson.locator('.recording-hint').isVisible()).toBe(false);
    // Without a reason the form refuses, in Dutch, before asking the server.
    await lesson.getByRole('button', { name: 'Uitzondering geven' }).click();
    await lesson.getByText('Geef de reden').waitFor();
    await lesson.getByLabel(/Reden/).fill(REASON);
    expect(await lesson.getByLabel('Tot').inputValue()).toBe('10:10');
    await lesson.getByRole('button', { name: 'Uitzondering geven' }).click();
    const grant = lesson.locator('li.grant.active', { hasText: REASON });
    await grant.waitFor();
    expect(await grant.textContent()).toContain('Social media');
    expect(await grant.locator('.applied').textContent()).toMatch(/^\d+ van \d+ apparaten hebben het toegepast · 1 zonder toestemming$/);
    // The form is reset: the consent line goes with the ticked box.
    expect(await consent.isVisible()).toBe(false);
    expect(browser!.problems).toEqual([]);
  }, E2E_MS);

  it('a teacher revokes an exception', async () => {
    const { page } = await fresh();
    await logIn(page, server.url, 'jansen', server.demo.password);
    const lesson = page.locator('li.lesson.now');
    await lesson.getByLabel('Camera').check();
    // Recording: the III.B.8 reminder, and no consent line (camera needs no III.B.9 consent).
    await lesson.getByText('Beeldmateriaal van leerlingen niet publiceren zonder toestemming (art. III.B.8).').waitFor();
    expect(await lesson.locator('[data-consent]').isVisible()).toBe(false);
    await lesson.getByLabel(/Reden/).fill('Proef: wordt zo ingetrokken');
    await lesson.getByRole('button', { name: 'Uitzondering geven' }).click();
    const grant = lesson.locator('li.grant', { hasText: 'Proef: wordt zo ingetrokken' });
    await grant.getByRole('button', { name: 'Intrekken' }).click();
    await lesson.locator('li.grant.revoked', { hasText: 'Proef: wordt zo ingetrokken' }).waitFor();
    expect(await lesson.locator('li.grant.active', { hasText: REASON }).count()).toBe(1);
  }, E2E_MS);

  it('a retry after a lost answer reuses the Idempotency-Key: one exception, not two', async () => {
    const { page } = await fresh();
    await logIn(page, server.url, 'jansen', server.demo.password);
    const lesson = page.locator('li.lesson.now');
    await lesson.getByLabel('Camera').check();
    await lesson.getByLabel(/Reden/).fill('Proef: antwoord kwijt');
    const sent: { key: string | null; status: number }[] = [];
    let loseAnswer = true;
    await page.route('**/api/v1/grants', async (route) => {
      if (route.request().method() !== 'POST') return route.continue();
      const key = await route.request().headerValue('idempotency-key');
      const response = await route.fetch();
      sent.push({ key, status: response.status() });
      if (loseAnswer) {
        // The server made the exception; the answer never reaches the teacher (school Wi-Fi).
        loseAnswer = false;
        return route.abort('connectionreset');
      }
      return route.fulfill({ response });
    });
    await lesson.getByRole('button', { name: 'Uitzondering geven' }).click();
    await lesson.locator('p.error').filter({ hasText: /\S/ }).waitFor();
    await lesson.getByRole('button', { name: 'Uitzondering geven' }).click();
    await lesson.locator('li.grant.active', { hasText: 'Proef: antwoord kwijt' }).waitFor();
    expect(sent.map((s) => s.status)).toEqual([201, 200]);
    expect(sent[0]!.key).toMatch(/^[A-Za-z0-9_-]{1,128}$/);
    expect(sent[1]!.key).toBe(sent[0]!.key);
    expect(await lesson.locator('li.grant', { hasText: 'Proef: antwoord kwijt' }).count()).toBe(1);
    await page.unroute('**/api/v1/grants');
  }, E2E_MS);

  it('the leader finds it in the log with reason and teacher, filters by article and exports the CSV', async () => {
    const { page } = await fresh();
    await logIn(page, server.url, 'dewit', server.demo.password);
    const row = page.locator('#log tbody tr', { hasText: REASON });
    await row.waitFor();
    expect(await row.textContent()).toContain('Jansen (JNS)');
    expect(await row.textContent()).toContain('III.A.1');

    await page.getByLabel('Artikel', { exact: true }).selectOption('III.A.3');
    await page.getByRole('button', { name: 'Filteren' }).click();
    await page.waitForURL(/article=III\.A\.3/);
    await page.locator('#log, #log-empty').first().waitFor();
    expect(await page.locator('#log tbody tr', { hasText: REASON }).count()).toBe(0);

    await page.getByLabel('Artikel', { exact: true }).selectOption('III.A.1');
    await page.getByLabel('Docent (code)').fill('jns');
    await page.getByRole('button', { name: 'Filteren' }).click();
    await page.waitForURL(/article=III\.A\.1/);
    await page.locator('#log tbody tr', { hasText: REASON }).waitFor();
    const articles = await page.locator('#log tbody tr td:nth-child(5)').allTextContents();
    expect(articles.length).toBeGreaterThan(0);
    expect(articles.every((a) => a.includes('III.A.1'))).toBe(true);

    const href = await page.locator('#export').getAttribute('href');
    expect(href).toContain('article=III.A.1');
    expect(href).toContain('teacher=JNS');
    const [download] = await Promise.all([page.waitForEvent('download'), page.locator('#export').click()]);
    const csv = await readFile((await download.path())!, 'utf8');
    // The Dutch leader gets the Dutch file: its name says what was filtered.
    expect(download.suggestedFilename()).toMatch(/^uitzonderingen-.*-jns-iii\.a\.1\.csv$/);
    expect(csv.split(/\r?\n/)[0]).toContain(';');
    expect(csv).toContain(REASON);
    expect(csv).toContain('JNS');
    expect(csv).not.toContain('Schermopname van eigen programmeerwerk'); // the demo's III.A.3 exception, filtered out

    await page.locator('#log tbody tr', { hasText: REASON }).getByRole('link', { name: 'Details' }).click();
    await page.locator('[data-page=detail]').waitFor();
    const facts = await page.locator('dl.facts').textContent();
    expect(facts).toContain(REASON);
    expect(facts).toContain('Docent');
    expect(facts).toContain('H4A');
    expect(facts).toMatch(/Toestemming \(III\.B\.9\)social media \(III\.B\.9\), schooljaar \d{4}-\d{4}: 1 leerling zonder toestemming/);

    // Monday's Instagram exception was applied on two laptops; Emma Bakker's (LKK-MB-0023) has no consent registered, so it kept blocking and never applied it.
    await page.goto(`${server.url}/leiding?article=III.A.1`);
    await page.locator('#log tbody tr', { hasText: 'Instagram-campagne' }).getByRole('link', { name: 'Details' }).click();
    await page.locator('#detail-devices').waitFor();
    expect(await page.locator('#detail-devices tr', { hasText: 'LKK-MB-0023' }).count()).toBe(0);
    expect(await page.locator('#detail-devices tr', { hasText: 'LKK-LT-0142' }).locator('[data-consent]').textContent()).toBe('Geregistreerd');
    expect(browser!.problems).toEqual([]);
  }, E2E_MS);

  it('the leader sees the weekly chart and device health', async () => {
    const { page } = await fresh();
    await logIn(page, server.url, 'dewit', server.demo.password);
    await page.locator('svg.chart rect').first().waitFor();
    if (process.env['LESMODUS_WEB_SHOTS']) await page.screenshot({ path: `${process.env['LESMODUS_WEB_SHOTS']}/leader.png`, fullPage: true });
    await page.locator('#devices tbody tr').first().waitFor();
    expect(await page.locator('#log-more').isVisible()).toBe(false); // everything fits on one page
    expect(await page.locator('#devices tbody tr.stale').count()).toBeGreaterThan(0);
    // The demo's silent laptop missed lessons this week: one line for the laptop, its lessons behind it.
    await page.locator('#not-enforcing summary', { hasText: 'LKK-LT-0203' }).waitFor();
  }, E2E_MS);

  it('a teacher gets "geen toegang" on leader pages, and the API refuses them too', async () => {
    const { page } = await fresh();
    await logIn(page, server.url, 'jansen', server.demo.password);
    await page.locator('[data-page=lessons]').waitFor();
    expect(await page.getByRole('link', { name: 'Uitzonderingen' }).count()).toBe(0);
    for (const path of ['/leiding', '/leiding/uitzondering/anything']) {
      await page.goto(`${server.url}${path}`);
      await page.getByRole('heading', { name: 'Geen toegang' }).waitFor();
    }
    for (const path of ['/api/v1/exceptions', '/api/v1/exceptions/export', '/api/v1/exceptions/chart', '/api/v1/devices']) {
      expect((await page.request.get(`${server.url}${path}`)).status(), path).toBe(403);
    }
  }, E2E_MS);

  it('logged out, pages send you to the login; English is one click away', async () => {
    const { page } = await fresh();
    await page.goto(`${server.url}/leiding`);
    await page.waitForURL(/\/login$/);
    await page.getByRole('button', { name: 'English' }).click();
    await page.getByRole('heading', { name: 'Log in to Lesmodus' }).waitFor();
    expect(await page.locator('html').getAttribute('lang')).toBe('en');
  }, E2E_MS);
});
