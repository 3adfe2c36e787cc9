import type { SqlDriver } from './driver.ts';
import { ServerStoreError } from './errors.ts';
import * as audit from './queries/audit-log.ts';
import * as consentRegister from './queries/consents.ts';
import * as devices from './queries/devices.ts';
import * as deviceRules from './queries/device-rules.ts';
import * as events from './queries/events.ts';
import * as log from './queries/exception-log.ts';
import { grantRecord } from './queries/grant-records.ts';
import * as grants from './queries/grants.ts';
import * as lessons from './queries/lessons.ts';
import { devicesNotEnforcing } from './queries/not-enforcing.ts';
import * as people from './queries/people.ts';
import * as rateLimits from './queries/rate-limits.ts';
import * as retention from './queries/retention.ts';
import * as roster from './queries/roster.ts';
import type { ServerStore } from './server-store.ts';

/**
 * How long a device may be silent and still count as in contact: the agent
 * sends a heartbeat every minute, so five minutes rides out a few lost ones
 * (a busy school Wi-Fi) without calling a device "not enforcing".
 */
export const DEFAULT_CONTACT_GAP_MS = 5 * 60_000;

export interface StoreTuning {
  readonly contactGapMs: number;
}

/**
 * The ServerStore over a SqlDriver: every method is one shared query module,
 * so the SQLite and PostgreSQL stores cannot drift apart in behaviour. The
 * two subclasses only open their database and migrate it.
 */
export class SqlServerStore implements ServerStore {
  readonly dialect: 'sqlite' | 'postgres';
  readonly schemaVersion: number;
  /** For the benchmark's bulk loader and the tests' schema checks; not part of ServerStore. */
  readonly driver: SqlDriver;
  readonly #contactGapMs: number;
  #closed = false;

  constructor(driver: SqlDriver, schemaVersion: number, tuning: StoreTuning) {
    this.driver = driver;
    this.dialect = driver.dialect;
    this.schemaVersion = schemaVersion;
    this.#contactGapMs = tuning.contactGapMs;
  }

  /** The driver, unless the store was closed: a call after close() says so instead of a driver error. */
  #db(method: string): SqlDriver {
    if (this.#closed) throw new ServerStoreError('closed', `${method}: the server store (${this.driver.location}) is closed.`);
    return this.driver;
  }

  putSchool: ServerStore['putSchool'] = async (school, at) => people.putSchool(this.#db('putSchool'), school, at);
  school: ServerStore['school'] = async (id) => people.school(this.#db('school'), id);
  schools: ServerStore['schools'] = async () => people.schools(this.#db('schools'));

  createUser: ServerStore['createUser'] = async (user, at) => people.createUser(this.#db('createUser'), user, at);
  user: ServerStore['user'] = async (username) => people.user(this.#db('user'), username);
  users: ServerStore['users'] = async (filter) => people.users(this.#db('users'), filter);
  setPasswordHash: ServerStore['setPasswordHash'] = async (username, hash) => people.setPasswordHash(this.#db('setPasswordHash'), username, hash);
  createSession: ServerStore['createSession'] = async (session) => people.createSession(this.#db('createSession'), session);
  session: ServerStore['session'] = async (tokenHash, at) => people.session(this.#db('session'), tokenHash, at);
  deleteSession: ServerStore['deleteSession'] = async (tokenHash) => people.deleteSession(this.#db('deleteSession'), tokenHash);
  deleteExpiredSessions: ServerStore['deleteExpiredSessions'] = async (at) => people.deleteExpiredSessions(this.#db('deleteExpiredSessions'), at);

  putStudents: ServerStore['putStudents'] = async (schoolId, students) => roster.putStudents(this.#db('putStudents'), schoolId, students);
  replaceGroups: ServerStore['replaceGroups'] = async (schoolId, groups) => roster.replaceGroups(this.#db('replaceGroups'), schoolId, groups);
  groups: ServerStore['groups'] = async (schoolId) => roster.groups(this.#db('groups'), schoolId);
  studentsInGroup: ServerStore['studentsInGroup'] = async (schoolId, code) => roster.studentsInGroup(this.#db('studentsInGroup'), schoolId, code);
  groupsOfStudent: ServerStore['groupsOfStudent'] = async (schoolId, id) => roster.groupsOfStudent(this.#db('groupsOfStudent'), schoolId, id);
  student: ServerStore['student'] = async (schoolId, id) => roster.student(this.#db('student'), schoolId, id);
  studentByLoginName: ServerStore['studentByLoginName'] = async (schoolId, loginName) =>
    roster.studentByLoginName(this.#db('studentByLoginName'), schoolId, loginName);

  replaceLessons: ServerStore['replaceLessons'] = async (schoolId, range, list) => lessons.replaceLessons(this.#db('replaceLessons'), schoolId, range, list);
  lessons: ServerStore['lessons'] = async (schoolId, query) => lessons.lessons(this.#db('lessons'), schoolId, query);
  lesson: ServerStore['lesson'] = async (schoolId, uid, start) => lessons.lesson(this.#db('lesson'), schoolId, uid, start);
  lessonsOfStudent: ServerStore['lessonsOfStudent'] = async (schoolId, studentId, range) =>
    lessons.lessonsOfStudent(this.#db('lessonsOfStudent'), schoolId, studentId, range);

  enrollDevice: ServerStore['enrollDevice'] = async (device, at) => devices.enrollDevice(this.#db('enrollDevice'), device, at);
  device: ServerStore['device'] = async (id) => devices.deviceIn(this.#db('device'), id);
  renewDeviceCredential: ServerStore['renewDeviceCredential'] = async (id, hash, report, at) =>
    devices.renewDeviceCredential(this.#db('renewDeviceCredential'), id, hash, report, at);
  revokeDevice: ServerStore['revokeDevice'] = async (id, revocation) => devices.revokeDevice(this.#db('revokeDevice'), id, revocation);
  restoreDevice: ServerStore['restoreDevice'] = async (id) => devices.restoreDevice(this.#db('restoreDevice'), id);
  replaceDeviceRules: ServerStore['replaceDeviceRules'] = async (schoolId, rules, at) =>
    deviceRules.replaceDeviceRules(this.#db('replaceDeviceRules'), schoolId, rules, at);
  deviceRules: ServerStore['deviceRules'] = async (schoolId) => deviceRules.deviceRules(this.#db('deviceRules'), schoolId);
  updateDeviceReport: ServerStore['updateDeviceReport'] = async (id, report, at) => devices.updateDeviceReport(this.#db('updateDeviceReport'), id, report, at);
  assignDevice: ServerStore['assignDevice'] = async (id, student, at) => devices.assignDevice(this.#db('assignDevice'), id, student, at);
  recordDeviceContact: ServerStore['recordDeviceContact'] = async (id, at) =>
    devices.recordDeviceContact(this.#db('recordDeviceContact'), id, at, this.#contactGapMs);
  deviceHealth: ServerStore['deviceHealth'] = async (schoolId) => devices.deviceHealth(this.#db('deviceHealth'), schoolId);
  devicesNotEnforcing: ServerStore['devicesNotEnforcing'] = async (schoolId, range) =>
    devicesNotEnforcing(this.#db('devicesNotEnforcing'), schoolId, range, this.#contactGapMs);

  createGrant: ServerStore['createGrant'] = async (record, at, idempotency) => grants.createGrant(this.#db('createGrant'), record, at, idempotency);
  grantByIdempotencyKey: ServerStore['grantByIdempotencyKey'] = async (username, key, at) =>
    grants.grantByIdempotencyKey(this.#db('grantByIdempotencyKey'), username, key, at);
  grant: ServerStore['grant'] = async (id) => grantRecord(this.#db('grant'), id);
  revokeGrant: ServerStore['revokeGrant'] = async (id, revocation) => grants.revokeGrant(this.#db('revokeGrant'), id, revocation);
  acknowledgeFromEvents: ServerStore['acknowledgeFromEvents'] = async (grantId, deviceId) =>
    grants.acknowledgeFromEvents(this.#db('acknowledgeFromEvents'), grantId, deviceId);
  grantsForDevice: ServerStore['grantsForDevice'] = async (deviceId, at) => grants.grantsForDevice(this.#db('grantsForDevice'), deviceId, at);

  ingestEvents: ServerStore['ingestEvents'] = async (deviceId, batch, receivedAt) => events.ingestEvents(this.#db('ingestEvents'), deviceId, batch, receivedAt);
  deviceEvents: ServerStore['deviceEvents'] = async (deviceId, range, page) => events.deviceEvents(this.#db('deviceEvents'), deviceId, range, page);

  exceptionLog: ServerStore['exceptionLog'] = async (filter, page) => log.exceptionLog(this.#db('exceptionLog'), filter, page);
  exportExceptionLog: ServerStore['exportExceptionLog'] = (filter) => log.exportExceptionLog(this.#db('exportExceptionLog'), filter);
  exceptionsPerWeek: ServerStore['exceptionsPerWeek'] = async (filter) => log.exceptionsPerWeek(this.#db('exceptionsPerWeek'), filter);
  exceptionDetail: ServerStore['exceptionDetail'] = async (grantId, at) => log.exceptionDetail(this.#db('exceptionDetail'), grantId, at);

  recordAudit: ServerStore['recordAudit'] = async (entry) => audit.recordAudit(this.#db('recordAudit'), entry);
  auditLog: ServerStore['auditLog'] = async (query, page) => audit.auditLog(this.#db('auditLog'), query, page);

  recordConsents: ServerStore['recordConsents'] = async (schoolId, list, options) =>
    consentRegister.recordConsents(this.#db('recordConsents'), schoolId, list, options);
  withdrawConsent: ServerStore['withdrawConsent'] = async (schoolId, key) => consentRegister.withdrawConsent(this.#db('withdrawConsent'), schoolId, key);
  consents: ServerStore['consents'] = async (query) => consentRegister.consents(this.#db('consents'), query);
  studentsWithoutConsent: ServerStore['studentsWithoutConsent'] = async (schoolId, ids, register, year) =>
    consentRegister.studentsWithoutConsent(this.#db('studentsWithoutConsent'), schoolId, ids, register, year);

  pruneExpired: ServerStore['pruneExpired'] = async (policy, now) => retention.pruneExpired(this.#db('pruneExpired'), policy, now);
  countExpired: ServerStore['countExpired'] = async (policy, now) => retention.countExpired(this.#db('countExpired'), policy, now);

  rateLimitHits: ServerStore['rateLimitHits'] = async (limiter, key, since, max) =>
    rateLimits.rateLimitHits(this.#db('rateLimitHits'), limiter, key, since, max);
  recordRateLimitHit: ServerStore['recordRateLimitHit'] = async (limiter, key, at) =>
    rateLimits.recordRateLimitHit(this.#db('recordRateLimitHit'), limiter, key, at);
  clearRateLimitHits: ServerStore['clearRateLimitHits'] = async (limiter, key) => rateLimits.clearRateLimitHits(this.#db('clearRateLimitHits'), limiter, key);
  pruneRateLimitHits: ServerStore['pruneRateLimitHits'] = async (before) => rateLimits.pruneRateLimitHits(this.#db('pruneRateLimitHits'), before);

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await this.driver.close();
  }
}
