// Turns each decision into browser enforcement, in the order that matters:
// first the decision proxy (running browsers follow within milliseconds),
// then the managed-policy files (browsers started from now on, and the
// capture switches no proxy can reach).
import type { Decision } from '../../core/policy/decide.ts';
import { TRANSLATE_PROXY_DOMAIN } from '../../core/catalog/translate-proxy.ts';
import { hostGate } from './host-gate.ts';
import type { DecisionProxy } from './decision-proxy.ts';
import { pacDataUrl, pacScript, type ProxyAddress } from './pac-script.ts';
import type { ProxyRoute } from './proxy-route.ts';
import { browserRestrictions, type BrowserRestrictions } from './restrictions.ts';

/** Writes one OS's browser policy for the given restrictions (see linux-, darwin-, windows- writers). */
export type PolicyWriter<Report> = (restrictions: BrowserRestrictions, route: ProxyRoute | null) => Promise<Report>;

/**
 * The route for the catalog: every service domain to the proxy at `address`,
 * never-block domains never. translate.goog goes there too: Google's proxy
 * serves any site under a host of its own, which only the proxy decodes.
 */
export function catalogRoute(serviceDomains: readonly string[], neverBlockDomains: readonly string[], address: ProxyAddress): ProxyRoute {
  const routedDomains = serviceDomains.length === 0 ? [] : [...serviceDomains, TRANSLATE_PROXY_DOMAIN];
  return { pacUrl: pacDataUrl(pacScript({ routedDomains, neverBlockDomains, proxy: address })) };
}

export interface BrowserEnforcerOptions<Report> {
  readonly neverBlockDomains: readonly string[];
  /** Null when no decision proxy runs (dry-run): then no route is installed either. */
  readonly proxy: Pick<DecisionProxy, 'setGate'> | null;
  readonly route: ProxyRoute | null;
  readonly writePolicies: PolicyWriter<Report>;
}

export interface BrowserEnforcement<Report> {
  readonly restrictions: BrowserRestrictions;
  /** Connections to now-blocked hosts the proxy closed. */
  readonly closedConnections: number;
  readonly policies: Report;
}

export interface BrowserEnforcer<Report> {
  apply(blocked: Decision['blocked']): Promise<BrowserEnforcement<Report>>;
}

export function createBrowserEnforcer<Report>(options: BrowserEnforcerOptions<Report>): BrowserEnforcer<Report> {
  return {
    async apply(blocked) {
      const restrictions = browserRestrictions(blocked, options.neverBlockDomains);
      const closedConnections = options.proxy?.setGate(hostGate(restrictions)) ?? 0;
      const policies = await options.writePolicies(restrictions, options.route);
      return { restrictions, closedConnections, policies };
    },
  };
}
