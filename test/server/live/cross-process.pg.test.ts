// Two real server processes on one PostgreSQL: a grant posted on one reaches
// a laptop streaming from the other, through LISTEN/NOTIFY; a dropped
// listening connection and a killed process lose no stream for more than a
// reconnect.
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEVICE_PATHS } from '../../../src/core/protocol/paths.ts';
import { CSRF_HEADER } from '../../../src/server/auth/sessions.ts';
import { PostgresServerStore } from '../../../src/server/store/index.ts';
import { useCli, type Started } from '../api/cli-harness.ts';
import { PASSWORD, SCHOOL, seedSchool } from '../api/school.ts';
import { waitFor } from '../../helpers/wait-for.ts';

const URL_VARIABLE = 'LESMODUS_TEST_DATABASE_URL';
const baseUrl = process.env[URL_VARIABLE];

const MINUTE = 60_000;
/** Four commands and two servers started, each a Node process: generous for a loaded 2-core machine. */
const SETUP_TIMEOUT_MS = 120_000;

/** One live stream as a laptop holds it: every event it was sent, in order. */
interface Stream {
  readonly events: { event: string; data: string; id?: string }[];
  readonly ended: Promise<void>;
  close(): void;
}

async function openStream(url: string, credential: string): Promise<Stream> {
  const controller = new AbortController();
  const response = await fetch(`${url}${DEVICE_PATHS.stream}`, { headers: { authorization: `Bearer ${credential}`, accept: 'text/event-stream' }, signal: controller.signal });
  expect(response.status).toBe(200);
  const events: Stream['events'] = [];
  const decoder = new TextDecoder();
  let buffer = '';
  const ended = (async () => {
    try {
      for await (const chunk of response.body as unknown as AsyncIterable<Uint8Array>) {
        buffer += decoder.decode(chunk, { stream: true });
        for (let end = buffer.indexOf('\n\n'); end !== -1; end = buffer.indexOf('\n\n')) {
          const block = buffer.slice(0, end);
          buffer = buffer.slice(end + 2);
          const fields = Object.fromEntries(block.split('\n').filter((l) => !l.startsWith(':')).map((l) => [l.slice(0, l.indexOf(':')), l.slice(l.indexOf(':') + 1).trim()]));
          if (fields.event) events.push({ event: fields.event, data: fields.data ?? '', ...(fields.id ? { id: fields.id } : {}) });
        }
      }
    } catch {
      // Aborted, or the server went away: the stream has ended either way.
    }
  })();
  return { events, ended, close: () => controller.abort() };
}

describe.skipIf(!baseUrl)('several server processes on one PostgreSQL', () => {
  const cli = useCli('live');
  const data = join(cli.tmp, 'data');
  const schema = `lesmodus_live_${process.pid.toString(36)}${Date.now().toString(36)}`;
  const databaseUrl = new URL(baseUrl ?? 'postgres://unused');
  databaseUrl.searchParams.set('options', `-c search_path=${schema}`);
  const args = ['--data-dir', data, '--database-url', databaseUrl.toString()];
  const admin = new pg.Client({ connectionString: baseUrl });
  let a: Started;
  let b: Started;
  let credential: string;
  let teacher: { cookie: string; csrf: string };
  const lessonNow = { uid: 'live-ne@test', start: Date.now() - 10 * MINUTE, end: Date.now() + 50 * MINUTE };

  beforeAll(async () => {
    await admin.connect();
    await admin.query(`CREATE SCHEMA "${schema}"`);
    const store = await PostgresServerStore.open({ url: baseUrl!, schema });
    await seedSchool(store);
    await store.replaceLessons(SCHOOL.id, { from: lessonNow.start, to: lessonNow.end }, [
      { uid: lessonNow.uid, start: lessonNow.start, end: lessonNow.end, subject: 'ne', groups: ['v4a'], teachers: ['JNS'], location: 'b104', cancelled: false, online: false },
    ]);
    // Sanne's parents consented for 2026-2027: the command-line test withdraws it.
    await store.recordConsents(SCHOOL.id, [{ studentId: 's1', register: 'social-media', schoolYear: '2026-2027', givenBy: 'parent', registeredAt: Date.now() - 86_400_000, source: 'magister' }]);
    await store.close();
    expect((await cli.run(['server', 'init', ...args])).code).toBe(0);
    const made = await cli.run(['server', 'enroll-secret', ...args, '--school', SCHOOL.id]);
    expect(made.code, made.stderr).toBe(0);
    const secret = made.stdout.trim();
    [a, b] = await Promise.all([cli.start(['server', ...args, '--port', '0']), cli.start(['server', ...args, '--port', '0'])]);
    // Sanne's laptop (the school's rule: laptop-<login>) enrolls with process B.
    const enrolled = await fetch(`${b.url}${DEVICE_PATHS.enroll}`, {
      method: 'POST', headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ enrollmentSecret: secret, hostname: 'laptop-sanne', serial: 'SN-LIVE-1', os: 'linux', agentVersion: '0.1.0', loginName: 'sanne' }),
    });
    expect(enrolled.status, await enrolled.clone().text()).toBe(201);
    credential = ((await enrolled.json()) as { credential: string }).credential;
    const login = await fetch(`${a.url}/api/v1/session`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: 'jansen', password: PASSWORD }) });
    expect(login.status).toBe(200);
    teacher = { cookie: login.headers.get('set-cookie')!.split(';')[0]!, csrf: ((await login.json()) as { csrfToken: string }).csrfToken };
  }, SETUP_TIMEOUT_MS);

  afterAll(async () => {
    for (const p of [a, b]) p?.child.kill('SIGKILL');
    await admin.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`).catch(() => undefined);
    await admin.end();
  });

  async function grant(on: Started, reason: string): Promise<string> {
    const reply = await fetch(`${on.url}/api/v1/grants`, {
      method: 'POST', headers: { 'content-type': 'application/json', cookie: teacher.cookie, [CSRF_HEADER]: teacher.csrf },
      body: JSON.stringify({ scope: { kind: 'lesson', lessonUid: lessonNow.uid, lessonStart: lessonNow.start }, allow: { categories: ['social'] }, reason }),
    });
    expect(reply.status, await reply.clone().text()).toBe(201);
    return ((await reply.json()) as { id: string }).id;
  }

  it('sends a grant posted on one process to a laptop streaming from the other, and its revocation', async () => {
    const stream = await openStream(b.url, credential);
    const id = await grant(a, 'Campagne analyseren voor Nederlands');
    const delivered = await waitFor(() => stream.events.find((e) => e.event === 'grant' && e.id === id), 'the grant on B');
    // The laptop gets it signed for itself, by the server's key, whichever process signed it.
    expect(JSON.parse(delivered.data)).toMatchObject({ payload: { type: 'lesmodus.device-grant.v1', grant: { id } } });
    const revoke = await fetch(`${a.url}/api/v1/grants/${id}/revoke`, { method: 'POST', headers: { 'content-type': 'application/json', cookie: teacher.cookie, [CSRF_HEADER]: teacher.csrf }, body: '{}' });
    expect(revoke.status).toBe(200);
    await waitFor(() => stream.events.find((e) => e.event === 'revocation' && e.id === id), 'the revocation on B');
    expect(stream.events.filter((e) => e.id === id).map((e) => e.event)).toEqual(['grant', 'revocation']);
    stream.close();
  });

  it('tells the other process\'s streams to pull when the school\'s data changes on the command line', async () => {
    const stream = await openStream(b.url, credential);
    const before = stream.events.length;
    // A consent withdrawn by IT on the server's command line (its own process, not a server): B's laptop pulls at once.
    const withdrawn = await cli.run(['server', 'consent', 'withdraw', ...args, '--school', SCHOOL.id, '--student', 's1', '--register', 'social-media', '--school-year', '2026-2027']);
    expect(withdrawn.code, withdrawn.stderr).toBe(0);
    await waitFor(() => stream.events.slice(before).find((e) => e.event === 'refresh' && /consents/.test(e.data)), 'the refresh on B');
    stream.close();
  });

  it('listens again after its connection to PostgreSQL is cut: the streams pull once, and the next grant arrives', async () => {
    const stream = await openStream(b.url, credential);
    // Cut every listening session of this schema's channel (the admin's view of it): both processes reconnect.
    const cut = await admin.query(`SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE query LIKE 'LISTEN "lesmodus_live.${schema}"'`);
    expect(cut.rowCount).toBe(2);
    await waitFor(() => stream.events.find((e) => e.event === 'refresh' && /reconnected/.test(e.data)), 'the pull after the reconnect');
    const id = await grant(a, 'Na de storing: campagne analyseren');
    await waitFor(() => stream.events.find((e) => e.event === 'grant' && e.id === id), 'the grant after the reconnect');
    stream.close();
  });

  it('when a process is killed, its laptop streams from the other after one reconnect, and a grant from a restarted process reaches it', { timeout: SETUP_TIMEOUT_MS }, async () => {
    const stream = await openStream(b.url, credential);
    b.child.kill('SIGKILL');
    await stream.ended;
    // The laptop reconnects (behind the proxy, to the process still up).
    const again = await openStream(a.url, credential);
    b = await cli.start(['server', ...args, '--port', '0']);
    const id = await grant(b, 'Na de herstart: campagne analyseren');
    await waitFor(() => again.events.find((e) => e.event === 'grant' && e.id === id), 'the grant from the restarted process');
    again.close();
  });
});
