import type { Block } from './agent.ts';
import type { Enforcer } from './enforcer.ts';
import type { Logger } from './logger.ts';

export interface EnforcerOptions {
  readonly dryRun: boolean;
  /** Prefix for browser policy paths ("/" in production). */
  readonly browserPolicyRoot: string;
  readonly log: Logger;
  readonly report: (block: Block) => void;
}

/** The enforcers for this OS: the process guard and the browser policies. */
export function buildEnforcers(_options: EnforcerOptions): Enforcer[] {
  return [];
}
