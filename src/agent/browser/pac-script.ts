// The proxy auto-config (PAC) script Lesmodus installs once in every
// browser's managed policy. It sends only the catalog's service domains to
// the decision proxy in the agent, which refuses or tunnels each request by
// the decision of that moment; everything else, and every never-block domain
// first of all, goes DIRECT and never touches the agent.

/** Where the decision proxy listens. Loopback only: it serves this device. */
export interface ProxyAddress {
  readonly host: string;
  readonly port: number;
}

/**
 * The default address. A port below 1024 because on Linux only root may bind
 * one: with the agent stopped, a student's own program cannot take the port
 * and pose as a permissive decision point. (Windows has no such ports; there
 * the agent's service starts before any user logs on.)
 */
export const DEFAULT_PROXY_ADDRESS: ProxyAddress = Object.freeze({ host: '127.0.0.1', port: 981 });

export interface PacInputs {
  /** The catalog's service domains, all categories: what may ever be blocked. */
  readonly routedDomains: readonly string[];
  /** Never routed, even when under a routed domain. */
  readonly neverBlockDomains: readonly string[];
  readonly proxy: ProxyAddress;
}

/**
 * The PAC script (ES5: PAC engines are old JavaScript). Matching is by label,
 * like the catalog: "instagram.com" routes "www.instagram.com", never
 * "notinstagram.com" or "instagram.com.evil.example". There is no "; DIRECT"
 * fallback for routed hosts: if the agent is down, the catalog's sites fail
 * closed instead of opening up.
 */
export function pacScript(inputs: PacInputs): string {
  const routed = JSON.stringify(unique(inputs.routedDomains));
  const never = JSON.stringify(unique(inputs.neverBlockDomains));
  const proxy = JSON.stringify(`PROXY ${inputs.proxy.host}:${inputs.proxy.port}`);
  return [
    `var ROUTED = ${routed};`,
    `var NEVER = ${never};`,
    'function lesmodusUnder(host, domains) {',
    '  for (var i = 0; i < domains.length; i++) {',
    '    var d = domains[i];',
    "    if (host === d || (host.length > d.length && host.substring(host.length - d.length - 1) === '.' + d)) return true;",
    '  }',
    '  return false;',
    '}',
    'function FindProxyForURL(url, host) {',
    '  host = String(host).toLowerCase();',
    "  if (host.charAt(host.length - 1) === '.') host = host.substring(0, host.length - 1);",
    "  if (lesmodusUnder(host, NEVER)) return 'DIRECT';",
    `  if (lesmodusUnder(host, ROUTED)) return ${proxy};`,
    "  return 'DIRECT';",
    '}',
    '',
  ].join('\n');
}

/**
 * The script as a data: URL for the ProxySettings / Proxy policies: nothing
 * to fetch, so a browser that starts before the agent still gets the route
 * (and then fails closed for the catalog's sites until the agent is up).
 */
export function pacDataUrl(script: string): string {
  return `data:application/x-ns-proxy-autoconfig;base64,${Buffer.from(script, 'utf8').toString('base64')}`;
}

function unique(domains: readonly string[]): string[] {
  return [...new Set(domains.map((d) => d.toLowerCase()))].sort();
}
