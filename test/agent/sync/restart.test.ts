import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ownLogin, startAgent, waitFor, type AgentProcess } from '../../e2e/agent-process.ts';
import { PASSWORD, SCHOOL, startLiveSchool, TEACHER, type LiveSchool } from '../../e2e/live-school.ts';
import { call, type UserSession } from '../../server/api/harness.ts';

/**
 * Issue 12 item 13, reproduced with real processes: the `lesmodus agent`
 * process (dry-run, synced with a real server on 127.0.0.1) has 15 teacher
 * exceptions in force, and is killed with SIGKILL and started again, several
 * times. Each grant must be logged `exception.applied` once on this laptop
 * (the red-team run saw 36 events for 15 grants), in its own log and on the
 * server, because the restarted agent reads from its store what it logged.
 */

const GRANTS = 15;
const RESTARTS = 3;
const STEP_MS = 60_000;

describe('an agent killed with SIGKILL and started again', () => {
  const login = ownLogin();
  let work: string;
  let school: LiveSchool;
  let agent: AgentProcess | undefined;
  const grantIds: string[] = [];

  function start(): AgentProcess {
    agent = startAgent(join(work, 'data'), [
      '--config', join(work, 'config.json'), '--dry-run', '--proxy-port', '0', '--browser-policy-root', join(work, 'root'),
      '--on-school-network', 'no', '--control-socket', join(work, 'agent.sock'),
      ...(login === null ? [] : ['--user', login]),
    ]);
    return agent;
  }

  /** Fails with the agent's own output, which says why it did not get there. */
  async function agentReaches<T>(check: () => T | undefined | false | Promise<T | undefined | false>, what: string): Promise<Exclude<T, undefined | false>> {
    try {
      return await waitFor(check, what, 30_000);
    } catch (error) {
      throw new Error(`${(error as Error).message}\n--- agent output ---\n${agent?.output()}`);
    }
  }

  /** This process has decided (its status names its pid) with every grant lifting the block. */
  const decidedWithAllGrants = (process: AgentProcess) => {
    const status = process.status();
    return status !== undefined && status.pid === process.child.pid && status.decision.allowed.length === GRANTS && status;
  };

  const appliedPerGrant = () => {
    const counts = new Map<string, number>();
    for (const event of agent!.events()) {
      if (event.type === 'exception.applied') counts.set(String(event.payload['grantId']), (counts.get(String(event.payload['grantId'])) ?? 0) + 1);
    }
    return counts;
  };

  beforeAll(async () => {
    work = await mkdtemp(join(tmpdir(), 'lesmodus-restart-'));
    school = await startLiveSchool(login ?? 'sdevries');
    await writeFile(join(work, 'config.json'), JSON.stringify({
      server: { url: school.url, enrollmentSecret: school.enrollmentSecret, publicKey: school.publicKeyPem },
    }), { mode: 0o600 }); // root-only, as the agent requires of a file holding the secret
    const reply = await call(school.url, 'POST', '/api/v1/session', { body: { username: TEACHER.username, password: PASSWORD } });
    const teacher: UserSession = { kind: 'user', cookie: reply.headers.get('set-cookie')!.split(';')[0]!, csrf: reply.body.csrfToken, username: TEACHER.username };
    for (let n = 1; n <= GRANTS; n++) {
      const grant = await call(school.url, 'POST', '/api/v1/grants', {
        as: teacher,
        body: { scope: { kind: 'lesson', lessonUid: school.lesson.uid, lessonStart: school.lesson.start }, allow: { categories: ['social'] }, reason: `Opdracht ${n}: Instagram-campagne analyseren` },
      });
      if (grant.status !== 201) throw new Error(`grant ${n} was refused: ${grant.status} ${grant.text}`);
      grantIds.push(grant.body.id);
    }
  }, STEP_MS);

  afterAll(async () => {
    await agent?.stop();
    await school?.close().catch(() => {});
    if (work) await rm(work, { recursive: true, force: true });
  });

  it('applies the 15 exceptions of the lesson and logs each applied once', async () => {
    start();
    const device = await agentReaches(async () => (await school.store.deviceHealth(SCHOOL.id))[0], 'the device to enroll');
    if (device.studentId === null) {
      // The login it reported matches no student (root, no passwd entry): the admin assigns it, and a restart pulls the schedule again.
      await school.store.assignDevice(device.deviceId, { schoolId: SCHOOL.id, studentId: school.student.id }, Date.now());
      await agent!.stop();
      start();
    }
    await agentReaches(() => decidedWithAllGrants(agent!), `the agent to apply all ${GRANTS} exceptions`);
    expect([...appliedPerGrant().entries()].sort()).toEqual(grantIds.map((id) => [id, 1]).sort());
  }, STEP_MS);

  it(`logs each exception applied once per laptop across ${RESTARTS} kills with SIGKILL, in its log and on the server`, async () => {
    for (let round = 0; round < RESTARTS; round++) {
      const killed = agent!;
      killed.child.kill('SIGKILL');
      expect(await killed.stop()).toBeNull();
      const restarted = start();
      // The new process's first decision, with every grant in force again: a second exception.applied would be written by now.
      await agentReaches(() => decidedWithAllGrants(restarted), `restart ${round + 1} to decide`);
    }
    const perGrant = appliedPerGrant();
    expect([...perGrant.values()].reduce((sum, n) => sum + n, 0)).toBe(GRANTS);
    expect([...perGrant.entries()].sort()).toEqual(grantIds.map((id) => [id, 1]).sort());

    // The server holds the same: one exception.applied per grant from this laptop, and each grant counted applied on it once.
    const device = (await school.store.deviceHealth(SCHOOL.id))[0]!;
    await agentReaches(() => agent!.status()?.sync?.outbox === 0, 'the outbox to drain');
    const stored = await school.store.deviceEvents(device.deviceId, { from: 0, to: Date.now() + 60_000 }, { limit: 1_000, offset: 0 });
    const applied = stored.rows.filter((r) => r.event.type === 'exception.applied');
    expect(applied.map((r) => (r.event.payload as { grantId: string }).grantId).sort()).toEqual([...grantIds].sort());
    for (const id of grantIds) expect((await school.store.exceptionDetail(id, Date.now()))?.devices.filter((d) => d.appliedAt !== null)).toHaveLength(1);
  }, STEP_MS * RESTARTS);
});
