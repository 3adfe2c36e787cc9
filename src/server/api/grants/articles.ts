import type { CatalogIndex } from '../../../core/catalog/match.ts';
import type { FieldIssue } from '../../../core/events/parse.ts';
import type { GrantAllow, GrantRole } from '../../../core/grants/grant.ts';
import { blockRules, type BlockRule, type Policy } from '../../../core/policy/schema.ts';

/**
 * The articles an exception rests on, from the policy: each allowed category,
 * service (through its catalog category) or capture kind is lifted under the
 * exception article of every rule that blocks it (III.A.1 for social media,
 * III.A.3 for recordings). Pure; the same reading of the policy as decide().
 */

export interface ArticleVerdict {
  readonly articles: readonly string[];
  /** Allowed items nothing blocks, or unknown services: a 400, by field. */
  readonly issues: readonly FieldIssue[];
  /** Items a rule blocks that this role may not lift: a 403. */
  readonly refused: readonly string[];
}

export function articlesFor(allow: GrantAllow, role: GrantRole, policy: Policy, catalog: Pick<CatalogIndex, 'service'>): ArticleVerdict {
  const rules = blockRules(policy);
  const articles = new Set<string>();
  const issues: FieldIssue[] = [];
  const refused: string[] = [];

  const lift = (path: string, what: string, blocking: readonly BlockRule[]) => {
    if (blocking.length === 0) {
      issues.push({ path, message: `${what} is not blocked by the policy, so there is nothing to allow` });
      return;
    }
    for (const rule of blocking) {
      if (rule.exceptions === null || !rule.exceptions.by.includes(role)) refused.push(`${what} (article ${rule.article})`);
      else articles.add(rule.exceptions.article);
    }
  };
  const blockingCategory = (category: string) => rules.filter((r) => r.clauses.some((c) => (c.categories as readonly string[]).includes(category)));

  allow.categories.forEach((category, i) => lift(`allow.categories[${i}]`, `category "${category}"`, blockingCategory(category)));
  allow.capture.forEach((kind, i) => {
    lift(`allow.capture[${i}]`, `capture "${kind}"`, rules.filter((r) => r.clauses.some((c) => (c.capture as readonly string[]).includes(kind))));
  });
  allow.services.forEach((id, i) => {
    const service = catalog.service(id);
    if (service === undefined) issues.push({ path: `allow.services[${i}]`, message: `"${id}" is not a service in the catalog` });
    else lift(`allow.services[${i}]`, `service "${id}"`, blockingCategory(service.category));
  });
  return { articles: [...articles].sort(), issues, refused };
}
