import { z } from 'zod';
import { notFound } from '../../http/http-error.ts';
import type { EnrollmentSecret } from '../../auth/enrollment-secrets.ts';
import { createEnrollmentSecret, revokeEnrollmentSecret } from '../../services/enrollment-secrets.ts';
import { servicesOf } from '../context.ts';
import { defineRoute, users, type AnyRoute } from '../route.ts';
import { oneSchool, schoolFilter } from '../school-scope.ts';
import { Instant, Key } from '../schemas/common.ts';

/**
 * Enrollment secrets in the admin page: listed without their value (the
 * server keeps only a hash), made (the value shown once, in the answer) and
 * revoked when one leaked. Admins only; each change audited.
 */

const SecretViewSchema = z.object({
  id: z.string(),
  schoolId: z.string().nullable(),
  createdAt: Instant,
  revokedAt: Instant.nullable(),
});

function secretView(record: EnrollmentSecret): z.infer<typeof SecretViewSchema> {
  // Field by field: the hash stays in the file.
  return { id: record.id, schoolId: record.schoolId, createdAt: record.createdAt, revokedAt: record.revokedAt ?? null };
}

const list = defineRoute({
  method: 'GET',
  path: '/api/v1/enrollment-secrets',
  tag: 'devices',
  summary: 'The enrollment secrets (never the secrets themselves): id, school, when made, when revoked. Newest first.',
  access: users('admin'),
  query: z.strictObject({ school: Key.optional() }),
  reply: { kind: 'json', status: 200, schema: z.object({ secrets: z.array(SecretViewSchema) }), description: 'Secrets.' },
  async handle({ principal, query }, api) {
    const school = schoolFilter(principal.user, query.school);
    const secrets = (await api.enrollment.list()).filter((s) => school === undefined || s.schoolId === school || s.schoolId === null);
    return { secrets: secrets.sort((a, b) => b.createdAt - a.createdAt).map(secretView) };
  },
});

const create = defineRoute({
  method: 'POST',
  path: '/api/v1/enrollment-secrets',
  tag: 'devices',
  summary: 'Makes an enrollment secret for a school. The answer holds the secret: the only time it is shown; the server keeps its hash. Audited.',
  access: users('admin'),
  body: z.strictObject({ schoolId: Key.optional() }),
  reply: { kind: 'json', status: 201, schema: SecretViewSchema.extend({ secret: z.string() }), description: 'The new secret, once.' },
  async handle({ principal, body, scope }, api) {
    const school = await oneSchool(api, principal.user, body.schoolId, 'body.schoolId');
    const { secret, record } = await createEnrollmentSecret(servicesOf(api), api.enrollment, principal.user, school.id, scope.now);
    return { ...secretView(record), secret };
  },
});

const revoke = defineRoute({
  method: 'POST',
  path: '/api/v1/enrollment-secrets/:id/revoke',
  tag: 'devices',
  summary: 'Revokes an enrollment secret (leaked): it no longer enrolls laptops; enrolled laptops keep working. Revoking again keeps the first time. Audited.',
  access: users('admin'),
  params: z.strictObject({ id: z.string().uuid() }),
  reply: { kind: 'json', status: 200, schema: SecretViewSchema, description: 'The secret, revoked.' },
  async handle({ principal, params, scope }, api) {
    const record = (await api.enrollment.list()).find((s) => s.id === params.id);
    // Another school's secret is "not found" to an admin of one school, like its laptops.
    if (record === undefined || (principal.user.schoolId !== null && record.schoolId !== principal.user.schoolId)) {
      throw notFound(`There is no enrollment secret "${params.id}" here.`);
    }
    const revoked = await revokeEnrollmentSecret(servicesOf(api), api.enrollment, principal.user, record.id, scope.now);
    return secretView(revoked!.record);
  },
});

export const enrollmentSecretRoutes: readonly AnyRoute[] = [list, create, revoke];
