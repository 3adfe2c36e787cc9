import { chmodSync, renameSync, writeFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startAgent, waitFor, type AgentProcess } from './agent-process.ts';
import { SCHOOL, startLiveSchool, type LiveSchool } from './live-school.ts';

/**
 * The agent's config as IT changes it, against the real `lesmodus agent`
 * process and a real school server on 127.0.0.1: a secret in a file others
 * can read is refused (the agent runs on), and a new profile with a new
 * secret, once the leaked one is revoked, is taken without a restart. In
 * order, sharing one school and one agent.
 */

let work: string;
let school: LiveSchool;
let agent: AgentProcess | undefined;
const configPath = () => join(work, 'config.json');

function installProfile(secret: string, mode: number): void {
  const next = `${configPath()}.new`;
  writeFileSync(next, JSON.stringify({ server: { url: school.url, enrollmentSecret: secret, publicKey: school.publicKeyPem } }));
  chmodSync(next, mode);
  renameSync(next, configPath());
}

async function agentSays(text: string, timeoutMs = 20_000): Promise<void> {
  try {
    await waitFor(() => agent!.output().includes(text), `the agent saying "${text}"`, timeoutMs);
  } catch (error) {
    throw new Error(`${(error as Error).message}\n--- agent output ---\n${agent?.output()}`);
  }
}

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'lesmodus-e2e-config-'));
  school = await startLiveSchool('sdevries');
  installProfile(school.enrollmentSecret, 0o644);
  agent = startAgent(join(work, 'data'), [
    '--config', configPath(), '--dry-run', '--proxy-port', '0', '--browser-policy-root', join(work, 'root'),
    '--on-school-network', 'no', '--control-socket', join(work, 'agent.sock'), '--user', String(userInfo().uid),
  ]);
}, 30_000);

afterAll(async () => {
  await agent?.stop();
  await school?.close().catch(() => {});
  if (work) await rm(work, { recursive: true, force: true });
});

describe('the agent config as IT changes it', () => {
  it('refuses the secret in a config file others can read, loudly, and keeps running without enrolling', async () => {
    await agentSays('ENROLLMENT SECRET REFUSED');
    expect(agent!.output()).toContain('server.enrollmentSecret is not used: this store is readable by group and others (mode 0644)');
    await agentSays('has not enrolled and has no usable enrollment secret');
    expect(agent!.output()).not.toContain('sync: enrolled with');
    expect(agent!.child.exitCode).toBeNull();
  }, 30_000);

  it('takes a new profile with a new secret (the leaked one revoked) without a restart, and enrolls', async () => {
    const leaked = (await school.enrollmentSecrets.match(school.enrollmentSecret))!;
    await school.enrollmentSecrets.revoke(leaked.id, Date.now());
    const { secret } = await school.enrollmentSecrets.create(SCHOOL.id, Date.now());
    installProfile(secret, 0o600);
    await agentSays('config: changed in');
    await agentSays('sync: enrolled with', 60_000);
    expect(agent!.child.pid).toBeDefined();
  }, 90_000);

  it('reads its config again on SIGHUP (systemctl reload) and keeps running', async () => {
    agent!.child.kill('SIGHUP');
    await agentSays(`config: reading ${configPath()} again (SIGHUP)`);
    expect(agent!.child.exitCode).toBeNull();
    expect(agent!.child.signalCode).toBeNull();
  }, 30_000);
});
