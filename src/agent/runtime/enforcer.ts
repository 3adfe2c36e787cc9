import type { Decision } from '../../core/policy/decide.ts';

/**
 * One way of enforcing a decision on this device (the process guard, the
 * browser policies). The agent hands every new decision to each enforcer.
 */
export interface Enforcer {
  readonly name: string;
  /** Brings the device in line with `decision`. Idempotent: the same decision twice changes nothing. */
  apply(decision: Decision): Promise<void>;
  /**
   * Stops background work when the agent shuts down. Leaves what is enforced
   * in place: stopping (or killing) the agent during a lesson must not lift
   * the block; the next start brings everything up to date.
   */
  stop(): Promise<void>;
  /** One line for `agent status`: what this enforcer is doing now. */
  describe(): string;
}
