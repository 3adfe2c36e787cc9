import { copyFileSync, chmodSync, existsSync, readFileSync, realpathSync, statSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SIGNED_CATALOG_FILE } from '../../src/agent/catalog/catalog-updates.ts';
import { DEVICE_PATHS } from '../../src/core/protocol/index.ts';
import { dataDirAt, ensureDataDir } from '../../src/server/app/data-dir.ts';
import { serve, type RunningServer } from '../../src/server/app/server-app.ts';
import { createServerKeys } from '../../src/server/app/server-keys.ts';
import { silentLogger } from '../../src/server/http/logger.ts';
import { openServerStore } from '../../src/server/store/index.ts';
import { createStandIns, type Running, type StandIns } from '../agent/processes/stand-ins.ts';
import { ADDITIONS, CHIRPR } from '../server/catalog/fixtures.ts';
import { startAgent, waitFor, type AgentProcess } from './agent-process.ts';
import { SCHOOL, seedLiveSchool } from './live-school.ts';

/**
 * Issue 12, item 18 end to end: the school's IT adds an app to the catalog on the real server
 * (catalog-additions.json, then a restart), and the real agent (as root, acting for a student uid)
 * picks it up at its next pull: its process guard stops the app and its browser policy lists the
 * app's site. An older catalog the server then signs is refused as a rollback, and one changed on
 * its way to the laptop is refused for its signature; each time the newer catalog stays.
 *
 * The agent reaches the server through a forwarder on 127.0.0.1 (a school's network path), which
 * can change the catalog's answer in transit the way an attacker in the middle would.
 */

/** Generous: a restart of the server, the agent's reconnect backoff and a loaded shared machine. */
const STEP_MS = 90_000;
const isRoot = process.getuid?.() === 0;
/** A uid of its own per test worker (the two zone projects run this file at the same time). */
const STUDENT_UID = 50_000 + (process.pid % 10_000);

describe.skipIf(!isRoot)('IT adds an app to the school catalog; the running agent enforces it (as root)', () => {
  let work: string;
  let dataDir: string;
  let server: RunningServer | undefined;
  let port = 0;
  let agent: AgentProcess | undefined;
  let standIns: StandIns | undefined;
  let chirpr: Running;
  let forwarder: Server | undefined;
  /** When set, the forwarder rewrites the catalog on its way to the laptop. */
  let inTransit: ((signed: { payload: { catalog: { services: { id: string }[] } } }) => void) | null = null;

  /** Passes every request on to the server (streams too), except that `inTransit` may rewrite the catalog's answer. */
  async function startForwarder(): Promise<string> {
    forwarder = createServer((req, res) => {
      const upstream = request({ host: '127.0.0.1', port, method: req.method, path: req.url, headers: req.headers }, (answer) => {
        // A server closed mid-answer (the live stream, at each restart below) must close the laptop's side too, or the agent
        // sees a stream that is open but silent and notices only at its idle timeout (45 s), near this test's limit.
        answer.on('close', () => {
          if (!answer.complete) res.destroy();
        });
        if (inTransit === null || req.url !== DEVICE_PATHS.catalog || answer.statusCode !== 200) {
          res.writeHead(answer.statusCode ?? 502, answer.headers);
          answer.pipe(res);
          return;
        }
        let body = '';
        answer.setEncoding('utf8');
        answer.on('data', (chunk) => (body += chunk));
        answer.on('end', () => {
          const signed = JSON.parse(body);
          inTransit!(signed);
          const text = JSON.stringify(signed);
          res.writeHead(200, { ...answer.headers, 'content-length': Buffer.byteLength(text) });
          res.end(text);
        });
      });
      upstream.on('error', () => res.destroy());
      req.pipe(upstream);
    });
    await new Promise<void>((resolve) => forwarder!.listen(0, '127.0.0.1', resolve));
    return `http://127.0.0.1:${(forwarder.address() as AddressInfo).port}`;
  }

  const managed = () => join(work, 'root', 'etc', 'chromium', 'policies', 'managed');
  const lessonPolicy = () => {
    const path = join(managed(), 'lesmodus-lesson.json');
    return existsSync(path) ? JSON.parse(readFileSync(path, 'utf8')) as { URLBlocklist?: string[] } : undefined;
  };
  const pac = () => {
    const url: string = JSON.parse(readFileSync(join(managed(), 'lesmodus-route.json'), 'utf8')).ProxySettings.ProxyPacUrl;
    return Buffer.from(url.slice(url.indexOf(',') + 1), 'base64').toString('utf8');
  };

  async function agentReaches<T>(check: () => T | undefined | false | Promise<T | undefined | false>, what: string, timeoutMs = 60_000): Promise<Exclude<T, undefined | false>> {
    try {
      return await waitFor(check, what, timeoutMs);
    } catch (error) {
      throw new Error(`${(error as Error).message}\n--- agent output ---\n${agent?.output()}`);
    }
  }

  /** The real server on the data folder, on the same port each time (the agent's config names it); `clock` moves its time. */
  async function startServer(clock?: () => number): Promise<RunningServer> {
    server = await serve({ dataDir, host: '127.0.0.1', port, logger: silentLogger, ...(clock ? { clock } : {}) });
    port = Number(new URL(server.url).port);
    return server;
  }

  beforeAll(async () => {
    work = await mkdtemp(join(tmpdir(), 'lesmodus-e2e-catalog-'));
    dataDir = join(work, 'server');
    const dir = dataDirAt(dataDir);
    await ensureDataDir(dir);
    const { signer } = await createServerKeys(dir);
    const store = await openServerStore({ dataDir });
    const { enrollmentSecret } = await seedLiveSchool(store, dir, 'sdevries', Date.now()).finally(() => store.close());
    await startServer();
    await writeFile(join(work, 'config.json'), JSON.stringify({
      server: { url: await startForwarder(), enrollmentSecret, publicKey: signer.publicKeyPem },
    }), { mode: 0o600 });

    standIns = createStandIns();
    // A copy of sleep named like the made-up app, run by the student.
    copyFileSync(realpathSync('/bin/sleep'), join(standIns.dir, 'chirpr'));
    chmodSync(join(standIns.dir, 'chirpr'), 0o755);
    chirpr = standIns.run(join(standIns.dir, 'chirpr'), ['600'], { uid: STUDENT_UID, gid: STUDENT_UID });
    agent = startAgent(join(work, 'data'), [
      '--config', join(work, 'config.json'), '--on-school-network', 'no', '--user', String(STUDENT_UID),
      '--browser-policy-root', join(work, 'root'), '--proxy-port', '0', '--control-socket', join(work, 'agent.sock'),
    ]);
  }, STEP_MS);

  afterAll(async () => {
    await Promise.allSettled([agent?.stop()]);
    standIns?.cleanUp();
    await server?.close().catch(() => {});
    forwarder?.closeAllConnections();
    await new Promise((resolve) => (forwarder ? forwarder.close(resolve) : resolve(undefined)));
    if (work) await rm(work, { recursive: true, force: true });
  });

  it('blocks social media in the lesson with the bundled catalog, which does not know the app', async () => {
    const device = await agentReaches(async () => (await server!.context.store.deviceHealth(SCHOOL.id))[0], 'the device to enroll');
    if (device.studentId === null) {
      // This machine's hostname matched no rule (a container's): the admin assigns the laptop, and a restart pulls the schedule again.
      await server!.context.store.assignDevice(device.deviceId, { schoolId: SCHOOL.id, studentId: '100231' }, Date.now());
      await agent!.stop();
      agent = startAgent(agent!.dataDir, agent!.child.spawnargs.slice(4));
    }
    const { version } = server!.context.signedCatalog.payload;
    const status = await agentReaches(() => {
      const current = agent!.status();
      return current?.decision.blocked.categories.includes('social') && current.catalog?.source === 'server' && current;
    }, 'the agent to block social media, with the catalog its server signed');
    // The server's catalog is the bundled one (no files of IT's yet), now signed by the school's key; it has no Chirpr.
    expect(status.catalog).toEqual({ version, source: 'server' });
    expect(lessonPolicy()?.URLBlocklist).toEqual(expect.arrayContaining(['instagram.com', 'instagram-com.translate.goog']));
    expect(lessonPolicy()?.URLBlocklist).not.toContain(CHIRPR.domains[0]);
    expect(chirpr.alive()).toBe(true);
  }, STEP_MS);

  it('IT adds Chirpr in catalog-additions.json and restarts the server: the agent takes the signed catalog at its next pull and stops the app', async () => {
    await server!.close();
    await writeFile(join(dataDir, 'catalog-additions.json'), JSON.stringify(ADDITIONS, null, 2));
    const restarted = await startServer();
    const { version, sha256 } = restarted.context.signedCatalog.payload;
    expect(version).toMatch(/\+school\.[0-9a-f]{8}$/);

    // The agent's stream reconnects to the restarted server and pulls: the schedule names the new catalog.
    await agentReaches(() => agent!.status()?.catalog?.version === version, "the agent to switch to the school's catalog");
    expect(await chirpr.ended(30_000)).toBe('SIGTERM');
    const policy = await agentReaches(() => lessonPolicy()?.URLBlocklist?.includes('chirpr.example') && lessonPolicy(), 'the browser policy to list chirpr.example');
    expect(policy.URLBlocklist).toEqual(expect.arrayContaining(['chirpr.example', 'chirpr-example.translate.goog', 'instagram.com']));
    // Running browsers follow through the PAC: the new domain goes to the decision proxy too.
    expect(pac()).toContain('"chirpr.example"');
    // The student is told, under the catalog's name for the app and the article, like for any other app.
    await agentReaches(() => agent!.output().includes('notice: Chirpr is geblokkeerd tijdens de les'), 'the notice');
    expect(agent!.status()?.lastNotice?.nl).toContain('art. III.A.1');

    // Kept for the next start, owner-only, exactly as the server signed it.
    const saved = join(agent!.dataDir, SIGNED_CATALOG_FILE);
    expect(statSync(saved).mode & 0o777).toBe(0o600);
    expect(JSON.parse(readFileSync(saved, 'utf8')).payload.sha256).toBe(sha256);
    const cli = await agent!.statusCli();
    expect(cli.catalog).toEqual({ version, source: 'server' });
  }, STEP_MS);

  it('a catalog signed before the one in use (a rollback) is refused with a tamper event, and the newer catalog stays', async () => {
    const inUse = server!.context.signedCatalog.payload;
    await server!.close();
    // Other additions, signed by a server whose clock reads before the catalog the laptop has: a replay of an older catalog looks like this.
    await writeFile(join(dataDir, 'catalog-additions.json'), JSON.stringify({ services: [{ ...CHIRPR, domains: ['chirpr.example', 'chirpr-cdn.example'] }] }));
    const offset = Date.now() - inUse.signedAt + 5_000;
    const older = await startServer(() => Date.now() - offset);
    expect(older.context.signedCatalog.payload.signedAt).toBeLessThan(inUse.signedAt);

    const tamper = await agentReaches(() => agent!.events().find((e) => e.type === 'tamper' && e.payload.kind === 'catalog-rollback'), 'the rollback tamper event');
    expect(tamper.payload.detail).toContain(`not after the catalog in use (${inUse.version}`);
    expect(agent!.status()?.catalog).toEqual({ version: inUse.version, source: 'server' });
    expect(lessonPolicy()?.URLBlocklist).not.toContain('chirpr-cdn.example');
    expect(JSON.parse(readFileSync(join(agent!.dataDir, SIGNED_CATALOG_FILE), 'utf8')).payload.sha256).toBe(inUse.sha256);
  }, STEP_MS);

  it('a catalog changed on its way to the laptop (an app taken out) is refused for its signature, and the catalog in use stays', async () => {
    const inUse = agent!.status()!.catalog!;
    const saved = JSON.parse(readFileSync(join(agent!.dataDir, SIGNED_CATALOG_FILE), 'utf8')).payload.sha256;
    await server!.close();
    await writeFile(join(dataDir, 'catalog-additions.json'), JSON.stringify({ services: [{ ...CHIRPR, domains: ['chirpr.example', 'chirpr-static.example'] }] }));
    inTransit = (signed) => {
      signed.payload.catalog.services = signed.payload.catalog.services.filter((s) => s.id !== 'chirpr');
    };
    const restarted = await startServer();
    expect(restarted.context.signedCatalog.payload.signedAt).toBeGreaterThan(Date.now() - 60_000);

    const tamper = await agentReaches(() => agent!.events().find((e) => e.type === 'tamper' && e.payload.kind === 'bad-signature' && String(e.payload.detail).includes('lesmodus.catalog.v1')), 'the bad-signature tamper event');
    expect(tamper.payload.detail).toContain("signature is not the pinned server key's");
    expect(agent!.status()?.catalog).toEqual(inUse);
    expect(lessonPolicy()?.URLBlocklist).toContain('chirpr.example');
    expect(JSON.parse(readFileSync(join(agent!.dataDir, SIGNED_CATALOG_FILE), 'utf8')).payload.sha256).toBe(saved);
    inTransit = null;
  }, STEP_MS);
});
