import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readArticles } from '../../src/desktop/articles.ts';
import { UnlockRequestSchema, ViewSchema, type View } from '../../src/desktop/bridge.ts';
import { CONTENT_SECURITY_POLICY, PAGES } from '../../src/desktop/trust.ts';
import { CHROMIUM } from '../server/web/browser.ts';
import { FAKE_BRIDGE } from './fake-bridge.ts';
import { FREE, JANSEN_ALLOWS_SOCIAL, lessonStatus } from './status-fixture.ts';

/**
 * The tray's pages in real Debian Chromium, loaded from their files as
 * Electron loads them, with a fake bridge in place of the preload (the same
 * LesmodusBridge interface). Small window, Dutch; screenshots go to
 * test-results/desktop/ to be looked at.
 */

const PAGES_DIR = resolve('src/desktop/pages');
const SHOTS = resolve('test-results/desktop');
const ARTICLES = readArticles('resources/desktop/articles.json');
const ARGS = ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync'];

function view(overrides: Partial<View> = {}): View {
  return ViewSchema.parse({ locale: 'nl', timeZone: 'Europe/Amsterdam', status: lessonStatus(), notice: null, articles: ARTICLES, ...overrides });
}

async function push(page: Page, shown: View): Promise<void> {
  await page.evaluate(`window.__push(${JSON.stringify(shown)})`);
}

let profile = '';
let context: BrowserContext;
const problems: string[] = [];

beforeAll(async () => {
  profile = mkdtempSync(join(tmpdir(), 'lesmodus-tray-chromium-'));
  mkdirSync(SHOTS, { recursive: true });
  context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM, args: ARGS, headless: true, locale: 'nl-NL', timezoneId: 'Europe/Amsterdam',
    viewport: { width: 400, height: 480 },
  });
  context.setDefaultTimeout(30_000);
  await context.addInitScript({ content: FAKE_BRIDGE });
}, 60_000);

afterAll(async () => {
  await context?.close();
  rmSync(profile, { recursive: true, force: true });
});

async function open(name: string, shown: View, dir = PAGES_DIR): Promise<Page> {
  const page = await context.newPage();
  page.on('pageerror', (error) => problems.push(`${name}: ${error.message}`));
  await page.goto(pathToFileURL(join(dir, name)).href);
  await push(page, shown);
  await page.locator('body[data-ready=true]').waitFor();
  return page;
}

describe('the tray pages in Chromium', () => {
  it('each carry the strict CSP, the same as main sets', () => {
    for (const name of PAGES) {
      const html = readFileSync(join(PAGES_DIR, name), 'utf8');
      expect(html, name).toContain(`content="${CONTENT_SECURITY_POLICY}"`);
      expect(html, `${name} has no inline script`).not.toMatch(/<script(?![^>]*\bsrc=)[^>]*>/);
    }
  });

  it('status: says in Dutch what is blocked in the lesson and how to ask', async () => {
    const page = await open('status.html', view());
    await expect.poll(() => page.locator('#state').textContent()).toBe('Social media zijn geblokkeerd tijdens Engels tot 09:50 (art. III.A.1).');
    expect(await page.locator('#hint').textContent()).toBe('Vraag je docent om een uitzondering.');
    await page.screenshot({ path: join(SHOTS, 'status-lesson.png'), fullPage: true });
    await page.close();
  });

  it('status: shows an exception with who granted it, until when and why', async () => {
    const page = await open('status.html', view({ status: lessonStatus(JANSEN_ALLOWS_SOCIAL) }));
    await expect.poll(() => page.locator('#exceptions').textContent()).toContain('Social media — door M. Jansen, tot 09:50');
    expect(await page.locator('#exceptions').textContent()).toContain('Reden: Onderzoek naar reclame op Instagram');
    await page.screenshot({ path: join(SHOTS, 'status-exception.png'), fullPage: true });
    await page.close();
  });

  it('status: says the agent cannot be reached, and follows the agent when it is back', async () => {
    const page = await open('status.html', view({ status: null }));
    expect(await page.locator('#state').textContent()).toContain('De Lesmodus-agent is niet bereikbaar');
    await page.screenshot({ path: join(SHOTS, 'status-unreachable.png'), fullPage: true });
    await push(page, view({ status: lessonStatus(FREE) }));
    await expect.poll(() => page.locator('#state').textContent()).toBe('Er is nu niets geblokkeerd.');
    await page.close();
  });

  it('status: in English when the student chose English', async () => {
    const page = await open('status.html', view({ locale: 'en', status: lessonStatus({}, true) }));
    expect(await page.locator('#state').textContent()).toBe('Not enforced (dry run): Lesmodus shows what it would do but blocks nothing. Social media are blocked during Engels until 09:50 (art. III.A.1).');
    expect(await page.locator('html').getAttribute('lang')).toBe('en');
    await page.close();
  });

  it('waarom: quotes each article from the code of conduct, with until when it holds', async () => {
    const page = await open('why.html', view());
    const reasons = page.locator('#reasons');
    await expect.poll(() => reasons.locator('h2').allTextContents()).toEqual(['Artikel III.A.1 — tot 09:50', 'Artikel III.A.2 — tot 17:30']);
    expect(await reasons.locator('blockquote').first().textContent()).toContain('Het is medewerkers en leerlingen niet toegestaan om tijdens lessen actief te zijn op social media');
    expect(await page.locator('#consent').isVisible()).toBe(true);
    await page.screenshot({ path: join(SHOTS, 'why.png'), fullPage: true });
    await page.close();
  });

  it('unlock: sends code, what to allow and the purpose through the bridge, in the bridge\'s own shape', async () => {
    const page = await open('unlock.html', view());
    await page.getByLabel('Code uit het docentenportaal (6 cijfers)').fill('042917');
    await page.getByLabel('Social media').check();
    await page.getByLabel('Camera in de browser').check();
    await page.getByLabel('Onderwijsdoel (verplicht, art. III.A.3)').fill('Onderzoek naar reclame op Instagram');
    await page.screenshot({ path: join(SHOTS, 'unlock.png'), fullPage: true });
    await page.getByRole('button', { name: 'Ontgrendelen' }).click();
    await expect.poll(() => page.locator('#reply').textContent()).toBe('Toegestaan tot 09:50: social (door jansen).');
    const sent = await page.evaluate('window.__unlocks') as unknown[];
    expect(sent).toHaveLength(1);
    expect(UnlockRequestSchema.parse(sent[0])).toEqual({ code: '042917', allow: { categories: ['social'], services: [], capture: ['camera'] }, reason: 'Onderzoek naar reclame op Instagram' });
    expect(await page.getByLabel('Code uit het docentenportaal (6 cijfers)').inputValue()).toBe('');
    await page.screenshot({ path: join(SHOTS, 'unlock-done.png'), fullPage: true });
    await page.close();
  });

  it('unlock: shows a refusal as the agent words it', async () => {
    const page = await open('unlock.html', view());
    await page.evaluate("window.__unlockReply = { ok: false, message: { nl: 'Deze code is verlopen of onjuist.', en: 'This code has expired or is wrong.' } }");
    await page.getByLabel('Code uit het docentenportaal (6 cijfers)').fill('000000');
    await page.getByRole('button', { name: 'Ontgrendelen' }).click();
    await expect.poll(() => page.locator('#reply').textContent()).toBe('Deze code is verlopen of onjuist.');
    expect(await page.locator('#reply').getAttribute('class')).toBe('failed');
    await page.close();
  });

  it('notice: shows what was blocked and when', async () => {
    const page = await open('notice.html', view({ notice: { at: '2026-11-23T08:12:00.000Z', nl: 'Instagram is geblokkeerd tijdens Engels tot 09:50 (art. III.A.1). Vraag je docent om een uitzondering.', en: 'Instagram is blocked.' } }));
    expect(await page.locator('#text').textContent()).toContain('Instagram is geblokkeerd tijdens Engels');
    expect(await page.locator('#at').textContent()).toBe('09:12');
    await page.screenshot({ path: join(SHOTS, 'notice.png'), fullPage: true });
    await page.close();
  });

  it('shows text from the agent as text, never as HTML', async () => {
    const page = await open('notice.html', view({ notice: { at: '2026-11-23T08:12:00.000Z', nl: '<img src=x onerror="window.__owned=1">', en: 'x' } }));
    expect(await page.locator('#text').textContent()).toBe('<img src=x onerror="window.__owned=1">');
    expect(await page.locator('#text img').count()).toBe(0);
    await page.close();
  });

  it('CSP: an inline script put into a page does not run, and Chromium reports the violation', async () => {
    const copy = mkdtempSync(join(tmpdir(), 'lesmodus-pages-'));
    try {
      cpSync(PAGES_DIR, copy, { recursive: true });
      const html = readFileSync(join(copy, 'status.html'), 'utf8').replace('<body>', '<body>\n<script>window.__inlineRan = true;</script>');
      writeFileSync(join(copy, 'status.html'), html);
      const page = await open('status.html', view(), copy);
      await page.evaluate("const s = document.createElement('script'); s.textContent = 'window.__injectedRan = true;'; document.body.append(s);");
      await expect.poll(() => page.evaluate('window.__violations.length')).toBe(2);
      expect(await page.evaluate('[window.__inlineRan === undefined, window.__injectedRan === undefined]')).toEqual([true, true]);
      expect(await page.evaluate('window.__violations')).toEqual(['script-src-elem', 'script-src-elem']);
      // The page's own scripts did run under the same policy.
      expect(await page.locator('#state').textContent()).toContain('Social media zijn geblokkeerd');
      await page.close();
    } finally {
      rmSync(copy, { recursive: true, force: true });
    }
  });

  it('raised no script errors', () => {
    expect(problems).toEqual([]);
  });
});
