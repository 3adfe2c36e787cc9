import { z } from 'zod';
import { schoolYearOf } from '../../../core/policy/consent.ts';
import { invalidRequest } from '../../http/http-error.ts';
import { CONSENT_GIVERS, ServerStoreError } from '../../store/index.ts';
import { ConsentRegister, SchoolYearLabel } from '../../store/inputs.ts';
import { SOCIAL_MEDIA_REGISTER } from '../consent.ts';
import { defineRoute, users, type AnyRoute } from '../route.ts';
import { oneSchool } from '../school-scope.ts';
import { Instant, Key } from '../schemas/common.ts';
import { servicesOf } from '../context.ts';
import * as consentService from '../../services/consents.ts';

/**
 * The consent register (art. III.B.9) for leaders and admins: list it,
 * record consents by hand (the CLI imports Magister's export), withdraw one.
 * Every look and change is in the audit log: who consented is personal data.
 */

const ConsentViewSchema = z.object({
  schoolId: z.string(),
  studentId: z.string(),
  register: z.string(),
  schoolYear: z.string(),
  givenBy: z.enum(CONSENT_GIVERS),
  registeredAt: Instant,
  source: z.string(),
});

const listConsents = defineRoute({
  method: 'GET',
  path: '/api/v1/consents',
  tag: 'roster',
  summary: "A school's registered consents (art. III.B.9), optionally of one school year, register or student. Recorded in the audit log.",
  access: users('admin', 'leader'),
  query: z.strictObject({ school: Key.optional(), schoolYear: SchoolYearLabel.optional(), register: ConsentRegister.optional(), student: Key.optional() }),
  reply: { kind: 'json', status: 200, schema: z.object({ consents: z.array(ConsentViewSchema) }), description: 'Consents by student, register, school year.' },
  async handle({ principal, query, scope }, api) {
    const school = await oneSchool(api, principal.user, query.school);
    const consents = await api.store.consents({
      schoolId: school.id,
      ...(query.schoolYear ? { schoolYear: query.schoolYear } : {}),
      ...(query.register ? { register: query.register } : {}),
      ...(query.student ? { studentId: query.student } : {}),
    });
    await api.store.recordAudit({ at: scope.now, username: principal.user.username, action: 'view-consents',
      subject: query.student ? { kind: 'student', id: query.student } : { kind: 'consents', id: school.id }, schoolId: school.id,
      detail: `${consents.length} consents${query.schoolYear ? ` ${query.schoolYear}` : ''}` });
    return { consents };
  },
});

const recordConsents = defineRoute({
  method: 'POST',
  path: '/api/v1/consents',
  tag: 'roster',
  summary: 'Records consents (art. III.B.9) by hand: idempotent per student, register and school year; all or nothing. Recorded in the audit log.',
  description: `The register defaults to "${SOCIAL_MEDIA_REGISTER}", the school year to the current one, registeredAt to now. `
    + 'With replace, the body is the whole register of its one register and school year: consents missing from it are withdrawn.',
  access: users('admin', 'leader'),
  body: z.strictObject({
    schoolId: Key.optional(),
    replace: z.boolean().default(false),
    consents: z.array(z.strictObject({
      studentId: Key,
      register: ConsentRegister.default(SOCIAL_MEDIA_REGISTER),
      schoolYear: SchoolYearLabel.optional(),
      givenBy: z.enum(CONSENT_GIVERS),
      registeredAt: Instant.optional(),
    })).max(10_000, 'at most 10,000 at once'),
  }),
  bodyLimit: 4 * 1024 * 1024,
  reply: {
    kind: 'json', status: 200, description: 'What changed.',
    schema: z.object({ added: z.number().int(), updated: z.number().int(), unchanged: z.number().int(), withdrawn: z.number().int() }),
  },
  async handle({ principal, body, scope }, api) {
    const school = await oneSchool(api, principal.user, body.schoolId, 'body.schoolId');
    const current = schoolYearOf(scope.now, school.timeZone).label;
    // Without registeredAt, a consent on record keeps its time (recording the same again changes nothing); a new one is registered now.
    const onRecord = new Map((await api.store.consents({ schoolId: school.id })).map((c) => [`${c.studentId} ${c.register} ${c.schoolYear}`, c.registeredAt]));
    const consents = body.consents.map((c) => {
      const schoolYear = c.schoolYear ?? current;
      return {
        studentId: c.studentId, register: c.register, schoolYear, givenBy: c.givenBy,
        registeredAt: c.registeredAt ?? onRecord.get(`${c.studentId} ${c.register} ${schoolYear}`) ?? scope.now, source: 'manual',
      };
    });
    if (consents.some((c) => c.registeredAt > scope.now)) throw invalidRequest([{ path: 'body.consents', message: 'registeredAt must not be in the future' }]);
    let replace: { register: string; schoolYear: string } | undefined;
    if (body.replace) {
      const kinds = new Set(consents.map((c) => `${c.register} ${c.schoolYear}`));
      if (kinds.size !== 1) throw invalidRequest([{ path: 'body.replace', message: 'replace needs consents of exactly one register and school year' }]);
      replace = { register: consents[0]!.register, schoolYear: consents[0]!.schoolYear };
    }
    try {
      return await consentService.recordConsents(servicesOf(api), principal.user, school, consents, replace, scope.now);
    } catch (error) {
      // An unknown student is a mistake in this body, not a missing URL.
      if (error instanceof ServerStoreError && error.code === 'not-found') throw invalidRequest([{ path: 'body.consents', message: error.message }]);
      throw error;
    }
  },
});

const withdrawConsent = defineRoute({
  method: 'POST',
  path: '/api/v1/consents/withdraw',
  tag: 'roster',
  summary: "Withdraws a student's consent (AVG); a connected laptop learns it at once, others at their next sync. Recorded in the audit log.",
  access: users('admin', 'leader'),
  body: z.strictObject({
    schoolId: Key.optional(),
    studentId: Key,
    register: ConsentRegister.default(SOCIAL_MEDIA_REGISTER),
    schoolYear: SchoolYearLabel.optional(),
  }),
  reply: { kind: 'json', status: 200, schema: z.object({ withdrawn: z.boolean() }), description: 'Whether there was one to withdraw.' },
  async handle({ principal, body, scope }, api) {
    const school = await oneSchool(api, principal.user, body.schoolId, 'body.schoolId');
    const schoolYear = body.schoolYear ?? schoolYearOf(scope.now, school.timeZone).label;
    return { withdrawn: await consentService.withdrawConsent(servicesOf(api), principal.user, school, { studentId: body.studentId, register: body.register, schoolYear }, scope.now) };
  },
});

export const consentRoutes: readonly AnyRoute[] = [listConsents, recordConsents, withdrawConsent];
