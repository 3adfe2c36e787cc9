import { readFileSync } from 'node:fs';

/**
 * The uid whose processes the agent may stop. The agent acts for the
 * logged-in student: as that user it is its own uid; as a privileged
 * service it must be told which user (`--user`), because stopping other
 * users' processes is never its job.
 */
export function resolveStudentUid(user: string | undefined, passwd = () => readFileSync('/etc/passwd', 'utf8')): number | 'any' {
  if (process.platform === 'win32') return 'any'; // no uids: ownership is checked by session in the Windows service
  if (user === undefined) return process.getuid?.() ?? 'any';
  if (/^\d+$/.test(user)) return Number(user);
  for (const line of passwd().split('\n')) {
    const [name, , uid] = line.split(':');
    if (name === user && uid !== undefined && /^\d+$/.test(uid)) return Number(uid);
  }
  throw new Error(`no user '${user}' on this machine (give a user name from /etc/passwd or a numeric uid)`);
}
