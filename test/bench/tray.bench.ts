// Tray status latency: a decision change in the agent -> the tray's status page
// shows it. The change goes out on the agent's real control server
// (src/agent/control/server.ts) as a `subscribe` line on a Unix socket,
// through the tray's agent link (src/desktop/agent-link.ts), into a real
// Chromium page (status.html, loaded from its file) through the bridge. The
// baseline, measured in the same run, pushes the same view straight into the
// page: the difference is what the socket and the link cost.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium, type Page } from 'playwright-core';
import type { AgentStatus, SubscribeLine } from '../../src/agent/control/protocol.ts';
import { startControlSocket } from '../../src/agent/control/server.ts';
import { connectAgentLink } from '../../src/desktop/agent-link.ts';
import { readArticles } from '../../src/desktop/articles.ts';
import type { View } from '../../src/desktop/bridge.ts';
import type { TrayStatus } from '../../src/desktop/link-messages.ts';
import { FAKE_BRIDGE } from '../desktop/fake-bridge.ts';
import { lessonStatus } from '../desktop/status-fixture.ts';
import { CHROMIUM } from '../helpers/chromium-path.ts';
import { fmt, verdict } from './measure.ts';

const CHANGES = 60;
const TARGET_P95_MS = 500;
const ARGS = ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync'];

/** A status whose sentence is `text`, so the page showing it is unmistakable. */
function changed(text: string): TrayStatus {
  return lessonStatus({ message: { nl: text, en: text } });
}

/** The same as the agent holds it (the fields the tray does not read filled in). */
function asAgent(status: TrayStatus): AgentStatus {
  return { pid: process.pid, startedAt: new Date().toISOString(), updatedAt: new Date().toISOString(), enforcers: [], lastNotice: null, sync: null, ...status } as unknown as AgentStatus;
}

function p95(samples: number[]): { p50: number; p95: number } {
  const sorted = [...samples].sort((a, b) => a - b);
  return { p50: sorted[Math.floor(sorted.length * 0.5)]!, p95: sorted[Math.min(sorted.length - 1, Math.ceil(sorted.length * 0.95) - 1)]! };
}

/** Resolves with the wall time at which #state showed `text` (recorded in the page by a MutationObserver). */
async function shownAt(page: Page, text: string): Promise<number> {
  // A function, not a string: the page's CSP forbids eval, which a string predicate needs.
  const handle = await page.waitForFunction((t) => (globalThis as unknown as { __shown?: Record<string, number> }).__shown?.[t], text, { polling: 'raf', timeout: 30_000 });
  return Number(await handle.jsonValue());
}

const OBSERVE = `
  window.__shown = {};
  new MutationObserver(() => {
    const text = document.getElementById('state').textContent;
    if (!(text in window.__shown)) window.__shown[text] = Date.now();
  }).observe(document.getElementById('state'), { childList: true, characterData: true, subtree: true });
`;

export async function benchTray(): Promise<void> {
  console.log('tray: decision change -> status page shows it (subscribe over the control socket, agent link, Chromium page)');
  const dir = mkdtempSync(join(tmpdir(), 'lesmodus-bench-tray-'));
  const profile = join(dir, 'profile');
  const socketPath = join(dir, 'agent.sock');
  const articles = readArticles('resources/desktop/articles.json');
  const view = (status: TrayStatus | null): View => ({ locale: 'nl', timeZone: 'Europe/Amsterdam', status, notice: null, articles });
  const context = await chromium.launchPersistentContext(profile, { executablePath: CHROMIUM, args: ARGS, headless: true, viewport: { width: 400, height: 480 } });
  // The agent's real control server; its subscribe hook is fed here as the agent's decision loop feeds it.
  let current = asAgent(changed('start'));
  const subscribers = new Set<(line: SubscribeLine) => void>();
  const quiet = { info: () => undefined, warn: () => undefined, error: () => undefined };
  const agent = await startControlSocket(socketPath, {
    status: () => current, sync: null, timeZone: 'Europe/Amsterdam', log: quiet,
    subscribe: (send) => { subscribers.add(send); return () => subscribers.delete(send); },
  });
  let link: ReturnType<typeof connectAgentLink> | undefined;
  try {
    await context.addInitScript({ content: FAKE_BRIDGE });
    const page = context.pages()[0] ?? await context.newPage();
    await page.goto(pathToFileURL(resolve('src/desktop/pages/status.html')).href);
    await page.evaluate(OBSERVE);
    const push = (status: TrayStatus | null) => page.evaluate(`window.__push(${JSON.stringify(view(status))})`);

    // Baseline: the same view pushed straight into the page, no socket, no link.
    const baseline: number[] = [];
    for (let i = 0; i < CHANGES; i++) {
      const text = `baseline ${i}`;
      const start = Date.now();
      void push(changed(text));
      baseline.push((await shownAt(page, text)) - start);
    }

    // The tray's path: agent -> socket -> link -> bridge -> page.
    link = connectAgentLink(socketPath, { onStatus: (status) => void push(status), onNotice: () => undefined });
    await shownAt(page, 'start');
    const viaLink: number[] = [];
    for (let i = 0; i < CHANGES; i++) {
      const text = `change ${i}`;
      const start = Date.now();
      current = asAgent(changed(text));
      for (const send of subscribers) send({ type: 'status', status: current });
      viaLink.push((await shownAt(page, text)) - start);
    }

    const b = p95(baseline);
    const l = p95(viaLink);
    console.log(`  baseline (view pushed into the page):   p50 ${fmt(b.p50)} ms, p95 ${fmt(b.p95)} ms (${CHANGES} changes)`);
    console.log(`  subscribe -> agent link -> page:        p50 ${fmt(l.p50)} ms, p95 ${fmt(l.p95)} ms (${CHANGES} changes)`);
    console.log(`  target p95 < ${TARGET_P95_MS} ms: ${verdict(l.p95 < TARGET_P95_MS)}; the socket and link add ${fmt(l.p50 - b.p50)} ms at the median`);
  } finally {
    link?.close();
    await agent.close();
    await context.close();
    rmSync(dir, { recursive: true, force: true });
  }
}
