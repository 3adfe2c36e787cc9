import type { Decision } from '../../core/policy/decide.ts';
import type { Enforcer } from '../runtime/enforcer.ts';
import { ProcessGuard, type ProcessGuardOptions } from './guard.ts';
import type { UidRange } from './types.ts';

/** The process guard as an enforcer, plus the one thing a running agent may change about it: whose apps it stops. */
export interface ProcessEnforcer extends Enforcer {
  /** Acts for another student (or, with null, for nobody) from the next scan on. */
  setStudent(uid: number | 'any' | null, subordinateUids: readonly UidRange[]): void;
  /** Another catalog is in use (the agent's LiveCatalog switched): classify every process again. */
  catalogChanged(): void;
}

/**
 * The process guard as one of the agent's enforcers: every decision goes to
 * the guard, which starts watching with the first one and keeps watching
 * (an empty decision blocks nothing, and the next lesson needs no restart).
 */
export function createProcessEnforcer(options: ProcessGuardOptions): ProcessEnforcer {
  const guard = new ProcessGuard(options);
  let blocked = 0;
  let owner = options.ownUid;
  return {
    name: 'processes',
    apply(decision: Decision) {
      guard.setDecision(decision);
      blocked = decision.blocked.services.length;
      guard.start();
      return Promise.resolve();
    },
    stop: () => guard.stop(),
    catalogChanged: () => guard.forgetVerdicts(),
    setStudent(uid, subordinateUids) {
      owner = uid;
      guard.setOwner(uid, subordinateUids);
    },
    describe() {
      if (owner === null) return 'processes: not stopping any app: no student is known (run the service with --user, or nobody is logged in)';
      const mode = options.dryRun ? ' (dry-run: reporting, not stopping)' : '';
      return blocked === 0 ? `processes: watching, nothing blocked${mode}` : `processes: stopping apps of ${blocked} blocked services${mode}`;
    },
  };
}
