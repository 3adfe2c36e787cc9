import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';

/**
 * Debian's Chromium driven by playwright-core (no bundled browser). Every
 * test gets a fresh persistent profile in its own temp folder, Dutch locale,
 * and the page clock pinned to the server's "now".
 */

export const CHROMIUM = '/usr/bin/chromium';
const ARGS = ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync'];

export interface BrowserSession {
  readonly context: BrowserContext;
  readonly page: Page;
  /** Script errors and CSP violations seen so far (expected HTTP errors such as a 401 before login are not counted). */
  readonly problems: string[];
  close(): Promise<void>;
}

/** `locale`: the browser's language (Chromium's --lang and navigator.language), Dutch unless a test says otherwise. */
export async function openBrowser(now: number, locale = 'nl-NL'): Promise<BrowserSession> {
  const profile = await mkdtemp(join(tmpdir(), 'lesmodus-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM, args: [...ARGS, `--lang=${locale}`], headless: true, locale, timezoneId: 'Europe/Amsterdam',
    viewport: { width: 1280, height: 900 }, acceptDownloads: true,
  });
  // The machine is shared and slow: be patient rather than flaky.
  context.setDefaultTimeout(30_000);
  const page = context.pages()[0] ?? await context.newPage();
  await page.clock.setFixedTime(now);
  const problems: string[] = [];
  page.on('pageerror', (error) => problems.push(`pageerror: ${error.message}`));
  page.on('console', (message) => {
    if (message.type() === 'error' && !message.text().startsWith('Failed to load resource')) problems.push(message.text());
  });
  return {
    context, page, problems,
    async close() {
      await context.close();
      await rm(profile, { recursive: true, force: true });
    },
  };
}

export async function logIn(page: Page, baseUrl: string, username: string, password: string): Promise<void> {
  await page.goto(`${baseUrl}/login`);
  await page.getByLabel('Gebruikersnaam').fill(username);
  await page.getByLabel('Wachtwoord').fill(password);
  await page.getByRole('button', { name: 'Inloggen' }).click();
}
