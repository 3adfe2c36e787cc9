// Debian's Chromium, for real: the managed policy Lesmodus writes and the
// decision proxy it routes the catalog's domains through. The browser reads
// its policy from a test directory (see chromium-harness.ts), so nothing is
// written to the machine's /etc.
import { createServer, type Server } from 'node:http';
import { connect, type AddressInfo } from 'node:net';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { catalogRoute, createBrowserEnforcer } from '../../../src/agent/browser/browser-enforcer.ts';
import { startDecisionProxy, type DecisionProxy } from '../../../src/agent/browser/decision-proxy.ts';
import { hostGate } from '../../../src/agent/browser/host-gate.ts';
import { linuxPolicyWriter } from '../../../src/agent/browser/linux-policy-writer.ts';
import { browserRestrictions, NO_RESTRICTIONS } from '../../../src/agent/browser/restrictions.ts';
import { chromiumUnavailable, launchChromium, visit, type ChromiumSession } from './chromium-harness.ts';
import { CATALOG_DOMAINS, LESSON_BLOCKED, NEVER_BLOCK, NOTHING_BLOCKED, SCHOOL_UNDER_SOCIAL, SOCIAL } from './fixtures.ts';

/** Two browser starts and a dozen navigations on a shared 2-core machine. */
const SUITE_TIMEOUT_MS = 240_000;

const LOOK_ALIKE = `not${SOCIAL}`;
const unavailable = chromiumUnavailable()
  // The new-york project runs test/agent again under another time zone; a
  // browser test does not depend on it and is too heavy to run twice at once.
  ?? (process.env.TZ === 'UTC' ? null : 'time-zone independent: runs once, in the utc project');
const suite = unavailable ? describe.skip : describe;

/**
 * How the browser answers a page asking for camera and microphone:
 * "prompt" (the student decides) or "denied" (policy decided). Headless
 * Chromium cannot show the prompt itself, and the switches that answer it
 * for a test also skip the policy check, so the permission state is what
 * tells policy apart.
 */
async function capturePermissions(session: ChromiumSession, origin: string): Promise<{ camera: string; microphone: string }> {
  const page = await session.context.newPage();
  try {
    await page.goto(origin);
    return await page.evaluate(async () => {
      // Runs in the page; the project's types are Node's, without the DOM.
      const { permissions } = navigator as unknown as { permissions: { query(d: { name: string }): Promise<{ state: string }> } };
      return {
        camera: (await permissions.query({ name: 'camera' })).state,
        microphone: (await permissions.query({ name: 'microphone' })).state,
      };
    });
  } finally {
    await page.close();
  }
}

suite(`a running Chromium${unavailable ? ` (skipped: ${unavailable})` : ''}`, { timeout: SUITE_TIMEOUT_MS }, () => {
  let site: Server;
  let sitePort: number;
  let proxy: DecisionProxy;
  let root: string;
  const sessions: ChromiumSession[] = [];

  beforeAll(async () => {
    site = createServer((req, res) => res.end(`<!doctype html><title>welkom</title>${req.headers.host}`));
    await new Promise<void>((r) => site.listen(0, '127.0.0.1', r));
    sitePort = (site.address() as AddressInfo).port;
    // Made-up hosts all live on the local site: through the proxy, and directly.
    proxy = await startDecisionProxy({ address: { host: '127.0.0.1', port: 0 }, gate: hostGate(NO_RESTRICTIONS), connect: () => connect(sitePort, '127.0.0.1') });
    root = mkdtempSync(join(tmpdir(), 'lesmodus-browser-root-'));
  });

  afterAll(async () => {
    for (const s of sessions) await s.close();
    await proxy?.close();
    await new Promise((r) => site?.close(r));
    if (root) rmSync(root, { recursive: true, force: true });
  });

  async function launch(): Promise<ChromiumSession> {
    const direct = [SCHOOL_UNDER_SOCIAL, LOOK_ALIKE].map((h) => `MAP ${h} 127.0.0.1:${sitePort}`).join(', ');
    const session = await launchChromium({ etcChromium: join(root, 'etc/chromium'), hostResolverRules: direct });
    sessions.push(session);
    return session;
  }

  it('follows a lesson in one running browser: the blocked domain loads before, is refused during, and loads after', async () => {
    const enforcer = createBrowserEnforcer({
      neverBlockDomains: NEVER_BLOCK,
      proxy,
      route: catalogRoute(CATALOG_DOMAINS, NEVER_BLOCK, proxy.address),
      writePolicies: linuxPolicyWriter({ root, dryRun: false, browsers: ['chromium'] }),
    });
    await enforcer.apply(NOTHING_BLOCKED);
    const browser = await launch();
    const social = `http://${SOCIAL}/`;

    expect(await visit(browser, social)).toEqual({ status: 200, error: null, refusedByLesmodus: false });
    expect(await capturePermissions(browser, `http://127.0.0.1:${sitePort}/`)).toEqual({ camera: 'prompt', microphone: 'prompt' });

    await enforcer.apply(LESSON_BLOCKED);
    expect(await visit(browser, social)).toMatchObject({ status: 403, refusedByLesmodus: true });
    expect(await visit(browser, `http://www.${SOCIAL}/`)).toMatchObject({ status: 403, refusedByLesmodus: true });
    expect(await visit(browser, `https://${SOCIAL}/`)).toMatchObject({ error: 'net::ERR_TUNNEL_CONNECTION_FAILED' });
    expect(await visit(browser, `http://${SCHOOL_UNDER_SOCIAL}/`)).toMatchObject({ status: 200 });

    await enforcer.apply(NOTHING_BLOCKED);
    expect(await visit(browser, social)).toEqual({ status: 200, error: null, refusedByLesmodus: false });
  });

  it('a browser started during a lesson refuses the blocked domain by managed policy alone (subdomains too, look-alikes and never-block exceptions not) and denies camera and microphone', async () => {
    // The proxy lets everything through here: what refuses is URLBlocklist.
    proxy.setGate(hostGate(NO_RESTRICTIONS));
    const writePolicies = linuxPolicyWriter({ root, dryRun: false, browsers: ['chromium'] });
    await writePolicies(browserRestrictions(LESSON_BLOCKED, NEVER_BLOCK), catalogRoute(CATALOG_DOMAINS, NEVER_BLOCK, proxy.address));
    const browser = await launch();

    expect(await visit(browser, `http://${SOCIAL}/`)).toMatchObject({ error: 'net::ERR_BLOCKED_BY_ADMINISTRATOR' });
    expect(await visit(browser, `http://m.${SOCIAL}/`)).toMatchObject({ error: 'net::ERR_BLOCKED_BY_ADMINISTRATOR' });
    expect(await visit(browser, `http://${LOOK_ALIKE}/`)).toMatchObject({ status: 200 });
    expect(await visit(browser, `http://${SCHOOL_UNDER_SOCIAL}/`)).toMatchObject({ status: 200 });
    expect(await capturePermissions(browser, `http://127.0.0.1:${sitePort}/`)).toEqual({ camera: 'denied', microphone: 'denied' });
  });
});
