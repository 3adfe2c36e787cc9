import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { afterAll } from 'vitest';
import { CHROMIUM } from '../../helpers/chromium-path.ts';

/**
 * Debian's Chromium driven by playwright-core (no bundled browser). One
 * browser per test file and language (Chromium's --lang is the process's),
 * each in a fresh temporary profile; every test gets its own context in it:
 * no cookie, storage or cache of another test, Dutch locale, and the page
 * clock pinned to the server's "now". A context costs a fraction of a
 * browser's start, which the suite paid thirty times over.
 */

export { CHROMIUM } from '../../helpers/chromium-path.ts';
const ARGS = ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync'];

const browsers = new Map<string, Promise<Browser>>();
afterAll(async () => {
  const open = [...browsers.values()];
  browsers.clear();
  await Promise.all(open.map(async (browser) => (await browser).close()));
});

function browserFor(locale: string): Promise<Browser> {
  let browser = browsers.get(locale);
  if (browser === undefined) {
    browser = chromium.launch({ executablePath: CHROMIUM, args: [...ARGS, `--lang=${locale}`], headless: true });
    // A failed start is not kept: the next test tries again.
    browser.catch(() => browsers.delete(locale));
    browsers.set(locale, browser);
  }
  return browser;
}

export interface BrowserSession {
  readonly context: BrowserContext;
  readonly page: Page;
  /** Script errors and CSP violations seen so far (expected HTTP errors such as a 401 before login are not counted). */
  readonly problems: string[];
  close(): Promise<void>;
}

/** `locale`: the browser's language (Chromium's --lang and navigator.language), Dutch unless a test says otherwise. */
export async function openBrowser(now: number, locale = 'nl-NL'): Promise<BrowserSession> {
  const context = await (await browserFor(locale)).newContext({
    locale, timezoneId: 'Europe/Amsterdam', viewport: { width: 1280, height: 900 }, acceptDownloads: true,
  });
  // The machine is shared and slow: be patient rather than flaky.
  context.setDefaultTimeout(30_000);
  const page = await context.newPage();
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
    },
  };
}

export async function logIn(page: Page, baseUrl: string, username: string, password: string): Promise<void> {
  await page.goto(`${baseUrl}/login`);
  await page.getByLabel('Gebruikersnaam').fill(username);
  await page.getByLabel('Wachtwoord').fill(password);
  await page.getByRole('button', { name: 'Inloggen' }).click();
}
