import type { CatalogIndex } from '../../core/catalog/match.ts';
import type { Os } from '../../core/categories.ts';
import type { Decision } from '../../core/policy/decide.ts';
import {
  catalogRoute,
  createBrowserEnforcer,
  hostGate,
  linuxPolicyWriter,
  NO_RESTRICTIONS,
  startDecisionProxy,
  type DecisionProxy,
  type ProxyAddress,
  type ProxyRoute,
  type Refusal,
  type BrowserEnforcer,
  type PolicyWriter,
  type WriteReport,
} from '../browser/index.ts';
import type { Block } from './agent.ts';
import type { Enforcer } from './enforcer.ts';
import type { Logger } from './logger.ts';

export interface AgentBrowserOptions {
  readonly os: Os;
  readonly catalog: CatalogIndex;
  readonly dryRun: boolean;
  /** Prefix for every policy path ("/" in production). */
  readonly root: string;
  /** Where the decision proxy listens; port 0 picks a free one (tests). */
  readonly proxyAddress: ProxyAddress;
  /** Browser connections the proxy may hold (see DecisionProxyOptions.maxConnections). */
  readonly proxyMaxConnections?: number;
  readonly log: Logger;
  readonly report: (block: Block) => void;
  /** Subscribes to catalog switches: the route (PAC) and the never-block list are made again from the new catalog. */
  readonly onCatalogChange?: (listener: () => void) => void;
}

/**
 * Browser enforcement as one of the agent's enforcers: the decision proxy
 * (running browsers follow at once) plus the managed policy files. Started on
 * the first decision. If the proxy cannot listen, no route is installed: a
 * route to a dead proxy would break the catalog's sites outside lessons too.
 */
export function createAgentBrowserEnforcer(options: AgentBrowserOptions): Enforcer {
  const { catalog, log } = options;
  let proxy: DecisionProxy | null = null;
  let route: ProxyRoute | null = null;
  let enforcer: BrowserEnforcer<WriteReport> | undefined;
  let lastProblems = '';
  let state = 'not started';
  let writePolicies: PolicyWriter<WriteReport> | undefined;

  /** The catalog's route through the proxy and the enforcer around it, from the catalog in use now. */
  const enforcerForCatalog = (writer: PolicyWriter<WriteReport>): BrowserEnforcer<WriteReport> => {
    if (proxy) route = catalogRoute(catalog.domainsOf(catalog.catalog.services.map((s) => s.id)), catalog.neverBlockDomains, proxy.address);
    return createBrowserEnforcer({ neverBlockDomains: catalog.neverBlockDomains, proxy, route, writePolicies: writer });
  };
  // A new catalog: the next decision (the agent re-decides at once) writes the new route and block list.
  options.onCatalogChange?.(() => {
    if (enforcer !== undefined && writePolicies !== undefined) enforcer = enforcerForCatalog(writePolicies);
  });

  const onRefused = (refusal: Refusal) => {
    const verdict = catalog.classifyDomain(refusal.host);
    if (verdict.service && verdict.category) {
      options.report({ kind: 'site', service: verdict.service, category: verdict.category, os: options.os, dryRun: false });
    }
  };

  async function start(): Promise<BrowserEnforcer<WriteReport>> {
    if (options.os !== 'linux') {
      log.warn(`browsers: policy writing on ${options.os} runs in the packaged service; only the decision proxy runs here`);
    }
    if (!options.dryRun) {
      try {
        proxy = await startDecisionProxy({
          address: options.proxyAddress, gate: hostGate(NO_RESTRICTIONS), onRefused,
          ...(options.proxyMaxConnections !== undefined ? { maxConnections: options.proxyMaxConnections } : {}),
        });
        log.info(`browsers: decision proxy on ${proxy.address.host}:${proxy.address.port}`);
      } catch (error) {
        log.error(`browsers: the decision proxy could not listen on port ${options.proxyAddress.port} (${(error as Error).message}); running browsers will follow only at their next start`);
      }
    }
    writePolicies = options.os === 'linux'
      ? linuxPolicyWriter({ root: options.root, dryRun: options.dryRun })
      : async () => ({ actions: [], warnings: [], errors: [] });
    return enforcerForCatalog(writePolicies);
  }

  return {
    name: 'browsers',
    async apply(decision: Decision) {
      enforcer ??= await start();
      const result = await enforcer.apply(decision.blocked);
      const { policies } = result;
      const problems = [...policies.warnings, ...policies.errors.map((e) => `${e.path}: ${e.message}`)].join('\n');
      if (problems && problems !== lastProblems) for (const line of problems.split('\n')) log.warn(`browsers: ${line}`);
      lastProblems = problems;
      for (const action of policies.actions) if (action.op === 'write' || action.op === 'remove') log.info(`browsers: ${options.dryRun ? 'would ' : ''}${action.op} ${action.path}`);
      const domains = decision.blocked.domains.length;
      state = `${domains} domains blocked${proxy ? ` through the proxy on port ${proxy.address.port}` : ''}, capture off: ${decision.blocked.capture.join(', ') || 'none'}${options.dryRun ? ' (dry-run)' : ''}`;
    },
    async stop() {
      // Closing the proxy leaves the route in place: routed sites fail closed while the agent is down.
      await proxy?.close();
    },
    describe: () => `browsers: ${state}`,
  };
}
