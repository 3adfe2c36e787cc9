import type { Category } from '../../core/categories.ts';
import type { Decision } from '../../core/policy/decide.ts';

/** Why a category is blocked, in the words an event carries: the rule, its article, the lesson. */
export interface BlockCitation {
  readonly rule: string;
  readonly article: string;
  /** The lesson that put the rule in force; null for a school-premises rule. */
  readonly lesson: { readonly uid: string; readonly start: number } | null;
}

/** What the guard needs from a decision: which services to stop, and why each category is blocked. */
export interface BlockingSnapshot {
  readonly services: ReadonlySet<string>;
  readonly citations: ReadonlyMap<Category, BlockCitation>;
  readonly policyVersion: string;
}

export const NOTHING_BLOCKED: BlockingSnapshot = { services: new Set(), citations: new Map(), policyVersion: '' };

/**
 * The services a decision blocks (grants already subtracted by the engine)
 * and, per category, the first reason that blocks it. Reasons come in policy
 * order, so a category blocked both by a lesson rule and by the
 * school-premises rule cites the first the policy lists.
 */
export function blockingSnapshot(decision: Decision): BlockingSnapshot {
  const citations = new Map<Category, BlockCitation>();
  for (const reason of decision.reasons) {
    const citation: BlockCitation = {
      rule: reason.rule,
      article: reason.article,
      lesson: reason.lesson ? { uid: reason.lesson.uid, start: reason.lesson.start } : null,
    };
    for (const category of reason.categories) if (!citations.has(category)) citations.set(category, citation);
  }
  return { services: new Set(decision.blocked.services), citations, policyVersion: decision.policy.version };
}
