import { readFileSync } from 'node:fs';

/**
 * The student the agent acts for. As that user it is itself; as a
 * privileged service it must be told which user (`--user`), because
 * stopping other users' processes is never its job, and the server assigns
 * the laptop to a student by the login name it reports.
 */
export interface StudentUser {
  /** Whose processes may be stopped ('any' on Windows, where the service checks by session instead). */
  readonly uid: number | 'any';
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
