// Time from "the lesson starts" (the decision flips) to a running Chromium
// refusing a blocked site, for the mechanism Lesmodus uses (the decision
// proxy) and for the two it does not: rewriting the managed-policy file
// (headless, and headed under Xvfb when available) and the hosts file.
// Real Debian Chromium, made-up hostnames on 127.0.0.1, nothing written to
// the machine's /etc (see test/agent/browser/chromium-harness.ts).
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { connect, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { catalogRoute, createBrowserEnforcer } from '../../src/agent/browser/browser-enforcer.ts';
import { startDecisionProxy, type DecisionProxy } from '../../src/agent/browser/decision-proxy.ts';
import { hostGate } from '../../src/agent/browser/host-gate.ts';
import { linuxPolicyWriter } from '../../src/agent/browser/linux-policy-writer.ts';
import { browserRestrictions, NO_RESTRICTIONS } from '../../src/agent/browser/restrictions.ts';
import { chromiumUnavailable, launchChromium, visit, type ChromiumSession, type Visit } from '../agent/browser/chromium-harness.ts';
import { CATALOG_DOMAINS, LESSON_BLOCKED, NEVER_BLOCK, NOTHING_BLOCKED, SOCIAL } from '../agent/browser/fixtures.ts';
import { fmt } from './measure.ts';

/** Flips measured for the decision proxy. */
const PROXY_ROUNDS = 7;
/** How long a baseline may take before it is reported as "> cap": one lesson minute is already too late. */
const BASELINE_CAP_MS = 60_000;
/** Between two attempts to load the page while waiting for a baseline to take effect. */
const POLL_INTERVAL_MS = 500;
/** Xvfb is up in well under a second; on a loaded machine allow more. */
const XVFB_START_TIMEOUT_MS = 15_000;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

interface Fixture {
  readonly site: Server;
  readonly sitePort: number;
  readonly root: string;
}

async function startSite(): Promise<Fixture> {
  const site = createServer((req, res) => res.end(`<!doctype html><title>welkom</title>${req.headers.host}`));
  await new Promise<void>((resolve) => site.listen(0, '127.0.0.1', resolve));
  return { site, sitePort: (site.address() as AddressInfo).port, root: mkdtempSync(join(tmpdir(), 'lesmodus-bench-browser-')) };
}

async function stopSite(f: Fixture): Promise<void> {
  await new Promise((resolve) => f.site.close(resolve));
  rmSync(f.root, { recursive: true, force: true });
}

/** Loads `url` until `done` says so or `capMs` passes; the time of the first load that satisfied it, or null. */
async function waitFor(session: ChromiumSession, url: string, done: (v: Visit) => boolean, started: number, capMs: number): Promise<number | null> {
  for (;;) {
    const v = await visit(session, url);
    if (done(v)) return performance.now() - started;
    if (performance.now() - started > capMs) return null;
    await sleep(POLL_INTERVAL_MS);
  }
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

const seconds = (ms: number | null) => (ms === null ? `> ${BASELINE_CAP_MS / 1000} s (did not follow)` : `${fmt(ms / 1000, 1)} s`);

async function benchProxy(): Promise<void> {
  const f = await startSite();
  let proxy: DecisionProxy | null = null;
  let session: ChromiumSession | null = null;
  try {
    proxy = await startDecisionProxy({ address: { host: '127.0.0.1', port: 0 }, gate: hostGate(NO_RESTRICTIONS), connect: () => connect(f.sitePort, '127.0.0.1') });
    const enforcer = createBrowserEnforcer({
      neverBlockDomains: NEVER_BLOCK,
      proxy,
      route: catalogRoute(CATALOG_DOMAINS, NEVER_BLOCK, proxy.address),
      writePolicies: linuxPolicyWriter({ root: f.root, dryRun: false, browsers: ['chromium'] }),
    });
    await enforcer.apply(NOTHING_BLOCKED);
    session = await launchChromium({ etcChromium: join(f.root, 'etc/chromium') });
    const url = `http://${SOCIAL}/`;
    await visit(session, url); // warm-up: first tab, first connection
    const refuse: number[] = [];
    const allow: number[] = [];
    const applyOnly: number[] = [];
    for (let round = 0; round < PROXY_ROUNDS; round++) {
      let start = performance.now();
      await enforcer.apply(LESSON_BLOCKED);
      applyOnly.push(performance.now() - start);
      const refused = await waitFor(session, url, (v) => v.refusedByLesmodus, start, BASELINE_CAP_MS);
      if (refused === null) throw new Error('the decision proxy did not refuse within the cap');
      refuse.push(refused);
      start = performance.now();
      await enforcer.apply(NOTHING_BLOCKED);
      const allowed = await waitFor(session, url, (v) => v.status === 200, start, BASELINE_CAP_MS);
      if (allowed === null) throw new Error('the decision proxy did not let the site through again within the cap');
      allow.push(allowed);
    }
    console.log(`  decision proxy (chosen), ${PROXY_ROUNDS} lesson flips in one running headless Chromium:`);
    console.log(`    lesson start -> site refused:  median ${fmt(median(refuse))} ms, max ${fmt(Math.max(...refuse))} ms (first load after the flip; includes opening a tab and the navigation)`);
    console.log(`    lesson end   -> site loads:    median ${fmt(median(allow))} ms, max ${fmt(Math.max(...allow))} ms`);
    console.log(`    of which applying the decision (proxy gate + policy files): median ${fmt(median(applyOnly), 1)} ms`);
  } finally {
    await session?.close();
    await proxy?.close();
    await stopSite(f);
  }
}

/** Baseline: only the managed-policy file changes while Chromium runs. */
async function benchPolicyFile(display: string | undefined): Promise<void> {
  const f = await startSite();
  let session: ChromiumSession | null = null;
  try {
    const writePolicies = linuxPolicyWriter({ root: f.root, dryRun: false, browsers: ['chromium'] });
    await writePolicies(NO_RESTRICTIONS, null);
    session = await launchChromium({ etcChromium: join(f.root, 'etc/chromium'), hostResolverRules: `MAP ${SOCIAL} 127.0.0.1:${f.sitePort}`, display });
    const url = `http://${SOCIAL}/`;
    await visit(session, url);
    const start = performance.now();
    await writePolicies(browserRestrictions(LESSON_BLOCKED, NEVER_BLOCK), null);
    const refused = await waitFor(session, url, (v) => v.error === 'net::ERR_BLOCKED_BY_ADMINISTRATOR', start, BASELINE_CAP_MS);
    console.log(`  policy file only (baseline), ${display === undefined ? 'headless' : `headed on Xvfb ${display}`}: lesson start -> site refused: ${seconds(refused)}`);
  } finally {
    await session?.close();
    await stopSite(f);
  }
}

/** Baseline: the blocked host is pointed at 0.0.0.0 in the hosts file while Chromium runs. */
async function benchHostsFile(): Promise<void> {
  const f = await startSite();
  let session: ChromiumSession | null = null;
  try {
    const hosts = join(f.root, 'hosts');
    const hostsWith = (ip: string) => `127.0.0.1 localhost\n${ip} ${SOCIAL}\n`;
    writeFileSync(hosts, hostsWith('127.0.0.1'));
    session = await launchChromium({ etcChromium: join(f.root, 'etc/chromium'), hostsFile: hosts });
    const url = `http://${SOCIAL}:${f.sitePort}/`;
    await visit(session, url);
    const start = performance.now();
    // In place, not by rename: the bind mount over /etc/hosts holds this inode.
    writeFileSync(hosts, hostsWith('0.0.0.0'));
    const refused = await waitFor(session, url, (v) => v.status !== 200, start, BASELINE_CAP_MS);
    console.log(`  hosts file (baseline), headless: lesson start -> site unreachable: ${seconds(refused)}`);
  } finally {
    await session?.close();
    await stopSite(f);
  }
}

async function startXvfb(): Promise<{ display: string; process: ChildProcess } | null> {
  if (!existsSync('/usr/bin/Xvfb')) return null;
  const number = 90 + (process.pid % 100);
  const child = spawn('/usr/bin/Xvfb', [`:${number}`, '-screen', '0', '1280x800x24', '-nolisten', 'tcp'], { stdio: 'ignore' });
  const deadline = performance.now() + XVFB_START_TIMEOUT_MS;
  while (!existsSync(`/tmp/.X11-unix/X${number}`)) {
    if (performance.now() > deadline || child.exitCode !== null) {
      child.kill();
      return null;
    }
    await sleep(100);
  }
  return { display: `:${number}`, process: child };
}

export async function benchBrowser(): Promise<void> {
  console.log('Browser enforcement: lesson start -> running Chromium refuses a blocked site');
  const unavailable = chromiumUnavailable();
  if (unavailable) {
    console.log(`  skipped: ${unavailable}`);
    return;
  }
  await benchProxy();
  await benchPolicyFile(undefined);
  const xvfb = await startXvfb();
  if (xvfb) {
    try {
      await benchPolicyFile(xvfb.display);
    } finally {
      xvfb.process.kill();
    }
  } else {
    console.log('  policy file only (baseline), headed: skipped (no Xvfb; apt-get install xvfb)');
  }
  await benchHostsFile();
}
