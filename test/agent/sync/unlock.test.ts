import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { createConnection } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { handleControlRequest, startControlSocket, type ControlDeps } from '../../../src/agent/control/server.ts';
import type { Logger } from '../../../src/agent/runtime/logger.ts';
import { openDeviceStore } from '../../../src/agent/store/index.ts';
import { SyncError } from '../../../src/agent/sync/server-client.ts';
import { SyncClient } from '../../../src/agent/sync/sync-client.ts';
import { AgentConfigSchema } from '../../../src/core/config/agent-config.ts';
import { useApi, type TestApi } from '../../server/api/harness.ts';
import { JNS_NOW, MINUTE, NOW, PASSWORD, PTR_NOW } from '../../server/api/school.ts';
import { unlockCodeFor } from '../../../src/server/services/unlock-codes.ts';
import { sqliteTarget } from '../../server/api/targets.ts';

const LESMODUS = fileURLToPath(new URL('../../../src/cli/lesmodus.mjs', import.meta.url));
const REASON = 'Instagram-campagne analyseren voor Nederlands';
const silent: Logger = { info: () => {}, warn: () => {}, error: () => {} };
const api = useApi(sqliteTarget());

const cleanups: (() => void | Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'lesmodus-unlock-'));
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

const unlockRequest = { type: 'unlock', code: '123456', reason: REASON, allow: { categories: ['social'] } };

function fakeSync(unlock: ControlDeps['sync'] extends infer S ? (S extends { unlock: infer U } ? U : never) : never): ControlDeps {
  return { sync: { unlock }, timeZone: 'Europe/Amsterdam', log: silent, status: () => undefined };
}

describe('the control socket request', () => {
  it('names every bad field and calls nobody', async () => {
    let called = false;
    const deps = fakeSync(async () => { called = true; throw new Error('not reached'); });
    const reply = await handleControlRequest({ type: 'unlock', code: '12ab', reason: 'x', allow: {} }, deps);
    expect(reply).toMatchObject({ ok: false, code: 'invalid-request' });
    expect('message' in reply && reply.message.en).toMatch(/code: give the six-digit code from the teacher portal.*reason: give the educational purpose.*allow: allow at least one/);
    // A password has no place in the request: the tray and the CLI never send one.
    expect(await handleControlRequest({ ...unlockRequest, teacher: 'jansen', password: PASSWORD }, deps)).toMatchObject({ ok: false, code: 'invalid-request' });
    expect(await handleControlRequest({ type: 'shutdown' }, deps)).toMatchObject({ ok: false, code: 'invalid-request' });
    expect(await handleControlRequest('unlock please', deps)).toMatchObject({ ok: false, code: 'invalid-request' });
    expect(called).toBe(false);
  });

  it('answers a status request with the agent\'s status, or says it is still starting', async () => {
    const status = { pid: 1 } as never;
    expect(await handleControlRequest({ type: 'status' }, { ...fakeSync(async () => { throw new Error('not reached'); }), status: () => status })).toEqual({ ok: true, status });
    expect(await handleControlRequest({ type: 'status' }, fakeSync(async () => { throw new Error('not reached'); }))).toMatchObject({ ok: false, code: 'not-ready' });
    expect(await handleControlRequest({ type: 'status', verbose: true }, fakeSync(async () => { throw new Error('not reached'); }))).toMatchObject({ ok: false, code: 'invalid-request' });
  });

  it('says when the laptop has no school server', async () => {
    const reply = await handleControlRequest(unlockRequest, { sync: null, timeZone: 'Europe/Amsterdam', log: silent, status: () => undefined });
    expect(reply).toMatchObject({ ok: false, code: 'no-server', message: { nl: expect.stringMatching(/niet met een schoolserver verbonden/) } });
  });

  it.each([
    [401, 'wrong-code', /Deze code klopt niet \(meer\)/],
    [403, 'not-allowed', /mag u hier niet ontgrendelen/],
    [409, 'no-lesson', /Geen les om te ontgrendelen/],
    [409, 'no-consent', /geen toestemming voor social media geregistreerd \(art\. III\.B\.9\)/, 'consent-missing'],
    [429, 'too-many-attempts', /Te veel mislukte pogingen/],
    [503, 'offline', /niet bereikbaar.*docentenportaal/],
  ])('turns the server\'s %i into "%s", in Dutch first', async (status, code, nl, serverCode?: string) => {
    const deps = fakeSync(async () => { throw new SyncError(`/api/v1/device/unlock: the server answered ${status}: because`, { retryable: status >= 500, status, code: serverCode ?? null }); });
    const reply = await handleControlRequest(unlockRequest, deps);
    expect(reply).toMatchObject({ ok: false, code, message: { nl: expect.stringMatching(nl) } });
    expect(JSON.stringify(reply)).not.toContain(PASSWORD);
  });
});

interface Laptop {
  readonly client: SyncClient;
  readonly store: ReturnType<typeof openDeviceStore>;
  readonly socketPath: string;
  readonly deviceId: string;
}

async function enrolledLaptop(server: TestApi, loginName = 'sanne'): Promise<Laptop> {
  // Sanne's parents consented to social media in lessons this school year (III.B.9).
  await server.store.recordConsents('svok-college', [
    { studentId: 's1', register: 'social-media', schoolYear: '2025-2026', givenBy: 'parent', registeredAt: NOW - 90 * 86_400_000, source: 'test' },
  ]);
  const dataDir = tempDir();
  const store = openDeviceStore({ path: join(dataDir, 'device.db'), now: () => NOW });
  cleanups.push(() => store.close());
  const config = AgentConfigSchema.parse({ server: { url: server.url, enrollmentSecret: server.enrollmentSecret, publicKey: server.signer.publicKeyPem } }).server!;
  const client = new SyncClient({
    config, dataDir, store, now: () => NOW, log: silent, policyVersion: 'test-1', wake: () => {},
    facts: async () => ({ hostname: `laptop-${loginName}`, serial: null, os: 'linux', agentVersion: '0.1.0', loginName }),
  });
  const { deviceId } = await client.enroll();
  const socketPath = join(dataDir, 'agent.sock');
  const control = await startControlSocket(socketPath, { sync: client, timeZone: 'Europe/Amsterdam', log: silent, status: () => undefined });
  cleanups.push(() => control.close());
  return { client, store, socketPath, deviceId };
}

/** The code the teacher portal shows `username` for Jansen's lesson now. */
function portalCode(server: TestApi, username = 'jansen', lesson: { uid: string; start: number } = JNS_NOW): string {
  return unlockCodeFor(server.signer.codeKey, lesson, username, server.now).code;
}

/** The real `lesmodus agent unlock`, with `stdin` piped in as a script would (the code, when no --code is given). */
function unlockCommand(socketPath: string, stdin: string, ...args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [LESMODUS, 'agent', 'unlock', '--control-socket', socketPath, ...args], { env: { ...process.env, NO_COLOR: '1' } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c) => { stdout += c; });
    child.stderr.on('data', (c) => { stderr += c; });
    child.stdin.end(`${stdin}\n`);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

describe('lesmodus agent unlock (real command, real agent socket, real server)', () => {
  it('unlocks this laptop for the lesson in progress: stored at once for the agent to apply, and in the leader\'s log', async () => {
    const server = await api.start();
    const laptop = await enrolledLaptop(server);
    expect(statSync(laptop.socketPath).mode & 0o777).toBe(0o666);
    // The code typed at the prompt (here: piped), as a teacher does; no password anywhere.
    const result = await unlockCommand(laptop.socketPath, portalCode(server), '--allow', 'social', '--reason', REASON);
    expect(result).toMatchObject({ code: 0, stdout: expect.stringMatching(/^Toegestaan tot 09:20: social \(door .+\)\.\nAllowed until 09:20: social \(by .+\)\.\n$/) });
    const [grant] = laptop.store.activeGrants(NOW);
    expect(grant).toMatchObject({ expiresAt: JNS_NOW.end, revokedAt: null });
    const leader = await server.login('de-vries');
    const detail = (await server.call('GET', `/api/v1/exceptions/${grant!.id}`, { as: leader })).body;
    expect(detail).toMatchObject({ grant: { grant: { issuedBy: { username: 'jansen' }, reason: REASON }, audience: { kind: 'device', deviceId: laptop.deviceId } } });
    // Applied is the agent's to report (its exception.applied event, once the grant lifts the block): stored alone does not count.
    expect(detail).toMatchObject({ devicesExpected: 1, devices: [] });
  });

  it('refuses a wrong code in Dutch and English, exit 1, and grants nothing', async () => {
    const server = await api.start();
    const laptop = await enrolledLaptop(server);
    const wrong = portalCode(server) === '000000' ? '000001' : '000000';
    const result = await unlockCommand(laptop.socketPath, '', '--code', wrong, '--allow', 'social', '--reason', REASON);
    expect(result.code).toBe(1);
    expect(result.stderr).toBe('Deze code klopt niet (meer). Vraag de docent om de code die nu in het docentenportaal staat.\nThis code is wrong or has expired. Ask the teacher for the code the teacher portal shows now.\n');
    expect(laptop.store.activeGrants(NOW)).toEqual([]);
  });

  it('refuses the code of a teacher of another lesson, and says when the student has no lesson', async () => {
    const server = await api.start();
    const laptop = await enrolledLaptop(server);
    const pieters = portalCode(server, 'pieters', PTR_NOW);
    if (pieters !== portalCode(server)) {
      const other = await unlockCommand(laptop.socketPath, '', '--code', pieters, '--allow', 'social', '--reason', REASON, '--json');
      expect(other.code).toBe(1);
      expect(JSON.parse(other.stdout)).toMatchObject({ ok: false, code: 'wrong-code' });
    }
    server.now = JNS_NOW.end + MINUTE;
    const late = await unlockCommand(laptop.socketPath, '', '--code', portalCode(server), '--allow', 'social', '--reason', REASON);
    expect(late.stderr).toMatch(/^Geen les om te ontgrendelen/);
  });

  it('needs --reason, --allow and a six-digit code (exit 2), and says when no agent is listening', async () => {
    const missing = await unlockCommand('/nonexistent/agent.sock', '123456', '--allow', 'social');
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/--reason is required/);
    const badCapture = await unlockCommand('/nonexistent/agent.sock', '123456', '--allow', 'capture:keyboard', '--reason', REASON);
    expect(badCapture.stderr).toMatch(/the browser capture kinds are camera, microphone, screen/);
    const aPassword = await unlockCommand('/nonexistent/agent.sock', PASSWORD, '--allow', 'social', '--reason', REASON);
    expect(aPassword.code).toBe(2);
    expect(aPassword.stderr).toMatch(/the code is the six digits the teacher portal shows/);
    const noAgent = await unlockCommand(join(tempDir(), 'agent.sock'), '123456', '--allow', 'social', '--reason', REASON);
    expect(noAgent.code).toBe(1);
    expect(noAgent.stderr).toMatch(/the Lesmodus agent is not running/);
  });

  it('answers garbage and oversized requests on the socket without falling over', async () => {
    const server = await api.start();
    const laptop = await enrolledLaptop(server);
    const send = (text: string) => new Promise<string>((resolve) => {
      const socket = createConnection(laptop.socketPath);
      let answer = '';
      socket.on('data', (c) => { answer += c; });
      socket.on('close', () => resolve(answer));
      socket.on('error', () => resolve(answer));
      socket.end(text);
    });
    expect(JSON.parse(await send('{not json\n'))).toMatchObject({ ok: false, code: 'invalid-request' });
    expect(JSON.parse(await send('x'.repeat(20_000)))).toMatchObject({ ok: false, code: 'invalid-request' });
    expect(JSON.parse(await send(JSON.stringify({ ...unlockRequest, code: portalCode(server) === '000000' ? '000001' : '000000' })))).toMatchObject({ ok: false, code: 'wrong-code' });
    // Still serving.
    expect(JSON.parse(await send(`${JSON.stringify({ ...unlockRequest, code: portalCode(server) })}\n`))).toMatchObject({ ok: true });
  });
});
