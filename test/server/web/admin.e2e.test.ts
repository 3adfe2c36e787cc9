import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CHROMIUM, logIn, openBrowser, type BrowserSession } from './browser.ts';
import { startWebServer, type WebServer } from './web-server.ts';

/**
 * The admin page ("Beheer") end to end: real Chromium, real server, the demo
 * school. The admin lands on it, revokes a laptop through the confirm dialog,
 * sees it marked, restores it, and makes an enrollment secret shown once;
 * then imports the school's Magister export: a bad file is refused line by
 * line and nothing can be stored until a clean check.
 */

const E2E_MS = 120_000;
const LAPTOP = 'LKK-LT-0142';
// A Magister export of three new students (the demo's own students' login names are taken by their numbers).
const MAGISTER_CSV = '\uFEFFStamnr;Achternaam;Tussenv;Roepnaam;Klas;Lesgroepen;Gebruikersnaam\n'
  + '300101;Vries;de;Sanne;H4C;h4c.ne,h4c.en;svries3\n300102;Yılmaz;;Elif;H4C;h4c.ne,h4.econ2;eyilmaz3\n300103;Berg;van den;Zoë;H4C;"h4c.ne, h4c.en";zberg3\n';

describe.skipIf(!existsSync(CHROMIUM))('the admin page in Chromium', () => {
  let server: WebServer;
  let browser: BrowserSession | undefined;

  beforeAll(async () => { server = await startWebServer(); }, 60_000);
  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  it('the admin revokes and restores a laptop with a confirm, and sees a new enrollment secret once', async () => {
    browser = await openBrowser(server.now);
    const { page } = browser;
    await logIn(page, server.url, 'beheer', server.demo.password);
    await page.waitForURL(/\/beheer$/);
    await page.locator('[data-page=admin]').waitFor();
    const row = page.locator(`tr[data-device="${LAPTOP}"]`);
    await row.waitFor();
    expect(await page.getByRole('heading', { name: 'Rooster en leerlingen' }).isVisible()).toBe(true);

    // A dismissed confirm changes nothing; an accepted one revokes.
    page.once('dialog', (dialog) => dialog.dismiss());
    await page.getByRole('button', { name: `Intrekken: ${LAPTOP}` }).click();
    expect(await row.getAttribute('class')).toBeNull();
    const asked: string[] = [];
    page.once('dialog', (dialog) => { asked.push(dialog.message()); void dialog.accept(); });
    await page.getByRole('button', { name: `Intrekken: ${LAPTOP}` }).click();
    await page.getByRole('button', { name: `Herstellen: ${LAPTOP}` }).waitFor();
    expect(asked[0]).toContain(LAPTOP);
    expect(await row.locator('.state').textContent()).toMatch(/^Ingetrokken .* door beheer$/);
    await mkdir('test-results', { recursive: true });
    await page.screenshot({ path: 'test-results/admin-revoked.png', fullPage: true });

    page.once('dialog', (dialog) => dialog.accept());
    await page.getByRole('button', { name: `Herstellen: ${LAPTOP}` }).click();
    await page.getByRole('button', { name: `Intrekken: ${LAPTOP}` }).waitFor();
    expect(await row.locator('.state').textContent()).toBe('In gebruik');

    await page.getByRole('button', { name: 'Nieuw inschrijfgeheim' }).click();
    const secret = page.locator('#new-secret code');
    await secret.waitFor();
    expect(await secret.textContent()).toMatch(/^lme1\./);
    // Shown once: after a reload only its id is listed.
    const value = (await secret.textContent())!;
    await page.reload();
    await page.locator(`tr[data-device="${LAPTOP}"]`).waitFor();
    expect(await page.content()).not.toContain(value);

    // A new teacher's account: every problem named at once, focus on the first; then made, and listed.
    await page.locator('summary', { hasText: 'Nieuw account' }).click();
    await page.getByRole('button', { name: 'Account maken' }).click();
    const problems = page.locator('.account-form .error li');
    expect(await problems.allTextContents()).toEqual([
      expect.stringContaining('gebruikersnaam'), expect.stringContaining('docentcode'), expect.stringContaining('minstens 10 tekens'),
    ]);
    expect(await page.evaluate('document.activeElement?.id')).toBe('account-username');
    await page.getByLabel('Gebruikersnaam', { exact: true }).fill('pietersen');
    await page.getByLabel('Naam', { exact: true }).fill('Mw. Pietersen');
    await page.getByLabel('Docentcode', { exact: true }).fill('pts');
    await page.getByLabel('Eerste wachtwoord').fill('een-lang-wachtwoord');
    await page.getByRole('button', { name: 'Account maken' }).click();
    const made = page.locator('tr[data-user="pietersen"]');
    await made.waitFor();
    expect(await made.locator('td').allTextContents()).toEqual(['Mw. Pietersen', 'Docent', 'PTS']);

    // At 375 px the page still fits: nothing wider than the screen but the scrollable tables.
    await page.setViewportSize({ width: 375, height: 800 });
    expect(await page.evaluate("document.documentElement.scrollWidth")).toBeLessThanOrEqual(375);
    await page.screenshot({ path: 'test-results/admin-375.png', fullPage: true });
    expect(browser.problems).toEqual([]);
  }, E2E_MS);

  it('the admin checks a Magister export before importing it: bad lines named, nothing stored until a clean check', async () => {
    const { page } = browser!;
    await page.setViewportSize({ width: 1280, height: 900 });
    // No feed configured on this server: the page says how to set one up.
    expect(await page.locator('#feed-status').textContent()).toContain('--timetable-feed');

    const dir = await mkdtemp(join(tmpdir(), 'lesmodus-admin-'));
    const bad = join(dir, 'leerlingen.csv');
    await writeFile(bad, 'Leerlingnummer,Roepnaam,Stamgroep\n230110,Noah,M2B\n,Fleur,M2B\n230110,Sem,M2B\n');
    const file = page.getByLabel('Bestand').first();
    const check = page.getByRole('button', { name: 'Controleren' }).first();
    const store = page.getByRole('button', { name: 'Importeren' }).first();
    const result = page.locator('#roster-import-result');

    await check.click();
    await result.getByText('Kies eerst een bestand.').waitFor();
    await file.setInputFiles(bad);
    await check.click();
    await result.getByText(/^Niet geïmporteerd: 2 fouten\./).waitFor();
    expect(await result.locator('li').allTextContents()).toEqual([
      expect.stringMatching(/^Regel 3: het leerlingnummer is leeg/), expect.stringMatching(/^Regel 4: leerlingnummer 230110 staat al op regel 2/),
    ]);
    expect(await store.isDisabled()).toBe(true);

    const magister = join(dir, 'magister.csv');
    await writeFile(magister, MAGISTER_CSV);
    await file.setInputFiles(magister);
    expect(await result.textContent()).toBe(''); // a new file clears the old verdict
    await check.click();
    await result.getByText('Klopt: 3 leerlingen in 4 klassen (magister).', { exact: false }).waitFor();
    expect(await result.textContent()).toContain('Nieuw: 3');
    await store.click();
    await result.getByText(/^Opgeslagen: 3 leerlingen/).waitFor();
    expect(await store.isDisabled()).toBe(true);
    await page.screenshot({ path: 'test-results/admin-roster-import.png', fullPage: true });

    // Stored: checking the same file again finds nothing new.
    await check.click();
    await result.getByText('Nieuw: 0, gewijzigd: 0, ongewijzigd: 3.').waitFor();
    expect(browser!.problems).toEqual([]);
  }, E2E_MS);

  it('a leader asking for /beheer gets "Geen toegang"', async () => {
    await browser?.close();
    browser = await openBrowser(server.now);
    await logIn(browser.page, server.url, 'dewit', server.demo.password);
    await browser.page.waitForURL(/\/leiding$/);
    await browser.page.goto(`${server.url}/beheer`);
    await browser.page.locator('[data-page=denied]').waitFor();
  }, E2E_MS);
});
