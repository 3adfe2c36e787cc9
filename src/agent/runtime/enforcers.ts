import type { CatalogIndex } from '../../core/catalog/match.ts';
import type { Os } from '../../core/categories.ts';
import type { ProxyAddress } from '../browser/index.ts';
import type { UidRange } from '../processes/types.ts';
import { createProcessEnforcer, createProcessKiller, createProcessSource, initialMountNamespace, ownedBy, snapMountNamespaces } from '../processes/index.ts';
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
  readonly log: Logger;
  readonly now: () => number;
  readonly report: (block: Block) => void;
  /** A tamper the guard saw (kind and the agent's own words); the agent logs it. */
  readonly reportTamper?: (kind: string, detail: string) => void;
}

/** A student's process in a mount namespace of its own is tamper, unless snapd made the namespace (see ProcessGuardOptions). */
function linuxNamespaceChecks() {
  const initial = initialMountNamespace();
  return initial === undefined ? {} : { initialMountNamespace: initial, sanctionedMountNamespaces: snapMountNamespaces() };
}

/** The enforcers for this OS: the process guard and the browser policies. */
export function buildEnforcers(options: EnforcerOptions): Enforcer[] {
  const { os, catalog, dryRun, log, now, report } = options;
  return [
    createProcessEnforcer({
      os,
      catalog,
      source: createProcessSource(os, ownedBy(options.studentUid, options.subordinateUids)),
      killer: createProcessKiller(),
      now,
      dryRun,
      ownUid: options.studentUid,
      subordinateUids: options.subordinateUids ?? [],
      onBlock: (event) => report({ kind: 'app', service: event.service, category: event.category, os: event.os, dryRun: event.dryRun }),
      ...(os === 'linux' ? linuxNamespaceChecks() : {}),
      onTamper: (event) => options.reportTamper?.(event.kind, event.dryRun ? `(dry-run, nothing stopped) ${event.detail}` : event.detail),
      onError: (error) => log.warn(`processes: ${(error as Error).message ?? String(error)}`),
    }),
    createAgentBrowserEnforcer({ os, catalog, dryRun, root: options.browserPolicyRoot, proxyAddress: options.proxyAddress, log, report }),
  ];
}
