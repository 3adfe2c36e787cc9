import { mkdtemp, rm } from 'node:fs/promises';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { schoolYearOf } from '../../src/core/policy/consent.ts';
import { addDays, instantToLocal, localToInstant } from '../../src/core/time/zoned.ts';
import type { Lesson } from '../../src/core/timetable/lesson.ts';
import { dataDirAt, ensureDataDir, type DataDir } from '../../src/server/app/data-dir.ts';
import { buildApi } from '../../src/server/app/server-app.ts';
import { createServerKeys } from '../../src/server/app/server-keys.ts';
import { EnrollmentSecretFile } from '../../src/server/auth/enrollment-secrets.ts';
import { FAST_SCRYPT_COST, hashPassword } from '../../src/server/auth/passwords.ts';
import { listen } from '../../src/server/http/listen.ts';
import { silentLogger } from '../../src/server/http/logger.ts';
import { openServerStore, type ServerStore } from '../../src/server/store/index.ts';
import { createSite } from '../../src/server/web/site.ts';

/**
 * The real server (API + web UI) on 127.0.0.1 port 0 and a temporary SQLite
 * folder, on the REAL clock: a real agent decides with its own clock, so the
 * school's one lesson is laid around the moment the test starts (from about
 * ten minutes ago to forty minutes from now) for one class with one student,
 * taught by the teacher `jansen` (JNS). A leader `dewit` and an enrollment
 * secret complete the school.
 */

const MINUTE = 60_000;
export const SCHOOL = { id: 'e2e-lyceum', name: 'E2E Lyceum', timeZone: 'Europe/Amsterdam' } as const;
export const PASSWORD = 'e2e-wachtwoord-123';
export const TEACHER = { username: 'jansen', name: 'Dhr. P. Jansen', code: 'JNS' } as const;
export const LEADER = { username: 'dewit', name: 'Mw. A. de Wit' } as const;
export const GROUP = 'h4a';

export interface LiveSchool {
  readonly url: string;
  readonly store: ServerStore;
  readonly publicKeyPem: string;
  readonly enrollmentSecret: string;
  /** The server's enrollment secrets, to revoke one or make another as IT would. */
  readonly enrollmentSecrets: EnrollmentSecretFile;
  readonly student: { readonly id: string; readonly name: string; readonly login: string };
  readonly lesson: Lesson;
  close(): Promise<void>;
}

/** A lesson in progress at `now`, on whole minutes and within the school's day (the portal lists one day). */
export function lessonAround(now: number, zone = SCHOOL.timeZone): Lesson {
  const today = instantToLocal(now, zone);
  const midnight = localToInstant({ year: today.year, month: today.month, day: today.day }, zone);
  const nextMidnight = localToInstant(addDays({ year: today.year, month: today.month, day: today.day }, 1), zone);
  const start = Math.max(Math.floor((now - 10 * MINUTE) / MINUTE) * MINUTE, midnight);
  const end = Math.min(Math.ceil((now + 40 * MINUTE) / MINUTE) * MINUTE, nextMidnight);
  return { uid: `e2e-les-${start}@lesmodus.test`, start, end, subject: 'wis', groups: [GROUP], teachers: [TEACHER.code], location: 'a012', cancelled: false, online: false };
}

export async function startLiveSchool(studentLogin: string): Promise<LiveSchool> {
  const root = await mkdtemp(join(tmpdir(), 'lesmodus-e2e-server-'));
  let store: ServerStore | undefined;
  try {
    const dir = dataDirAt(root);
    await ensureDataDir(dir);
    const { signer } = await createServerKeys(dir);
    store = await openServerStore({ dataDir: root });
    const { context, handler } = buildApi({
      store, signer, enrollmentSecretsPath: dir.enrollmentSecrets, logger: silentLogger, clock: Date.now,
      settings: { passwordCost: FAST_SCRYPT_COST }, site: createSite(),
    });
    const { student, lesson, enrollmentSecret: secret } = await seedLiveSchool(store, dir, studentLogin, Date.now());
    const listening = await listen(handler, { host: '127.0.0.1', port: 0 }, silentLogger);
    const opened = store;
    return {
      url: listening.url, store: opened, publicKeyPem: signer.publicKeyPem, enrollmentSecret: secret, student, lesson,
      enrollmentSecrets: new EnrollmentSecretFile(dir.enrollmentSecrets),
      async close() {
        await listening.close(() => context.hub.closeAll());
        await opened.close();
        await rm(root, { recursive: true, force: true });
      },
    };
  } catch (error) {
    await store?.close();
    await rm(root, { recursive: true, force: true });
    throw error;
  }
}

/**
 * The school of startLiveSchool in `store` and the data folder `dir`: its people, her consent and laptop rule,
 * the lesson around `now` and an enrollment secret. For a test that runs the server its own way (serve(), restarts).
 */
export async function seedLiveSchool(store: ServerStore, dir: DataDir, studentLogin: string, now: number): Promise<{ student: LiveSchool['student']; lesson: Lesson; enrollmentSecret: string }> {
  await store.putSchool({ ...SCHOOL }, now);
  const passwordHash = await hashPassword(PASSWORD, FAST_SCRYPT_COST);
  await store.createUser({ username: TEACHER.username, role: 'teacher', displayName: TEACHER.name, teacherCode: TEACHER.code, schoolId: SCHOOL.id, passwordHash }, now);
  await store.createUser({ username: LEADER.username, role: 'leader', displayName: LEADER.name, teacherCode: null, schoolId: SCHOOL.id, passwordHash }, now);
  const student = { id: '100231', name: 'Sanne de Vries', login: studentLogin };
  await store.putStudents(SCHOOL.id, [{ id: student.id, name: student.name, loginName: student.login }]);
  // Her parents consented to social media in lessons this school year (III.B.9): without it no exception would lift the block.
  await store.recordConsents(SCHOOL.id, [{
    studentId: student.id, register: 'social-media', schoolYear: schoolYearOf(now, SCHOOL.timeZone).label, givenBy: 'parent', registeredAt: now, source: 'test',
  }]);
  await store.replaceGroups(SCHOOL.id, [{ code: GROUP, name: GROUP.toUpperCase(), studentIds: [student.id] }]);
  // This computer is her laptop, as the school's MDM would say (a reported login name alone assigns nothing).
  await store.replaceDeviceRules(SCHOOL.id, [{ kind: 'hostname', value: hostname().split('.')[0]!, studentId: student.id }], now);
  const lesson = lessonAround(now);
  await store.replaceLessons(SCHOOL.id, { from: lesson.start - 24 * 60 * MINUTE, to: lesson.end + 24 * 60 * MINUTE }, [lesson]);
  const { secret } = await new EnrollmentSecretFile(dir.enrollmentSecrets).create(SCHOOL.id, now);
  return { student, lesson, enrollmentSecret: secret };
}
