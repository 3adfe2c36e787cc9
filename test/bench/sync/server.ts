import { fork, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { generateSigningKeyPair } from '../../../src/adapters/signing.ts';
import type { Lesson } from '../../../src/core/timetable/lesson.ts';
import { buildApi } from '../../../src/server/app/server-app.ts';
import { signerFrom } from '../../../src/server/app/server-keys.ts';
import { EnrollmentSecretFile } from '../../../src/server/auth/enrollment-secrets.ts';
import { FAST_SCRYPT_COST, hashPassword } from '../../../src/server/auth/passwords.ts';
import { listen } from '../../../src/server/http/listen.ts';
import type { Logger as ServerLogger } from '../../../src/server/http/logger.ts';
import { SqliteServerStore } from '../../../src/server/store/index.ts';
import { DAY, GROUP_SIZE, HOUR, MINUTE, SCHOOL_ID, TEACHER } from './shared.ts';

/**
 * The sync benchmarks' school server: a child process (as in production a
 * process of its own), SQLite with synchronous=FULL, real HTTP on 127.0.0.1,
 * answering the benchmark's questions over IPC.
 */

const SERVER_ROLE = 'lesmodus-bench-sync-server';

export interface ServerSetup {
  readonly dir: string;
  readonly students: number;
}

export interface ServerReady {
  readonly kind: 'ready';
  readonly url: string;
  readonly enrollmentSecret: string;
  readonly publicKeyPem: string;
  readonly lesson: { readonly uid: string; readonly start: number };
}

type ServerRequest =
  | { readonly id: number; readonly kind: 'connections' }
  | { readonly id: number; readonly kind: 'event-count'; readonly deviceId: string }
  | { readonly id: number; readonly kind: 'stop' };

interface ServerReply {
  readonly kind: 'reply';
  readonly id: number;
  readonly value: number | null;
  /** Warnings and errors the server logged (stop only). */
  readonly problems?: readonly string[];
}

function countingLogger(): ServerLogger & { readonly problems: string[] } {
  const problems: string[] = [];
  const note = (level: string) => (message: string, fields?: Record<string, unknown>) => {
    problems.push(`${level}: ${message}${fields ? ` ${JSON.stringify(fields).slice(0, 300)}` : ''}`);
  };
  return { problems, info: () => {}, warn: note('warn'), error: note('error') };
}

/** A school with one lesson in progress for all `students` (in groups of 25), taught by Jansen. */
async function runServer(setup: ServerSetup): Promise<void> {
  const store = await SqliteServerStore.open({ path: join(setup.dir, 'server.db') });
  const now = Date.now();
  await store.putSchool({ id: SCHOOL_ID, name: 'Bench College', timeZone: 'Europe/Amsterdam' }, now);
  await store.createUser({ username: TEACHER.username, role: 'teacher', displayName: 'Dhr. Jansen', teacherCode: TEACHER.teacherCode, schoolId: SCHOOL_ID,
    passwordHash: await hashPassword(TEACHER.password, FAST_SCRYPT_COST) }, now);
  const students = Array.from({ length: setup.students }, (_, s) => ({ id: `s${s}`, name: null, loginName: `leerling${s}` }));
  await store.putStudents(SCHOOL_ID, students);
  const groups = Array.from({ length: Math.ceil(setup.students / GROUP_SIZE) }, (_, g) => ({
    code: `g${g}`, name: null, studentIds: students.slice(g * GROUP_SIZE, (g + 1) * GROUP_SIZE).map((s) => s.id),
  }));
  await store.replaceGroups(SCHOOL_ID, groups);
  // The school's MDM says which laptop is whose (a reported login name alone assigns nothing).
  await store.replaceDeviceRules(SCHOOL_ID, students.map((s, n) => ({ kind: 'hostname' as const, value: `laptop-${n}`, studentId: s.id })), now);
  // Started ten minutes ago by the real clock (server and agents both use Date.now), ends well after the benchmark.
  const start = Math.floor(now / MINUTE) * MINUTE - 10 * MINUTE;
  const lesson: Lesson = { uid: 'bench-lesson@sync', start, end: start + 2 * HOUR, subject: 'ne', groups: groups.map((g) => g.code),
    teachers: [TEACHER.teacherCode], location: 'aula', cancelled: false, online: false };
  await store.replaceLessons(SCHOOL_ID, { from: start - DAY, to: start + 14 * DAY }, [lesson]);

  const pair = generateSigningKeyPair();
  const secretsPath = join(setup.dir, 'enrollment-secrets.json');
  const { secret } = await new EnrollmentSecretFile(secretsPath).create(SCHOOL_ID, now);
  const logger = countingLogger();
  const { context, handler } = buildApi({
    store, signer: signerFrom(pair.privateKeyPem, pair.publicKeyPem), enrollmentSecretsPath: secretsPath, logger,
    settings: { passwordCost: FAST_SCRYPT_COST, version: 'bench', enrollmentsPerHour: setup.students + 100 },
  });
  const listening = await listen(handler, { host: '127.0.0.1', port: 0 }, logger);
  const ready: ServerReady = { kind: 'ready', url: listening.url, enrollmentSecret: secret, publicKeyPem: pair.publicKeyPem, lesson: { uid: lesson.uid, start } };
  process.send!(ready);
  process.on('disconnect', () => process.exit(1));
  process.on('message', (request: ServerRequest) => {
    const reply = (value: number | null, problems?: readonly string[]) => process.send!({ kind: 'reply', id: request.id, value, ...(problems ? { problems } : {}) } satisfies ServerReply);
    if (request.kind === 'connections') {
      reply(context.hub.connections);
    } else if (request.kind === 'event-count') {
      store.deviceEvents(request.deviceId, { from: 0, to: Date.now() + DAY }, { limit: 1, offset: 0 }).then((page) => reply(page.total), () => reply(null));
    } else {
      void listening.close(() => context.hub.closeAll()).then(() => store.close()).then(() => {
        reply(null, logger.problems);
        process.disconnect();
      });
    }
  });
}

if (process.argv[2] === SERVER_ROLE && process.send !== undefined) {
  await runServer(JSON.parse(process.argv[3]!) as ServerSetup);
}

export interface ServerHandle {
  readonly ready: ServerReady;
  ask(kind: 'connections'): Promise<number>;
  ask(kind: 'event-count', deviceId: string): Promise<number>;
  /** Stops the server; returns the warnings and errors it logged. */
  stop(): Promise<readonly string[]>;
}

export async function startServer(setup: ServerSetup): Promise<ServerHandle> {
  const child: ChildProcess = fork(fileURLToPath(import.meta.url), [SERVER_ROLE, JSON.stringify(setup)], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    // Not this process's flags: run under `node -e` or a test runner, they would make the child run that instead of this file.
    execArgv: [] });
  const pending = new Map<number, (reply: ServerReply) => void>();
  let nextId = 0;
  const ready = await new Promise<ServerReady>((resolve, reject) => {
    child.once('error', reject);
    child.once('exit', (code) => reject(new Error(`the bench server exited (${code}) before it was ready`)));
    child.on('message', (message: ServerReady | ServerReply) => {
      if (message.kind === 'ready') resolve(message);
      else pending.get(message.id)?.(message);
    });
  });
  child.removeAllListeners('exit');
  // A server that dies answers nothing more: fail what waits for it rather than hang.
  child.on('exit', () => {
    for (const [id, answer] of pending) answer({ kind: 'reply', id, value: null });
  });
  const send = (request: Omit<ServerRequest, 'id'> & { deviceId?: string }) => new Promise<ServerReply>((resolve) => {
    const id = ++nextId;
    pending.set(id, (reply) => {
      pending.delete(id);
      resolve(reply);
    });
    child.send({ ...request, id });
  });
  return {
    ready,
    ask: (async (kind: 'connections' | 'event-count', deviceId?: string) => {
      const reply = await send(kind === 'connections' ? { kind } : { kind, deviceId: deviceId! });
      if (reply.value === null) throw new Error(`the bench server could not answer "${kind}"`);
      return reply.value;
    }) as ServerHandle['ask'],
    async stop() {
      const exited = new Promise((resolve) => child.once('exit', resolve));
      const reply = await send({ kind: 'stop' });
      await exited;
      return reply.problems ?? [];
    },
  };
}
