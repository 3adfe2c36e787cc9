import { createHash, randomUUID } from 'node:crypto';
import { z } from 'zod';
import { DEVICE_PATHS, EnrollBody, EnrolledSchema } from '../../../core/protocol/index.ts';
import { issueDeviceCredential } from '../../auth/device-credentials.ts';
import { conflict, forbidden, HttpError, invalidRequest, notFound, unauthenticated } from '../../http/http-error.ts';
import { defineRoute, PUBLIC, users, type AnyRoute } from '../route.ts';
import { assertSameSchool, oneSchool, schoolFilter } from '../school-scope.ts';
import { IdParams, InstantParam, Key, PageQuery, pageOf } from '../schemas/common.ts';
import { AssignBody, DeviceHealthSchema, DeviceRulesBody, DeviceRulesViewSchema, DeviceViewSchema, NotEnforcingSchema, StoredEventSchema } from '../schemas/devices.ts';
import { deviceView } from '../views.ts';
import { servicesOf, type ApiContext } from '../context.ts';
import type { Device } from '../../store/index.ts';
import { assignDevice, replaceDeviceRules, restoreDevice, revokeDevice } from '../../services/devices.ts';

/** Enrolling devices, and the admin's and leader's views of them. */

/**
 * The device id for an enrollment key: a UUID (version 8, "custom") from its
 * SHA-256. Knowing a device's id (leaders and grants show it) does not give
 * the key, so nobody else can enroll as that laptop.
 */
export function deviceIdFromKey(key: string): string {
  const hex = createHash('sha256').update(`lesmodus.enrollment-key:${key}`).digest('hex');
  const variant = ((parseInt(hex[16]!, 16) & 0x3) | 0x8).toString(16);
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-8${hex.slice(13, 16)}-${variant}${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}

/** Failed enrollments count against the address like failed logins, under this pseudo-account. */
const ENROLL_GUARD_KEY = '(device enrollment)';

/** Without from/to the not-enforcing view covers the last week: what a leader reviews at a weekly meeting. */
const DEFAULT_REVIEW_MS = 7 * 24 * 3_600_000;

const enroll = defineRoute({
  method: 'POST',
  path: DEVICE_PATHS.enroll,
  tag: 'devices',
  summary: 'Enrolls a device with the enrollment secret from MDM; answers its own credential (shown once).',
  description: 'A device is assigned to a student by the school\'s device rules (its serial number or hostname, as the MDM or roster says; '
    + 'PUT /api/v1/schools/{id}/device-rules), or by an admin; never by the login name it reports. '
    + 'Each secret enrolls a limited number of new devices per hour (429 with Retry-After beyond it); '
    + 'a laptop that was revoked does not enroll again, also not under a new key (403).',
  access: PUBLIC,
  body: EnrollBody,
  reply: { kind: 'json', status: 201, schema: EnrolledSchema, description: 'The device id and credential.' },
  async handle({ body, scope }, api) {
    const waitFor = (ms: number, message: string) => new HttpError(429, 'too-many-requests', message, { headers: { 'retry-after': String(Math.ceil(ms / 1000)) } });
    const secret = await api.enrollment.match(body.enrollmentSecret);
    if (secret === null) {
      // Like a login from a school's NAT address: a right secret always enrolls; wrong ones are slowed down (429) once too many came from here.
      const clientWait = await api.loginGuard.clientRetryAfter(scope.address, scope.now);
      await api.loginGuard.failed(ENROLL_GUARD_KEY, scope.address, scope.now);
      throw clientWait > 0 ? waitFor(clientWait, 'Too many failed enrollments from this address; try later.') : unauthenticated('The enrollment secret is not valid; check the MDM configuration.');
    }
    const { enrollmentSecret: _secret, enrollmentKey, ...report } = body;
    const schools = secret.schoolId === null ? await api.store.schools() : [];
    const schoolId = secret.schoolId ?? (schools.length === 1 ? schools[0]!.id : null);
    const id = enrollmentKey === undefined ? randomUUID() : deviceIdFromKey(enrollmentKey);
    const { credential, credentialHash } = issueDeviceCredential(id);
    const known = enrollmentKey === undefined ? null : await api.store.device(id);
    if (known !== null && secret.schoolId !== null && known.schoolId !== null && known.schoolId !== secret.schoolId) {
      throw conflict('This laptop is enrolled at another school; ask that school\'s administrator to release it.');
    }
    if (known?.revokedAt != null) {
      throw forbidden(`This laptop was revoked by the school on ${new Date(known.revokedAt).toISOString()} (lost or stolen) and cannot enroll again; `
        + 'an administrator must restore it first.');
    }
    if (known !== null) return enrolled(api, (await api.store.renewDeviceCredential(id, credentialHash, report, scope.now))!, credential);
    // A laptop enrolling again under its own key is not new; every other enrollment counts against the secret.
    const secretWait = await api.enrollments.retryAfter(secret.id, scope.now);
    if (secretWait > 0) {
      scope.log.warn('enrollment secret over its hourly limit', { secretId: secret.id, address: scope.address });
      throw waitFor(secretWait, 'This enrollment secret enrolled as many new laptops as it may this hour; the laptop tries again later by itself.');
    }
    const device = await api.store.enrollDevice({ ...report, id, credentialHash, schoolId }, scope.now);
    await api.enrollments.fail(secret.id, scope.now);
    return enrolled(api, device, credential);
  },
});

function enrolled(api: ApiContext, device: Device, credential: string) {
  return { deviceId: device.id, credential, schoolId: device.schoolId, studentId: device.studentId, keyId: api.signer.keyId };
}

const list = defineRoute({
  method: 'GET',
  path: '/api/v1/devices',
  tag: 'devices',
  summary: 'Device health: every device with its student, agent version and when it was last seen, least recently seen first.',
  access: users('admin', 'leader'),
  query: z.strictObject({ school: Key.optional() }),
  reply: { kind: 'json', status: 200, schema: z.object({ devices: z.array(DeviceHealthSchema) }), description: 'Devices.' },
  async handle({ principal, query, scope }, api) {
    const school = schoolFilter(principal.user, query.school) ?? null;
    const devices = await api.store.deviceHealth(school);
    if (principal.user.role === 'leader') {
      await api.store.recordAudit({ at: scope.now, username: principal.user.username, action: 'view-device-health',
        subject: { kind: 'school', id: school ?? 'all' }, schoolId: school, detail: `${devices.length} devices` });
    }
    return { devices };
  },
});

const notEnforcing = defineRoute({
  method: 'GET',
  path: '/api/v1/devices/not-enforcing',
  tag: 'devices',
  summary: 'Devices expected in a lesson that were silent during part of it or reported tampering (lessons that ended; default: the last 7 days). Audited.',
  description: 'A laptop is expected only from when it was enrolled and assigned to its student: earlier lessons, and the earlier part of a lesson, are not its silence. '
    + '`silent` says whether it was silent for longer than the heartbeat gap (a lesson may be listed for tampering alone).',
  access: users('leader'),
  query: z.strictObject({ school: Key.optional(), from: InstantParam.optional(), to: InstantParam.optional() }),
  reply: { kind: 'json', status: 200, schema: z.object({ devices: z.array(NotEnforcingSchema) }), description: 'Devices per lesson.' },
  async handle({ principal, query, scope }, api) {
    const school = await oneSchool(api, principal.user, query.school);
    const to = query.to ?? scope.now;
    const retained = api.settings.eventRetentionDays;
    // Contact times older than the retention are gone: lessons before it would all show every laptop as silent.
    const earliest = retained === null ? Number.NEGATIVE_INFINITY : scope.now - retained * 86_400_000;
    const from = Math.max(query.from ?? to - DEFAULT_REVIEW_MS, earliest);
    if (to <= from) throw invalidRequest([{ path: 'query.to', message: retained === null ? 'must be after from' : `must be after from, and contact times are kept ${retained} days` }]);
    // A lesson still under way is judged when it has ended: its remaining minutes are not silence yet.
    const devices = (await api.store.devicesNotEnforcing(school.id, { from, to })).filter((d) => d.lesson.end <= scope.now);
    await api.store.recordAudit({ at: scope.now, username: principal.user.username, action: 'view-not-enforcing',
      subject: { kind: 'school', id: school.id }, schoolId: school.id, detail: `${new Date(from).toISOString()}/${new Date(to).toISOString()}` });
    return { devices: [...devices] };
  },
});

const events = defineRoute({
  method: 'GET',
  path: '/api/v1/devices/:id/events',
  tag: 'devices',
  summary: "One device's events (blocks, exceptions, tampering), newest first. Per-student detail: recorded in the audit log.",
  access: users('leader'),
  params: IdParams,
  query: z.strictObject({ from: InstantParam.optional(), to: InstantParam.optional(), ...PageQuery }),
  reply: { kind: 'json', status: 200, schema: z.object({ rows: z.array(StoredEventSchema), total: z.number().int() }), description: 'One page.' },
  async handle({ principal, params, query, scope }, api) {
    const device = await api.store.device(params.id);
    if (device === null) throw notFound(`There is no device "${params.id}".`);
    assertSameSchool(principal.user, device.schoolId, `device "${params.id}"`);
    const to = query.to ?? scope.now + 1;
    const from = query.from ?? to - DEFAULT_REVIEW_MS;
    if (to <= from) throw invalidRequest([{ path: 'query.to', message: 'must be after from' }]);
    await api.store.recordAudit({ at: scope.now, username: principal.user.username, action: 'view-device-events',
      subject: device.studentId === null ? { kind: 'device', id: device.id } : { kind: 'student', id: device.studentId },
      schoolId: device.schoolId, detail: `device ${device.id}` });
    const page = await api.store.deviceEvents(device.id, { from, to }, pageOf(query));
    return { rows: [...page.rows], total: page.total };
  },
});

const assign = defineRoute({
  method: 'POST',
  path: '/api/v1/devices/:id/assign',
  tag: 'devices',
  summary: 'Assigns a device to a student (or unassigns it with student: null).',
  access: users('admin'),
  params: IdParams,
  body: AssignBody,
  reply: { kind: 'json', status: 200, schema: DeviceViewSchema, description: 'The device.' },
  async handle({ principal, params, body, scope }, api) {
    if (body.student !== null) assertSameSchool(principal.user, body.student.schoolId, `school "${body.student.schoolId}"`);
    const device = await assignDevice(servicesOf(api), principal.user, params.id, body.student, scope.now);
    if (device === null) throw notFound(`There is no device "${params.id}".`);
    return deviceView(device);
  },
});

/**
 * Revoking is open to the school's leaders as well as admins: it only takes
 * access away, and a leader who hears of a stolen laptop at 08:15 should not
 * have to wait for IT. Restoring trusts a laptop again, so it is for admins,
 * after they have the laptop back.
 */
const revoke = defineRoute({
  method: 'POST',
  path: '/api/v1/devices/:id/revoke',
  tag: 'devices',
  summary: 'Revokes a device (lost or stolen laptop): its credential is refused at once (401), its live stream is closed, and it cannot '
    + 'enroll again with its enrollment key until an admin restores it. Revoking twice keeps the first revocation. Audited.',
  description: 'Admins, and leaders for devices of their own school. Its events and exceptions stay in the logs.',
  access: users('admin', 'leader'),
  params: IdParams,
  reply: { kind: 'json', status: 200, schema: DeviceViewSchema, description: 'The device, revoked.' },
  async handle({ principal, params, scope }, api) {
    const device = await api.store.device(params.id);
    if (device === null) throw notFound(`There is no device "${params.id}".`);
    assertSameSchool(principal.user, device.schoolId, `device "${params.id}"`);
    return deviceView((await revokeDevice(servicesOf(api), principal.user, device, scope.now)).device);
  },
});

const restore = defineRoute({
  method: 'POST',
  path: '/api/v1/devices/:id/restore',
  tag: 'devices',
  summary: 'Lifts a revocation: the device may enroll again with its enrollment key (and its old credential works again). Audited.',
  access: users('admin'),
  params: IdParams,
  reply: { kind: 'json', status: 200, schema: DeviceViewSchema, description: 'The device, no longer revoked.' },
  async handle({ principal, params, scope }, api) {
    const device = await api.store.device(params.id);
    if (device === null) throw notFound(`There is no device "${params.id}".`);
    assertSameSchool(principal.user, device.schoolId, `device "${params.id}"`);
    return deviceView((await restoreDevice(servicesOf(api), principal.user, device, scope.now)).device);
  },
});

const getRules = defineRoute({
  method: 'GET',
  path: '/api/v1/schools/:id/device-rules',
  tag: 'devices',
  summary: "The school's device rules: which serial numbers and hostnames are whose laptop, and hostname patterns that name the student.",
  access: users('admin'),
  params: IdParams,
  reply: { kind: 'json', status: 200, schema: DeviceRulesViewSchema, description: 'The rules.' },
  async handle({ principal, params }, api) {
    assertSameSchool(principal.user, params.id, `school "${params.id}"`);
    const rules = await api.store.deviceRules(params.id);
    return { rules: rules.map((r) => ({ kind: r.kind, value: r.value, studentId: r.studentId, recordedAt: new Date(r.recordedAt).toISOString() })) };
  },
});

const putRules = defineRoute({
  method: 'PUT',
  path: '/api/v1/schools/:id/device-rules',
  tag: 'devices',
  summary: "Replaces the school's device rules (e.g. from the MDM's device export): the only ground, besides an admin, for assigning a laptop to a student. Audited.",
  description: 'A laptop is assigned by its serial number, else its hostname (first label, any case), else the first hostname pattern that names '
    + 'a student ({login}: their login name, {student}: their number). Not when another laptop of the school holds that serial or hostname '
    + 'for a student already, nor when the student\'s laptop was revoked after the rule was recorded. Unassigned laptops are matched at their next heartbeat.',
  access: users('admin'),
  params: IdParams,
  body: DeviceRulesBody,
  reply: { kind: 'json', status: 200, schema: z.object({ rules: z.number().int() }), description: 'How many rules the school has now.' },
  async handle({ principal, params, body, scope }, api) {
    assertSameSchool(principal.user, params.id, `school "${params.id}"`);
    return replaceDeviceRules(servicesOf(api), principal.user, params.id, body.rules, scope.now);
  },
});

export const deviceAdminRoutes: readonly AnyRoute[] = [enroll, list, notEnforcing, events, assign, revoke, restore, getRules, putRules];
