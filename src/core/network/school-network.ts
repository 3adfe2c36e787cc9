import { z } from 'zod';

/**
 * "At school" (art. III.A.2) as the laptop can tell it: an address in one of
 * the school's ranges, the school's gateway, or the school's Wi-Fi. Any one
 * is enough, because a school often has one of them wrong or shared (guest
 * Wi-Fi, a VPN that hands out school addresses at home is the exception IT
 * should leave out of `cidrs`).
 */
export const SchoolNetworkConfigSchema = z.object({
  cidrs: z.array(z.string().refine((c) => parseCidr(c) !== undefined, { message: 'use a CIDR range such as 10.20.0.0/16 or fd00:5::/48' })).default([]),
  gateways: z.array(z.string().refine((ip) => parseIp(ip) !== undefined, { message: 'use an IPv4 or IPv6 address' })).default([]),
  ssids: z.array(z.string().min(1).max(32)).default([]),
});
export type SchoolNetworkConfig = z.infer<typeof SchoolNetworkConfigSchema>;

export interface NetworkFacts {
  readonly addresses: readonly string[];
  readonly gateways: readonly string[];
  readonly ssids: readonly string[];
}

export type SchoolNetworkMatch = { readonly onSchoolNetwork: boolean; readonly by: 'address' | 'gateway' | 'ssid' | null };

/** An address as a big integer plus its family, or undefined when it is not one. */
export function parseIp(text: string): { family: 4 | 6; value: bigint } | undefined {
  const ip = text.trim().replace(/%.*$/, ''); // drop an IPv6 zone id such as fe80::1%eth0
  const v4 = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(ip);
  if (v4) {
    const parts = v4.slice(1).map(Number);
    if (parts.some((p) => p > 255)) return undefined;
    return { family: 4, value: parts.reduce((acc, p) => (acc << 8n) | BigInt(p), 0n) };
  }
  if (!ip.includes(':') || !/^[0-9a-fA-F:.]+$/.test(ip)) return undefined;
  // An embedded IPv4 tail (::ffff:10.0.0.1) becomes its two hex groups.
  let text6 = ip;
  const tail = /:(\d{1,3}(?:\.\d{1,3}){3})$/.exec(ip);
  if (tail) {
    const v4tail = parseIp(tail[1]!);
    if (!v4tail) return undefined;
    text6 = `${ip.slice(0, tail.index)}:${(v4tail.value >> 16n).toString(16)}:${(v4tail.value & 0xffffn).toString(16)}`;
  }
  const halves = text6.split('::');
  if (halves.length > 2) return undefined;
  const left = halves[0] ? halves[0].split(':') : [];
  const right = halves.length === 2 && halves[1] ? halves[1].split(':') : [];
  const missing = 8 - left.length - right.length;
  if (halves.length === 2 && missing < 1) return undefined;
  const all = halves.length === 2 ? [...left, ...Array<string>(missing).fill('0'), ...right] : left;
  if (all.length !== 8 || all.some((g) => !/^[0-9a-fA-F]{1,4}$/.test(g))) return undefined;
  return { family: 6, value: all.reduce((acc, g) => (acc << 16n) | BigInt(parseInt(g, 16)), 0n) };
}

export function parseCidr(text: string): { family: 4 | 6; network: bigint; bits: number } | undefined {
  const [address, prefix, ...rest] = text.trim().split('/');
  if (!address || prefix === undefined || rest.length || !/^\d{1,3}$/.test(prefix)) return undefined;
  const ip = parseIp(address);
  const bits = Number(prefix);
  if (!ip || bits > (ip.family === 4 ? 32 : 128)) return undefined;
  return { family: ip.family, network: ip.value, bits };
}

export function inCidr(address: string, cidr: string): boolean {
  const ip = parseIp(address);
  const range = parseCidr(cidr);
  if (!ip || !range || ip.family !== range.family) return false;
  const width = BigInt(ip.family === 4 ? 32 : 128);
  const shift = width - BigInt(range.bits);
  return ip.value >> shift === range.network >> shift;
}

function sameIp(a: string, b: string): boolean {
  const x = parseIp(a);
  const y = parseIp(b);
  return x !== undefined && y !== undefined && x.family === y.family && x.value === y.value;
}

export function matchSchoolNetwork(facts: NetworkFacts, config: SchoolNetworkConfig): SchoolNetworkMatch {
  if (facts.addresses.some((a) => config.cidrs.some((c) => inCidr(a, c)))) return { onSchoolNetwork: true, by: 'address' };
  if (facts.gateways.some((g) => config.gateways.some((s) => sameIp(g, s)))) return { onSchoolNetwork: true, by: 'gateway' };
  // SSIDs are case-sensitive in 802.11; compare exactly.
  if (facts.ssids.some((s) => config.ssids.includes(s))) return { onSchoolNetwork: true, by: 'ssid' };
  return { onSchoolNetwork: false, by: null };
}
