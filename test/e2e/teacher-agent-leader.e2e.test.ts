import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CHROMIUM, logIn, openBrowser, type BrowserSession } from '../server/web/browser.ts';
import { pathToFileURL } from 'node:url';
import { resolve } from 'node:path';
import { readArticles } from '../../src/desktop/articles.ts';
import { UnlockRequestSchema } from '../../src/desktop/bridge.ts';
import { sendUnlock } from '../../src/desktop/unlock.ts';
import { FAKE_BRIDGE } from '../desktop/fake-bridge.ts';
import { ownLogin, runUnlock, startAgent, statusOverSocket, waitFor, type AgentProcess } from './agent-process.ts';
import { LEADER, PASSWORD, SCHOOL, startLiveSchool, TEACHER, type LiveSchool } from './live-school.ts';

/**
 * Issue #5 end to end, with everything real: the school server on
 * 127.0.0.1 (real clock, a lesson in progress now), the `lesmodus agent`
 * process synced with it (dry-run, so it touches nothing on this machine),
 * and Debian's Chromium for the teacher and the leader.
 *
 * A teacher grants social media for the lesson in the portal; the agent
 * applies it over the live stream and acknowledges it; the leader finds it
 * in the log with the laptop's acknowledgement; the teacher revokes it and
 * the agent blocks again. The tests run in order and share one school.
 */

const REASON = 'Instagram-campagne analyseren voor het betoog';
const LAPTOP_REASON = 'Eigen Instagram-account tonen bij de presentatie';
const TRAY_REASON = 'Reclame op Instagram vergelijken in tweetallen';
const STEP_MS = 30_000;

const TITLE = 'teacher grants in Chromium → the agent applies it → the leader sees the acknowledgement';
const SKIP = existsSync(CHROMIUM) ? null : `skipped: no Chromium at ${CHROMIUM} (Debian: apt-get install chromium)`;

describe.skipIf(SKIP !== null)(SKIP === null ? TITLE : `${TITLE} (${SKIP})`, () => {
  const login = ownLogin();
  let work: string;
  let school: LiveSchool;
  let agent: AgentProcess | undefined;
  let teacher: BrowserSession | undefined;
  let leader: BrowserSession | undefined;
  let grantId: string;
  let appliedAt: number;

  function agentArgs(): string[] {
    return [
      '--config', join(work, 'config.json'), '--dry-run', '--proxy-port', '0', '--browser-policy-root', join(work, 'root'),
      // III.A.1 (social media in a lesson) is what this test is about; the machine's network must not bring in III.A.2.
      '--on-school-network', 'no',
      '--control-socket', join(work, 'agent.sock'),
      ...(login === null ? [] : ['--user', login]),
    ];
  }

  /** Fails with the agent's own output, which says why it did not get there. */
  async function agentReaches<T>(check: () => T | undefined | false | Promise<T | undefined | false>, what: string, timeoutMs = 20_000): Promise<Exclude<T, undefined | false>> {
    try {
      return await waitFor(check, what, timeoutMs);
    } catch (error) {
      throw new Error(`${(error as Error).message}\n--- agent output ---\n${agent?.output()}`);
    }
  }

  const socialBlocked = () => {
    const decision = agent!.status()?.decision;
    return decision !== undefined && decision.blocked.categories.includes('social') && decision;
  };

  beforeAll(async () => {
    work = await mkdtemp(join(tmpdir(), 'lesmodus-e2e-'));
    school = await startLiveSchool(login ?? 'sdevries');
    await writeFile(join(work, 'config.json'), JSON.stringify({
      server: { url: school.url, enrollmentSecret: school.enrollmentSecret, publicKey: school.publicKeyPem },
    }), { mode: 0o600 }); // root-only, as the agent requires of a file holding the secret
    agent = startAgent(join(work, 'data'), agentArgs());
  }, 30_000);

  afterAll(async () => {
    // Each step on its own: one failing must not leave a process or a folder behind.
    await Promise.allSettled([teacher?.close(), leader?.close(), agent?.stop()]);
    await school?.close().catch(() => {});
    if (work) await rm(work, { recursive: true, force: true });
  });

  it('the agent enrolls, is assigned to the student, and blocks social media in the lesson (art. III.A.1)', async () => {
    const device = await agentReaches(async () => (await school.store.deviceHealth(SCHOOL.id))[0], 'the device to enroll');
    if (device.studentId === null) {
      // The login it reported matches no student (another OS, no passwd entry): the admin assigns it, and a restart pulls the schedule again.
      await school.store.assignDevice(device.deviceId, { schoolId: SCHOOL.id, studentId: school.student.id }, Date.now());
      await agent!.stop();
      agent = startAgent(join(work, 'data'), agentArgs());
    } else {
      expect(device.studentId).toBe(school.student.id);
    }
    const decision = await agentReaches(socialBlocked, 'the agent to block social media in the lesson');
    expect(decision.inLesson).toBe(true);
    expect(decision.lesson?.uid).toBe(school.lesson.uid);
    expect(decision.reasons.map((r) => r.article)).toContain('III.A.1');
    expect(decision.allowed).toEqual([]);
    expect(decision.message.nl).toContain('III.A.1');
    // The operator sees the sync: the server, this laptop's id, the live stream up.
    const sync = await agentReaches(() => agent!.status()?.sync?.live && agent!.status()!.sync, 'the status to show the live stream');
    expect(sync).toMatchObject({ server: school.url, deviceId: (await school.store.deviceHealth(SCHOOL.id))[0]!.deviceId });
  }, STEP_MS);

  it('a teacher grants social media for the lesson in the portal, and the agent applies it within seconds', async () => {
    teacher = await openBrowser(Date.now());
    const { page } = teacher;
    await logIn(page, school.url, TEACHER.username, PASSWORD);
    await page.locator('[data-page=lessons]').waitFor();
    const lesson = page.locator('li.lesson.now');
    await lesson.getByLabel('Social media').check();
    await lesson.getByLabel(/Reden/).fill(REASON);

    const clickedAt = Date.now();
    await lesson.getByRole('button', { name: 'Uitzondering geven' }).click();
    // Timed on this process's clock, polling every 25 ms (the agent's own clock follows the server's time, give or take half a round trip).
    const [[status, appliedAfter], ackedAfter] = await Promise.all([
      agentReaches(() => {
        const current = agent!.status();
        return current?.decision.allowed.some((a) => a.reason === REASON) && current;
      }, 'the agent to apply the exception', 15_000).then((found) => [found, Date.now() - clickedAt] as const),
      (async () => {
        const id = await lesson.locator('li.grant.active', { hasText: REASON }).getAttribute('data-grant');
        await waitFor(async () => (await school.store.exceptionDetail(id!, Date.now()))?.devices.some((d) => d.appliedAt !== null), "the device's acknowledgement on the server", 15_000);
        return Date.now() - clickedAt;
      })(),
    ]);
    const allowed = status.decision.allowed.find((a) => a.reason === REASON)!;
    appliedAt = Date.parse(status.updatedAt);
    console.log(`[e2e] click → the agent's status shows the exception applied: ≤ ${appliedAfter} ms; → the server has the device's acknowledgement: ≤ ${ackedAfter} ms`);

    grantId = allowed.grant;
    expect(allowed.categories).toEqual(['social']);
    expect(allowed.articles).toContain('III.A.1');
    expect(allowed.by).toMatchObject({ username: TEACHER.username, role: 'teacher', teacherCode: TEACHER.code });
    expect(status.decision.blocked.categories).not.toContain('social');

    // The operator's view says the same, and so does the student's (asking the agent over its socket).
    const cli = await agent!.statusCli();
    expect(cli.running).toBe(true);
    expect(cli.decision.allowed.map((a) => a.reason)).toEqual([REASON]);
    const student = await statusOverSocket(join(work, 'agent.sock'));
    expect(student).toMatchObject({ running: true, pid: cli.pid });
    expect(student.decision.allowed.map((a: { reason: string }) => a.reason)).toEqual([REASON]);

    // The device's own log has the exception applied (it reaches the server with the next push).
    const applied = await agentReaches(() => agent!.events().find((e) => e.type === 'exception.applied' && e.payload['grantId'] === grantId), 'exception.applied in the event log');
    expect(applied.payload['allowed']).toMatchObject({ categories: ['social'] });

    // The portal's count follows the laptops taking it in, without a reload.
    const count = page.locator('li.lesson.now li.grant.active', { hasText: REASON }).locator('.applied');
    await waitFor(async () => (await count.textContent()) === '1 van 1 apparaten hebben het toegepast', 'the portal to count the acknowledgement by itself', 10_000, 100);
    expect(teacher.problems).toEqual([]);
  }, STEP_MS);

  it('the leader finds the exception in the log and sees the laptop with its acknowledgement time', async () => {
    leader = await openBrowser(Date.now());
    const { page } = leader;
    await logIn(page, school.url, LEADER.username, PASSWORD);
    const row = page.locator('#log tbody tr', { hasText: REASON });
    await row.waitFor();
    expect(await row.textContent()).toContain(`${TEACHER.name} (${TEACHER.code})`);
    expect(await row.locator('td.num').textContent()).toBe('1');
    await row.getByRole('link', { name: 'Details' }).click();
    await page.locator('[data-page=detail]').waitFor();
    expect(await page.locator('dl.facts').textContent()).toContain(REASON);
    await page.getByRole('heading', { name: 'Apparaten (1 van 1 toegepast)' }).waitFor();
    const cells = await page.locator('#detail-devices tbody tr').first().locator('td').allTextContents();
    // Social media needs consent (III.B.9): the detail shows whether it was registered for this student.
    const [host, student, consent, appliedText] = cells;
    expect(consent).toBe('Geregistreerd');
    const device = (await school.store.deviceHealth(SCHOOL.id))[0]!;
    expect(host).toBe(device.hostname);
    expect(student).toBe(school.student.name); // by name, as everywhere a leader reads students
    // The acknowledgement the agent sent right after applying it, shown in the school's zone.
    const detail = await school.store.exceptionDetail(grantId, Date.now());
    const ack = detail!.devices.find((d) => d.deviceId === device.deviceId)!.appliedAt!;
    expect(Math.abs(ack - appliedAt)).toBeLessThan(5_000);
    expect(appliedText).toContain(new Intl.DateTimeFormat('nl-NL', { timeZone: SCHOOL.timeZone, hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }).format(ack));
    expect(leader.problems).toEqual([]);
  }, STEP_MS);

  it('the teacher revokes it, and the agent blocks social media again', async () => {
    const { page } = teacher!;
    const grant = page.locator('li.lesson.now li.grant.active', { hasText: REASON });
    const clickedAt = Date.now();
    await grant.getByRole('button', { name: 'Intrekken' }).click();
    const decision = await agentReaches(socialBlocked, 'the agent to block social media again', 15_000);
    console.log(`[e2e] revoke click → the agent's status shows social media blocked again: ≤ ${Date.now() - clickedAt} ms`);
    expect(decision.allowed).toEqual([]);
    await agentReaches(() => agent!.events().some((e) => e.type === 'exception.revoked' && e.payload['grantId'] === grantId), 'exception.revoked in the event log');
    await page.locator('li.lesson.now li.grant.revoked', { hasText: REASON }).waitFor();
    expect(teacher!.problems).toEqual([]);

    // The leader's detail shows it revoked, by whom, and when the laptop dropped it (its pushed exception.revoked event).
    const detail = leader!.page;
    await waitFor(async () => {
      await detail.reload();
      await detail.locator('[data-page=detail]').waitFor();
      const ended = await detail.locator('#detail-devices tbody tr').first().locator('td').nth(4).textContent();
      return ended !== null && ended !== '—';
    }, "the laptop's end of the exception in the leader's detail", 10_000, 250);
    const facts = await detail.locator('dl.facts').textContent();
    expect(facts).toContain('Ingetrokken');
    expect(facts).toContain(`(${TEACHER.username})`);
    expect(leader!.problems).toEqual([]);
  }, STEP_MS);

  it("in the tray's unlock window, the teacher types the code the portal shows: the page, the agent and the server grant this laptop", async () => {
    teacher ??= await openBrowser(Date.now());
    const { page: portal, context } = teacher;
    await portal.goto(`${school.url}/lessen`);
    const shown = portal.locator('li.lesson.now [data-unlock-code]');
    await waitFor(async () => /^\d{6}$/.test((await shown.textContent()) ?? ''), 'the unlock code on the portal', 15_000);
    const code = (await shown.textContent())!;
    // The tray's own page, loaded from its file as Electron loads it; the bridge hands the request to what main does with it.
    const tray = await context.newPage();
    await tray.exposeFunction('__trayUnlock', (request: unknown) => sendUnlock(join(work, 'agent.sock'), UnlockRequestSchema.parse(request)));
    await tray.addInitScript({ content: `${FAKE_BRIDGE}\nwindow.lesmodus.unlock = (request) => window.__trayUnlock(request);` });
    await tray.goto(pathToFileURL(resolve('src/desktop/pages/unlock.html')).href);
    await tray.evaluate(`window.__push(${JSON.stringify({ locale: 'nl', timeZone: 'Europe/Amsterdam', status: null, notice: null, articles: readArticles('resources/desktop/articles.json') })})`);
    await tray.getByLabel('Code uit het docentenportaal (6 cijfers)').fill(code);
    await tray.getByLabel('Social media').check();
    await tray.getByLabel('Onderwijsdoel (verplicht, art. III.A.3)').fill(TRAY_REASON);
    await tray.getByRole('button', { name: 'Ontgrendelen' }).click();
    await expect.poll(() => tray.locator('#reply').textContent(), { timeout: 15_000 }).toMatch(/^Toegestaan tot \d\d:\d\d: social \(door .+\)\.$/);
    const status = await agentReaches(() => {
      const current = agent!.status();
      return current?.decision.allowed.some((a) => a.reason === TRAY_REASON) && current;
    }, 'the agent to apply the unlock from the tray', 15_000);
    expect(status.decision.blocked.categories).not.toContain('social');
    await tray.close();
  }, STEP_MS);

  it("at the laptop, the teacher unlocks with the code the portal shows (never a password), and the leader sees it for that laptop", async () => {
    // The teacher reads the code off the portal in Chromium…
    teacher ??= await openBrowser(Date.now());
    const { page: portal } = teacher;
    await portal.goto(`${school.url}/lessen`);
    const shown = portal.locator('li.lesson.now [data-unlock-code]');
    await waitFor(async () => /^\d{6}$/.test((await shown.textContent()) ?? ''), 'the unlock code on the portal', 15_000);
    const code = (await shown.textContent())!;
    const wrong = await runUnlock(join(work, 'agent.sock'), code === '000000' ? '000001' : '000000', ['--allow', 'social', '--reason', LAPTOP_REASON]);
    expect(wrong).toMatchObject({ code: 1, stderr: expect.stringMatching(/^Deze code klopt niet \(meer\)/) });
    // …and types it at the laptop: the command, the agent's socket, the server.
    const startedAt = Date.now();
    const result = await runUnlock(join(work, 'agent.sock'), code, ['--allow', 'social', '--reason', LAPTOP_REASON]);
    expect(result).toMatchObject({ code: 0, stdout: expect.stringMatching(/^Toegestaan tot \d\d:\d\d: social \(door .+\)\./) });
    const status = await agentReaches(() => {
      const current = agent!.status();
      return current?.decision.allowed.some((a) => a.reason === LAPTOP_REASON) && current;
    }, 'the agent to apply the unlock', 15_000);
    console.log(`[e2e] lesmodus agent unlock (incl. starting the command) → applied: ≤ ${Date.now() - startedAt} ms`);
    expect(status.decision.blocked.categories).not.toContain('social');

    const { page } = leader!;
    await page.goto(`${school.url}/leiding`);
    const row = page.locator('#log tbody tr', { hasText: LAPTOP_REASON });
    await row.waitFor();
    expect(await row.textContent()).toContain(`${TEACHER.name} (${TEACHER.code})`);
    expect(leader!.problems).toEqual([]);
    expect(await agent!.stop()).toBe(0);
  }, STEP_MS);
});
