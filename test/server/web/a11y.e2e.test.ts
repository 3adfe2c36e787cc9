import { existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CHROMIUM, logIn, openBrowser, type BrowserSession } from './browser.ts';
import { layout } from './layout.ts';
import { startWebServer, type WebServer } from './web-server.ts';

/**
 * Layout and accessibility of the portal in real Chromium: a phone (375 px)
 * and a wide screen (1440 px), the keyboard's first stop, the names screen
 * readers hear, and the grant form's errors. Screenshots go to test-results/
 * and the layout facts they show are asserted, not only taken.
 */

const E2E_MS = 120_000;
const SHOTS = 'test-results/a11y';
/** One unbroken 180-character word: the kind of reason (a pasted URL) that pushes a page sideways. */
const LONG_REASON = `Bronnen: https://example.org/${'lesmateriaal-'.repeat(12)}einde`;


describe.skipIf(!existsSync(CHROMIUM))('portal layout and accessibility in Chromium', () => {
  let server: WebServer;
  let browser: BrowserSession | undefined;

  beforeAll(async () => {
    server = await startWebServer();
    await mkdir(SHOTS, { recursive: true });
  }, 60_000);
  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  async function fresh(width: number, locale?: string): Promise<Page> {
    await browser?.close();
    browser = await openBrowser(server.now, locale);
    await browser.page.setViewportSize({ width, height: 800 });
    return browser.page;
  }

  it('the skip link is the first stop of the keyboard and moves to the content', async () => {
    const page = await fresh(375);
    await logIn(page, server.url, 'jansen', server.demo.password);
    await page.locator('[data-page=lessons]').waitFor();
    await page.keyboard.press('Tab');
    expect(await page.locator(':focus').textContent()).toBe('Naar de inhoud');
    const skip = await page.locator('#skip').boundingBox();
    expect(skip!.y).toBeGreaterThanOrEqual(0); // visible once focused
    await page.keyboard.press('Enter');
    expect(await page.locator(':focus').getAttribute('id')).toBe('main');
  }, E2E_MS);

  it('the grant form shows every problem at once, focuses the first and says a "Tot" after the lesson is too late', async () => {
    const page = await fresh(375);
    await logIn(page, server.url, 'jansen', server.demo.password);
    const lesson = page.locator('li.lesson.now');
    await lesson.getByLabel('Tot').fill('11:30');
    await lesson.getByRole('button', { name: 'Uitzondering geven' }).click();
    const errors = lesson.locator('p.error li');
    await errors.first().waitFor();
    expect(await errors.allTextContents()).toEqual([
      'Kies minstens één app of categorie.',
      'Geef de reden (minstens 3 tekens).',
      'Tot 11:30 valt na het einde van de les (10:10); kies 10:10 of eerder.',
    ]);
    expect(await page.locator(':focus').getAttribute('value')).toBe('social'); // the first box
    expect(await lesson.getByLabel(/Reden/).getAttribute('aria-invalid')).toBe('true');
    expect(await lesson.getByLabel('Tot').getAttribute('aria-invalid')).toBe('true');
    await page.screenshot({ path: `${SHOTS}/grant-form-errors-375.png`, fullPage: true });
    expect(await layout(page, 'p.error, p.error li')).toMatchObject({ overflow: 0, outside: [] });

    // Fixed one by one, the remaining problems stay listed until none is left.
    await lesson.getByLabel('Social media').check();
    await lesson.getByLabel(/Reden/).fill(LONG_REASON);
    await lesson.getByRole('button', { name: 'Uitzondering geven' }).click();
    await lesson.locator('p.error', { hasText: 'Tot 11:30 valt na het einde van de les' }).waitFor();
    expect(await page.locator(':focus').getAttribute('name')).toBe('until');
    await lesson.getByLabel('Tot').fill('10:00');
    await lesson.getByRole('button', { name: 'Uitzondering geven' }).click();
    const grant = lesson.locator('li.grant.active', { hasText: LONG_REASON });
    await grant.waitFor();

    // The long reason wraps: the page does not scroll sideways and the reason stays on screen.
    await page.screenshot({ path: `${SHOTS}/teacher-375.png`, fullPage: true });
    expect(await layout(page, 'li.grant .reason, li.grant button, .lesson-head')).toMatchObject({ overflow: 0, outside: [] });

    // Its revoke button says which exception it ends (the name in the accessibility tree, not just "Intrekken").
    const revoke = grant.getByRole('button', { name: /^Intrekken: Social media voor H4A, .+ 09:\d\d$/ });
    expect(await revoke.count()).toBe(1);
    expect(browser!.problems).toEqual([]);
  }, E2E_MS);

  it('in a browser set to English (en-US) the form still shows the Dutch 24-hour time', async () => {
    const page = await fresh(375, 'en-US');
    expect(await page.evaluate(() => navigator.language)).toBe('en-US');
    await logIn(page, server.url, 'jansen', server.demo.password);
    const until = page.locator('li.lesson.now').getByLabel('Tot');
    await until.waitFor();
    // What the field shows is its value: "10:10", never "10:10 AM".
    expect(await until.inputValue()).toBe('10:10');
    expect(await until.evaluate((input) => input.getAttribute('type'))).toBe('text');
    await page.locator('li.lesson.now').screenshot({ path: `${SHOTS}/grant-form-en-US.png` });
  }, E2E_MS);

  it('an error from the API reaches the teacher in Dutch (and in English when the portal is set to English)', async () => {
    for (const [language, expected] of [['nl', 'De eindtijd (Tot) is al voorbij; kies een tijd later dan nu.'], ['en', 'must be in the future']] as const) {
      const page = await fresh(1280);
      await logIn(page, server.url, 'jansen', server.demo.password);
      if (language === 'en') {
        await page.getByRole('button', { name: 'English' }).click();
        await page.getByRole('heading', { name: 'My lessons today' }).waitFor();
      }
      const lesson = page.locator('li.lesson.now');
      await lesson.locator('input[name=category][value=camera]').check();
      await lesson.locator('input[name=reason]').fill('Proef: Tot in het verleden');
      // Bad input the form itself cannot produce (an end already past) is sent to the real server as it would arrive from a stale page.
      await page.route('**/api/v1/grants', async (route) => {
        if (route.request().method() !== 'POST') return route.continue();
        const body = { ...route.request().postDataJSON(), expiresAt: server.now - 60_000 };
        return route.continue({ postData: JSON.stringify(body) });
      });
      await lesson.locator('button[type=submit]').click();
      const error = lesson.locator('p.error').filter({ hasText: /\S/ });
      await error.waitFor();
      expect(await error.textContent()).toContain(expected);
      await page.unroute('**/api/v1/grants');
    }
  }, E2E_MS);

  it('the leader\'s chart is a readable table on a phone, and the page does not scroll sideways', async () => {
    const page = await fresh(375);
    await logIn(page, server.url, 'dewit', server.demo.password);
    const table = page.getByRole('table', { name: /De cijfers van de grafiek/ });
    await table.waitFor();
    expect(await page.locator('svg.chart').isVisible()).toBe(false);
    const rows = await table.locator('tbody tr').count();
    expect(rows).toBeGreaterThan(0);
    expect(await table.locator('thead th').allTextContents()).toContain('III.A.1');
    await page.locator('#devices tbody tr').first().waitFor();
    await page.screenshot({ path: `${SHOTS}/leader-375.png`, fullPage: true });
    // Wide tables scroll inside their own box; the page itself never does.
    expect((await layout(page, '#chart-table, h1, h2, .filters label')).overflow).toBe(0);
    expect((await layout(page, '#chart-table, h1, h2, .filters label')).outside).toEqual([]);
    expect(await page.locator('#log-count').textContent()).toMatch(/^(1 uitzondering|\d+ uitzonderingen)$/);
  }, E2E_MS);

  it('at 1440 px every column of the log is on screen, and the chart is drawn with its table beside it', async () => {
    const page = await fresh(1440);
    await logIn(page, server.url, 'dewit', server.demo.password);
    await page.locator('#log tbody tr').first().waitFor();
    await page.locator('svg.chart rect').first().waitFor();
    expect(await page.locator('#chart-table').isVisible()).toBe(true);
    await page.screenshot({ path: `${SHOTS}/leader-1440.png`, fullPage: true });
    const cut = await page.locator('#log').evaluate((table) => {
      const wrap = table.parentElement!;
      return { scrolls: wrap.scrollWidth > wrap.clientWidth, hidden: [...table.querySelectorAll('th')].filter((th) => th.getBoundingClientRect().width === 0).length };
    });
    expect(cut).toEqual({ scrolls: false, hidden: 0 });
    expect(await layout(page, '#log th, #log td')).toMatchObject({ overflow: 0, outside: [] });
    // Services by their name, never their catalog id: the demo's TikTok exception says "TikTok".
    const cells = await page.locator('#log tbody tr', { hasText: 'trends op TikTok' }).locator('td').allTextContents();
    expect(cells).toContain('TikTok');
    expect(await page.locator('#log tbody').textContent()).not.toMatch(/\btiktok\b/);
  }, E2E_MS);
});
