import si from 'systeminformation';
import type { NetworkFacts } from '../../core/network/school-network.ts';

/**
 * What the laptop's network looks like now: its addresses, default gateway
 * and Wi-Fi networks, from systeminformation (one code path for Windows,
 * macOS and Linux). Loopback and link-local addresses say nothing about
 * where the laptop is, so they are left out.
 */
export async function probeNetwork(): Promise<NetworkFacts> {
  const [interfaces, gateway, wifi] = await Promise.all([
    si.networkInterfaces().catch(() => []),
    si.networkGatewayDefault().catch(() => ''),
    si.wifiConnections().catch(() => []),
  ]);
  const list = Array.isArray(interfaces) ? interfaces : [interfaces];
  const addresses = list
    .filter((i) => !i.internal)
    .flatMap((i) => [i.ip4, i.ip6])
    .filter((ip) => ip && !ip.startsWith('fe80:') && !ip.startsWith('169.254.'));
  return {
    addresses,
    gateways: gateway ? [gateway] : [],
    ssids: wifi.map((w) => w.ssid).filter(Boolean),
  };
}
