import { hostname, userInfo } from 'node:os';
import si from 'systeminformation';
import type { z } from 'zod';
import type { Os } from '../../core/categories.ts';
import type { DeviceReportSchema } from '../../core/protocol/index.ts';

/** What a device reports about itself at enrollment and in heartbeats (the device API's report). */
export type DeviceFacts = Readonly<z.output<typeof DeviceReportSchema>>;

export type DeviceFactsSource = () => Promise<DeviceFacts>;

/** Serials some vendors ship instead of a real one: reporting them would merge unrelated laptops in the admin's view. */
const PLACEHOLDER_SERIALS = /^(|0+|none|default string|to be filled by o\.e\.m\.|system serial number|not specified|-)$/i;

function osOf(platform: string): Os {
  if (platform === 'win32' || platform === 'darwin' || platform === 'linux') return platform;
  throw new Error(`unsupported platform "${platform}"`);
}

/** Accounts a system service runs as: never a student, so never the login name to report. */
const SERVICE_ACCOUNTS = /^(root|system|localsystem|nt authority\\system|_lesmodus|lesmodus)$/i;

export interface FactsOptions {
  /** The student named with `--user`: what a service running as root reports. */
  readonly studentLogin?: string | null;
  /** Who is logged in at the console, for a service not told (defaults to systeminformation's users()). */
  readonly sessionUsers?: () => Promise<readonly string[]>;
  /** The account the agent runs as (defaults to os.userInfo()). */
  readonly ownUser?: () => string;
}

async function siSessionUsers(): Promise<readonly string[]> {
  return (await si.users()).map((u) => u.user);
}

/**
 * The login name the server assigns the laptop by: the student given with
 * `--user`; else the user the agent runs as; else, for an agent running as
 * a service (root, SYSTEM), the first non-service account logged in.
 */
export async function studentLoginName(options: FactsOptions = {}): Promise<string | null> {
  if (options.studentLogin) return options.studentLogin;
  let own: string | null = null;
  try {
    own = (options.ownUser ?? (() => userInfo().username))() || null;
  } catch {
    // No passwd entry (a container): fall through to the sessions.
  }
  if (own !== null && !SERVICE_ACCOUNTS.test(own)) return own;
  try {
    const sessions = await (options.sessionUsers ?? siSessionUsers)();
    // Windows reports DOMAIN\user; the roster knows the bare login.
    const student = sessions.map((u) => u.split('\\').pop()!.trim()).find((u) => u !== '' && !SERVICE_ACCOUNTS.test(u));
    if (student !== undefined) return student;
  } catch {
    // No session list: report the service account; the admin can assign the device by hand.
  }
  return own;
}

/** Facts from systeminformation and the OS; each missing one is null rather than fatal. */
export function systemFacts(agentVersion: string, options: FactsOptions = {}): DeviceFactsSource {
  return async () => {
    const [osInfo, system, loginName] = await Promise.all([si.osInfo(), si.system(), studentLoginName(options)]);
    const serial = (system.serial || osInfo.serial || '').trim();
    return {
      hostname: (osInfo.hostname || hostname()).slice(0, 200),
      serial: PLACEHOLDER_SERIALS.test(serial) ? null : serial.slice(0, 200),
      os: osOf(process.platform),
      agentVersion,
      loginName,
    };
  };
}
