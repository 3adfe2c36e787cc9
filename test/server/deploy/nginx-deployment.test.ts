import { execFileSync } from 'node:child_process';
import { once } from 'node:events';
import { existsSync, writeFileSync } from 'node:fs';
import { userInfo } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startAgent, statusOverSocket, waitFor, type AgentProcess } from '../../e2e/agent-process.ts';
import { freePort } from '../../agent/sync/fault/school-server.ts';
import { dropSchema, freshSchemaUrl, querySchema } from '../../helpers/postgres-schema.ts';
import { useCli, type Started } from '../api/cli-harness.ts';
import { startNginx, type RunningNginx } from './nginx.ts';
import { makeCertificates, request, type TestCertificates } from './tls.ts';

/**
 * The deployment the README describes for a foundation, for real: two
 * `lesmodus server` processes on one PostgreSQL behind Debian's nginx, which
 * ends TLS (a certificate from the school's own CA, made here with openssl)
 * and passes the client and the scheme on. Every address is on loopback:
 * nginx connects to the servers from 127.0.0.2 (the --trusted-proxy), and
 * other 127.0.0.x addresses stand for different clients.
 */

const url = process.env.LESMODUS_TEST_DATABASE_URL;
const hasNginx = existsSync('/usr/sbin/nginx');
const PROXY = '127.0.0.2';
const PASSWORD = 'een lang wachtwoord voor de test';
const SCHOOL = 'kl';

const cli = useCli('nginx');
let schema: string;
let certificates: TestCertificates;
let servers: Started[] = [];
let nginx: RunningNginx | undefined;
let agent: AgentProcess | undefined;
let publicKey = '';
let enrollmentSecret = '';

const viaNginx = (spec: Parameters<typeof request>[1]) => request(nginx!.url, spec, certificates.ca);
const login = (username: string, password: string) => ({ method: 'POST' as const, path: '/api/v1/session', body: { username, password } });

const sql = <R>(text: string, values: unknown[] = []): Promise<R[]> => querySchema<R>(url!, schema, text, values);

async function liveConnections(server: Started): Promise<number> {
  const answer = await request(server.url, { path: '/healthz' });
  return (JSON.parse(answer.body) as { liveConnections: number }).liveConnections;
}

describe('the deployment test in CI', () => {
  it('has nginx and PostgreSQL when CI=true, so the deployment is really tested', () => {
    if (process.env.CI !== 'true') return;
    expect(hasNginx, 'CI=true but /usr/sbin/nginx is missing: .ci/run must apt-get install nginx').toBe(true);
    expect(url).toBeDefined();
  });
});

describe.skipIf(url === undefined || !hasNginx || process.getuid?.() !== 0)('two server processes behind nginx with TLS', () => {
  beforeAll(async () => {
    schema = `lesmodus_nginx_${process.pid}_${Date.now().toString(36)}`;
    const databaseUrl = await freshSchemaUrl(url!, schema);
    certificates = makeCertificates(cli.tmp);
    const data = join(cli.tmp, 'data');
    const store = ['--data-dir', data, '--database-url', databaseUrl];
    const init = await cli.run(['server', 'init', ...store, '--school', SCHOOL, '--school-name', 'Kennemer Lyceum']);
    expect(init.code, init.stderr).toBe(0);
    publicKey = init.stdout;
    for (const user of [['--role', 'leader', '--username', 'dewit', '--school', SCHOOL], ['--role', 'teacher', '--username', 'jansen', '--teacher-code', 'JNS', '--school', SCHOOL]]) {
      const added = await cli.run(['server', 'user', 'add', ...store, ...user], `${PASSWORD}\n`);
      expect(added.code, added.stderr).toBe(0);
    }
    enrollmentSecret = (await cli.run(['server', 'enroll-secret', ...store])).stdout.trim();

    const serverArgs = ['server', ...store, '--host', '127.0.0.1', '--port', '0', '--trusted-proxy', PROXY];
    servers = await Promise.all([cli.start(serverArgs), cli.start(serverArgs)]);
    nginx = await startNginx(join(cli.tmp, 'nginx'), await freePort(), {
      SERVER_NAME: '127.0.0.1', CERTIFICATE: certificates.certificatePath, KEY: certificates.keyPath, PROXY_ADDRESS: PROXY,
      UPSTREAMS: servers.map((s) => `server ${new URL(s.url).host};`).join('\n    '),
    }, certificates.ca);
  }, 90_000);

  afterAll(async () => {
    await agent?.stop();
    await nginx?.stop();
    for (const server of servers) if (server.child.exitCode === null) server.child.kill('SIGTERM');
    await Promise.all(servers.map((s) => (s.child.exitCode === null && s.child.signalCode === null ? once(s.child, 'exit') : undefined)));
    if (schema !== undefined) await dropSchema(url!, schema);
  }, 30_000);

  it('the nginx template passes nginx -t once filled in', () => {
    const prefix = join(cli.tmp, 'nginx');
    const checked = execFileSync('/usr/sbin/nginx', ['-t', '-p', prefix, '-c', join(prefix, 'nginx.conf'), '-e', join(prefix, 'error.log')], { stdio: ['ignore', 'pipe', 'pipe'], encoding: 'utf8' });
    expect(checked).toBe('');
  });

  it('logs in over HTTPS through nginx with a Secure session cookie and HSTS; plain HTTP straight to a server does not, even with a forged X-Forwarded-Proto', async () => {
    const secure = await viaNginx({ ...login('dewit', PASSWORD), from: '127.0.0.10' });
    expect(secure.status, secure.body).toBe(200);
    expect(String(secure.headers['set-cookie'])).toMatch(/;\s*Secure/i);
    expect(secure.headers['strict-transport-security']).toMatch(/max-age=\d+/);

    const forged = await request(servers[0]!.url, { ...login('dewit', PASSWORD), headers: { 'x-forwarded-proto': 'https' } });
    expect(forged.status, forged.body).toBe(200);
    expect(String(forged.headers['set-cookie'])).not.toMatch(/Secure/i);
    expect(forged.headers['strict-transport-security']).toBeUndefined();
  });

  it('the login limiter sees the real client behind nginx: one client locked out of an account, another still gets in', async () => {
    for (let attempt = 0; attempt < 5; attempt++) {
      expect((await viaNginx({ ...login('jansen', 'fout wachtwoord'), from: '127.0.0.11' })).status).toBe(401);
    }
    expect((await viaNginx({ ...login('jansen', PASSWORD), from: '127.0.0.11' })).status).toBe(429);
    expect((await viaNginx({ ...login('jansen', PASSWORD), from: '127.0.0.12' })).status).toBe(200);
    const clients = await sql<{ key: string }>("SELECT DISTINCT key FROM rate_limit_hits WHERE limiter = 'login-client'");
    expect(clients.map((c) => c.key)).toContain('127.0.0.11');
    expect(clients.map((c) => c.key)).not.toContain(PROXY);
  });

  it('ignores X-Forwarded-For sent straight to a server process: a guesser cannot pose as many clients', async () => {
    for (let attempt = 0; attempt < 5; attempt++) {
      const answer = await request(servers[1]!.url, { ...login('dewit', 'fout wachtwoord'), headers: { 'x-forwarded-for': `127.0.0.${200 + attempt}` } });
      expect(answer.status).toBe(401);
    }
    const locked = await request(servers[1]!.url, { ...login('dewit', PASSWORD), headers: { 'x-forwarded-for': '127.0.0.250' } });
    expect(locked.status).toBe(429);
    const keys = (await sql<{ key: string }>('SELECT DISTINCT key FROM rate_limit_hits')).map((r) => r.key);
    expect(keys.filter((k) => /127\.0\.0\.2\d\d/.test(k))).toEqual([]);
    expect(keys).toContain(JSON.stringify(['dewit', '127.0.0.1']));
  });

  it('a real agent enrolls and pulls its schedule through nginx over TLS, trusting the school CA, and holds its live stream there', async () => {
    const work = join(cli.tmp, 'laptop');
    const config = join(cli.tmp, 'config.json');
    writeFileSync(config, JSON.stringify({ server: { url: nginx!.url, enrollmentSecret, publicKey } }), { mode: 0o600 });
    const socket = join(cli.tmp, 'agent.sock');
    agent = startAgent(join(work, 'data'), [
      '--config', config, '--dry-run', '--proxy-port', '0', '--browser-policy-root', join(work, 'root'),
      '--on-school-network', 'no', '--control-socket', socket, '--user', String(userInfo().uid),
    ], { NODE_EXTRA_CA_CERTS: certificates.caPath });
    const synced = await waitFor(async () => {
      const status = await statusOverSocket(socket).catch(() => undefined);
      const sync = status?.sync;
      return sync?.deviceId && sync.lastPullAt && sync.live ? sync : undefined;
    }, `the agent enrolled, pulled and streaming through nginx:\n${agent.output()}`, 45_000, 200);
    expect(synced.server).toBe(nginx!.url);
    expect(await sql('SELECT id FROM devices')).toEqual([{ id: synced.deviceId }]);
  }, 60_000);

  it('when the server process holding the stream is killed, requests go on through the other and the laptop reconnects and pulls there', async () => {
    const socket = join(cli.tmp, 'agent.sock');
    const before = (await statusOverSocket(socket)).sync;
    const counts = await Promise.all(servers.map(liveConnections));
    const holding = counts.indexOf(1);
    expect(counts.sort()).toEqual([0, 1]);
    const [killed, other] = holding === 0 ? [servers[0]!, servers[1]!] : [servers[1]!, servers[0]!];
    killed.child.kill('SIGKILL');
    await once(killed.child, 'exit');

    for (let i = 0; i < 10; i++) expect((await viaNginx({ path: '/healthz', from: '127.0.0.13' })).status).toBe(200);
    expect((await viaNginx({ ...login('dewit', PASSWORD), from: '127.0.0.13' })).status).toBe(200);

    // The laptop's stream ended with the process; it reconnects through nginx to the other one and pulls there,
    // and says so itself: its status is taken again when the stream is ready.
    await waitFor(async () => (await liveConnections(other)) === 1, 'the laptop streaming from the other server', 45_000, 200);
    const after = await waitFor(async () => {
      const sync = (await statusOverSocket(socket)).sync;
      return sync.lastPullAt > before.lastPullAt && sync.live ? sync : undefined;
    }, 'the laptop pulling again and live after its reconnect', 45_000, 200);
    expect(after.deviceId).toBe(before.deviceId);
  }, 120_000);
});
