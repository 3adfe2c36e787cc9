import type { EnrollmentSecret, EnrollmentSecretFile } from '../auth/enrollment-secrets.ts';
import { audit, type Actor, type Services } from './service.ts';

/**
 * Enrollment secrets (what MDM puts on every laptop so it can enroll): made
 * and revoked by an admin in the portal or on the command line. Both come
 * here, so each is audited once under the actor's name. The secret itself is
 * only in what `create` returns; the audit entry names its id, never it.
 */

export type EnrollmentSecrets = Pick<EnrollmentSecretFile, 'list' | 'create' | 'revoke' | 'match'>;

export async function createEnrollmentSecret(services: Services, secrets: EnrollmentSecrets, actor: Actor, schoolId: string, at: number): Promise<{ secret: string; record: EnrollmentSecret }> {
  const made = await secrets.create(schoolId, at);
  await audit(services, actor, at, {
    action: 'create-enrollment-secret', subject: { kind: 'enrollment-secret', id: made.record.id }, schoolId, detail: null,
  });
  return made;
}

/** Null when no secret has this id; `already`: it was revoked before (the first time is kept, nothing audited again). */
export async function revokeEnrollmentSecret(services: Services, secrets: EnrollmentSecrets, actor: Actor, id: string, at: number): Promise<{ record: EnrollmentSecret; already: boolean } | null> {
  const before = (await secrets.list()).find((s) => s.id === id || (id.length >= 8 && s.id.startsWith(id)));
  const record = await secrets.revoke(id, at);
  if (record === null) return null;
  const already = before?.revokedAt !== undefined;
  if (!already) {
    await audit(services, actor, at, {
      action: 'revoke-enrollment-secret', subject: { kind: 'enrollment-secret', id: record.id }, schoolId: record.schoolId,
      detail: 'it no longer enrolls laptops; enrolled laptops keep working',
    });
  }
  return { record, already };
}
