import { hostname, userInfo } from 'node:os';
import si from 'systeminformation';
import type { Os } from '../../core/categories.ts';

/** What a device reports about itself at enrollment (the server's DeviceReportSchema). */
export interface DeviceFacts {
  readonly hostname: string;
  readonly serial: string | null;
  readonly os: Os;
  readonly agentVersion: string;
  /** The logged-in user's login name; the server assigns the device to the student with that name. */
  readonly loginName: string | null;
}

export type DeviceFactsSource = () => Promise<DeviceFacts>;

/** Serials some vendors ship instead of a real one: reporting them would merge unrelated laptops in the admin's view. */
const PLACEHOLDER_SERIALS = /^(|0+|none|default string|to be filled by o\.e\.m\.|system serial number|not specified|-)$/i;

function osOf(platform: string): Os {
  if (platform === 'win32' || platform === 'darwin' || platform === 'linux') return platform;
  throw new Error(`unsupported platform "${platform}"`);
}

/** Facts from systeminformation and os.userInfo(); each missing one is null rather than fatal. */
export function systemFacts(agentVersion: string): DeviceFactsSource {
  return async () => {
    const [osInfo, system] = await Promise.all([si.osInfo(), si.system()]);
    const serial = (system.serial || osInfo.serial || '').trim();
    let loginName: string | null = null;
    try {
      loginName = userInfo().username || null;
    } catch {
      // No passwd entry (a container): the admin assigns the device by hand.
    }
    return {
      hostname: (osInfo.hostname || hostname()).slice(0, 200),
      serial: PLACEHOLDER_SERIALS.test(serial) ? null : serial.slice(0, 200),
      os: osOf(process.platform),
      agentVersion,
      loginName,
    };
  };
}
