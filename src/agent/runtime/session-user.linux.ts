import { execFile } from 'node:child_process';

/**
 * Who sits at the laptop now (Linux): the user of seat0's active session,
 * as systemd-logind knows it. That follows a user switch (fast user
 * switching, a log out and another log in), which the list of logged-in
 * users (utmp) does not: it names everyone with a session, in no useful order.
 */

/** `key=value` lines, as `loginctl show-* --property=…` prints them. */
export function parseProperties(text: string): Map<string, string> {
  const properties = new Map<string, string>();
  for (const line of text.split('\n')) {
    const equals = line.indexOf('=');
    if (equals > 0) properties.set(line.slice(0, equals).trim(), line.slice(equals + 1).trim());
  }
  return properties;
}

export interface ConsoleSession {
  readonly name: string;
  readonly uid: number;
}

/**
 * The console session from seat0 and that session's properties: a local
 * (not Remote), graphical or text login of a user (Class=user; not the
 * greeter, whose Class is greeter). Null when nobody is at the console.
 */
export function consoleSessionOf(seat: string, session: string): ConsoleSession | null {
  const active = parseProperties(seat).get('ActiveSession');
  if (!active) return null;
  const properties = parseProperties(session);
  if (properties.get('Id') !== active || properties.get('Remote') === 'yes' || properties.get('Class') !== 'user') return null;
  const name = properties.get('Name');
  const uid = Number(properties.get('User'));
  if (!name || !Number.isInteger(uid) || uid < 0) return null;
  return { name, uid };
}

export type Run = (command: string, args: readonly string[]) => Promise<string>;

/** loginctl must answer within this: it asks logind over D-Bus, which answers in milliseconds when it runs at all. */
const LOGINCTL_TIMEOUT_MS = 3_000;

const runCommand: Run = (command, args) => new Promise((resolve, reject) => {
  execFile(command, [...args], { timeout: LOGINCTL_TIMEOUT_MS, env: { PATH: '/usr/sbin:/usr/bin:/sbin:/bin', LC_ALL: 'C' } }, (error, stdout) => {
    if (error) reject(error);
    else resolve(stdout);
  });
});

/**
 * The user at the console now; null when nobody is. Rejects when logind
 * cannot be asked (no systemd): the caller then falls back to utmp.
 */
export async function consoleSession(run: Run = runCommand): Promise<ConsoleSession | null> {
  const seat = await run('loginctl', ['show-seat', 'seat0', '--property=ActiveSession']);
  const active = parseProperties(seat).get('ActiveSession');
  if (!active || !/^[\w-]+$/.test(active)) return null;
  const session = await run('loginctl', ['show-session', active, '--property=Id', '--property=Name', '--property=User', '--property=Remote', '--property=Class']);
  return consoleSessionOf(seat, session);
}
