import type { NewUser, User } from '../store/index.ts';
import { audit, type Actor, type Services } from './service.ts';

/**
 * Accounts (teachers, leaders, admins): who may log in is the first thing an
 * accountability log must answer, so making one is audited with who made it,
 * from the portal, the API or `lesmodus server user add` alike.
 */

/** Creates the account ('conflict' from the store when the username or the teacher code at that school is taken). */
export async function createAccount(services: Services, actor: Actor, user: NewUser, at: number): Promise<User> {
  const created = await services.store.createUser(user, at);
  await audit(services, actor, at, {
    action: 'create-user', subject: { kind: 'user', id: created.username }, schoolId: created.schoolId,
    detail: created.teacherCode === null ? created.role : `${created.role} ${created.teacherCode}`,
  });
  return created;
}
