import { readFileSync } from 'node:fs';
import type { UidRange } from '../processes/types.ts';

/**
 * The student the agent acts for. As that user it is itself; as a
 * privileged service it must be told which user (`--user`), because
 * stopping other users' processes is never its job, and the server assigns
 * the laptop to a student by the login name it reports.
 */
export interface StudentUser {
  /**
   * Whose processes may be stopped ('any' on Windows, where the service checks
   * by session instead); null when no student is known (a service started
   * without --user while nobody is logged in): then it stops nothing, and says so.
   */
  readonly uid: number | 'any' | null;
  /**
   * The student's subordinate uids (/etc/subuid): with a user namespace the
   * student can run programs as these ids, so they are the student's too.
   */
  readonly subordinateUids?: readonly UidRange[];
  /** The login name from `--user`; null when not given (device facts then ask the OS who is logged in). */
  readonly loginName: string | null;
}

type Passwd = () => string;
const systemPasswd: Passwd = () => readFileSync('/etc/passwd', 'utf8');

function passwdEntries(passwd: Passwd): { name: string; uid: number }[] {
  const entries: { name: string; uid: number }[] = [];
  for (const line of passwd().split('\n')) {
    const [name, , uid] = line.split(':');
    if (name && uid !== undefined && /^\d+$/.test(uid)) entries.push({ name, uid: Number(uid) });
  }
  return entries;
}

export function resolveStudentUser(user: string | undefined, passwd: Passwd = systemPasswd): StudentUser {
  if (process.platform === 'win32') return { uid: 'any', loginName: user ?? null };
  if (user === undefined) return { uid: process.getuid?.() ?? 'any', loginName: null };
  if (/^\d+$/.test(user)) {
    const uid = Number(user);
    return { uid, loginName: passwdEntries(passwd).find((e) => e.uid === uid)?.name ?? null };
  }
  const entry = passwdEntries(passwd).find((e) => e.name === user);
  if (entry === undefined) throw new Error(`no user '${user}' on this machine (give a user name from /etc/passwd or a numeric uid)`);
  return { uid: entry.uid, loginName: entry.name };
}

/**
 * The ranges /etc/subuid gives a user, by name or by uid ("sanne:100000:65536"
 * or "1001:100000:65536"); lines that are not that shape are skipped.
 */
export function subordinateUidsOf(user: { uid: number; loginName: string | null }, subuid: string): UidRange[] {
  const ranges: UidRange[] = [];
  for (const line of subuid.split('\n')) {
    const [who, start, count] = line.trim().split(':');
    if (who === undefined || !/^\d+$/.test(start ?? '') || !/^\d+$/.test(count ?? '')) continue;
    if (who === user.loginName || who === String(user.uid)) ranges.push({ start: Number(start), count: Number(count) });
  }
  return ranges;
}

/** The student's ranges from this machine's /etc/subuid (none when it has no such file). */
export function systemSubordinateUids(user: StudentUser, path = '/etc/subuid'): UidRange[] {
  if (user.uid === 'any' || user.uid === null) return [];
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch {
    return [];
  }
  let loginName = user.loginName;
  if (loginName === null) loginName = passwdEntries(systemPasswd).find((e) => e.uid === user.uid)?.name ?? null;
  return subordinateUidsOf({ uid: user.uid, loginName }, text);
}

/**
 * Whom a service running as root acts for when it was not told (--user): the
 * user logged in at the console. Without this it would guard root's own
 * processes and stop nothing of the student's while claiming to. Nobody (or
 * only root) logged in: no student, and the guard stops nothing until one is.
 */
export async function studentForService(student: StudentUser, sessionLogin: () => Promise<string | null>, passwd: Passwd = systemPasswd): Promise<StudentUser> {
  if (process.platform === 'win32' || student.uid !== 0 || student.loginName !== null) return student;
  const login = await sessionLogin().catch(() => null);
  if (login === null || login === 'root') return { uid: null, loginName: null };
  try {
    return resolveStudentUser(login, passwd);
  } catch {
    return { uid: null, loginName: login };
  }
}
