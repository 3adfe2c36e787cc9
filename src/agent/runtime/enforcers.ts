import type { CatalogIndex } from '../../core/catalog/match.ts';
import type { Os } from '../../core/categories.ts';
import type { ProxyAddress } from '../browser/index.ts';
import type { UidRange } from '../processes/types.ts';
import { createContentIdentity } from '../processes/content-identity.ts';
import { createProcessEnforcer, createProcessKiller, createProcessSource, initialMountNamespace, ownedBy, snapMountNamespaces, type ProcessEnforcer } from '../processes/index.ts';
import type { Block } from './agent.ts';
import { createAgentBrowserEnforcer } from './browser-enforcer.ts';
import type { Enforcer } from './enforcer.ts';
import type { Logger } from './logger.ts';

export interface EnforcerOptions {
  readonly os: Os;
  readonly catalog: CatalogIndex;
  readonly dryRun: boolean;
  /** Whose processes may be stopped: the student's uid ('any' where the OS has no uids). */
  readonly studentUid: number | 'any' | null;
  /** The student's subordinate uid ranges (a user namespace's ids are the student's too). */
  readonly subordinateUids?: readonly UidRange[];
  /** Prefix for browser policy paths ("/" in production). */
  readonly browserPolicyRoot: string;
  /** Where the browsers' decision proxy listens. */
  readonly proxyAddress: ProxyAddress;
  /** Browser connections the proxy may hold, from the agent's descriptor budget (fd-budget.ts). */
  readonly proxyMaxConnections?: number;
  /** The process guard failed (a scan, a block): the agent logs it as tamper, because a guard that cannot look stops nothing. */
  readonly onGuardFailure?: (error: unknown) => void;
  readonly log: Logger;
  readonly now: () => number;
  readonly report: (block: Block) => void;
  /** Subscribes to catalog switches (LiveCatalog.onChange): the guard's verdicts and the browsers' route follow a new catalog. */
  readonly onCatalogChange?: (listener: () => void) => void;
  /** A tamper the guard saw (kind and the agent's own words); the agent logs it. */
  readonly reportTamper?: (kind: string, detail: string) => void;
}

/** A student's process in a mount namespace of its own is tamper, unless snapd made the namespace (see ProcessGuardOptions). */
function linuxNamespaceChecks() {
  const initial = initialMountNamespace();
  return initial === undefined ? {} : { initialMountNamespace: initial, sanctionedMountNamespaces: snapMountNamespaces() };
}

export interface AgentEnforcers {
  /** Every enforcer, in the order the agent hands each decision to them. */
  readonly all: readonly Enforcer[];
  /** The process guard, which a root service points at the student at the console (and follows when they switch). */
  readonly processes: ProcessEnforcer;
}

/** The enforcers for this OS: the process guard and the browser policies. */
export function buildEnforcers(options: EnforcerOptions): AgentEnforcers {
  const { os, catalog, dryRun, log, now, report } = options;
  // Whose processes the source reads in full: the student's, followed when a root service's student changes.
  let isStudents = ownedBy(options.studentUid, options.subordinateUids);
  const guard = createProcessEnforcer({
    os,
    catalog,
    source: createProcessSource(os, (uid) => isStudents(uid)),
    killer: createProcessKiller(),
    contentIdentity: (onSettled) => createContentIdentity({ os, catalog, onSettled, onError: (error) => log.warn(`processes: content check: ${(error as Error).message ?? String(error)}`) }),
    now,
    dryRun,
    ownUid: options.studentUid,
    subordinateUids: options.subordinateUids ?? [],
    // The guard cites the rule, article and lesson it stopped the app under: passed on, not worked out again.
    onBlock: (event) => report({
      kind: 'app', service: event.service, category: event.category, os: event.os, dryRun: event.dryRun,
      citation: { rule: event.rule, article: event.article, lesson: event.lesson },
    }),
    ...(os === 'linux' ? linuxNamespaceChecks() : {}),
    onTamper: (event) => options.reportTamper?.(event.kind, event.dryRun ? `(dry-run, nothing stopped) ${event.detail}` : event.detail),
    onError: (error) => {
      log.warn(`processes: ${(error as Error).message ?? String(error)}`);
      options.onGuardFailure?.(error);
    },
  });
  const processes: ProcessEnforcer = {
    name: guard.name,
    apply: (decision) => guard.apply(decision),
    stop: () => guard.stop(),
    describe: () => guard.describe(),
    catalogChanged: () => guard.catalogChanged(),
    setStudent(uid, subordinateUids) {
      isStudents = ownedBy(uid, subordinateUids);
      guard.setStudent(uid, subordinateUids);
    },
  };
  options.onCatalogChange?.(() => processes.catalogChanged());
  const browsers = createAgentBrowserEnforcer({
    os, catalog, dryRun, root: options.browserPolicyRoot, proxyAddress: options.proxyAddress, log, report,
    ...(options.onCatalogChange ? { onCatalogChange: options.onCatalogChange } : {}),
    ...(options.proxyMaxConnections !== undefined ? { proxyMaxConnections: options.proxyMaxConnections } : {}),
  });
  return { all: [processes, browsers], processes };
}
