import { z } from 'zod';
import { CaptureKindSchema, CategorySchema } from '../../../core/categories.ts';
import type { Catalog } from '../../../core/catalog/schema.ts';
import { blockRules, type Policy } from '../../../core/policy/schema.ts';
import { MIN_PASSWORD_LENGTH } from '../../auth/passwords.ts';
import { EXCEPTION_STATUSES, USER_ROLES } from '../../store/index.ts';
import { defineRoute, users, type AnyRoute } from '../route.ts';

/**
 * The policy as the portal needs it: what can be granted is exactly what a
 * rule blocks (never a category no rule blocks, which the server would
 * refuse), and which categories record (the III.B.8 reminder). The pages take
 * these from here instead of keeping their own copies.
 */

const PolicyViewSchema = z.object({
  name: z.string(),
  version: z.string(),
  rules: z.array(z.object({
    id: z.string(),
    article: z.string(),
    title: z.object({ nl: z.string(), en: z.string() }),
    categories: z.array(CategorySchema),
    capture: z.array(CaptureKindSchema),
    /** The consent register its exceptions need (art. III.B.9), if any. */
    consentRegister: z.string().nullable(),
  })),
  /** Every category some rule blocks, in the policy's order: the portal's checkboxes and the log's filter. */
  grantable: z.array(CategorySchema),
  /** The categories of rules that also block capture: recordings (the III.B.8 reminder). */
  recording: z.array(CategorySchema),
  /** Each catalog service's name by its id ("tiktok" → "TikTok"): the pages never show a raw id. */
  serviceNames: z.record(z.string(), z.string()),
  /** The articles an exception can rest on (III.A.1, III.A.3): the log's article filter offers these, not the block articles. */
  exceptionArticles: z.array(z.string()),
  /** An exception's statuses, in the order the log's filter lists them. */
  exceptionStatuses: z.array(z.enum(EXCEPTION_STATUSES)),
  /** What the admin's account form offers and checks before the server does. */
  accountRoles: z.array(z.enum(USER_ROLES)),
  minPasswordLength: z.number().int(),
});

export function policyView(policy: Policy, catalog: Catalog): z.infer<typeof PolicyViewSchema> {
  const rules = blockRules(policy).map((rule) => ({
    id: rule.id,
    article: rule.article,
    title: rule.title,
    categories: [...new Set(rule.clauses.flatMap((c) => c.categories))],
    capture: [...new Set(rule.clauses.flatMap((c) => c.capture))],
    consentRegister: rule.exceptions?.consent?.register ?? null,
  }));
  return {
    name: policy.name,
    version: policy.version,
    rules,
    grantable: [...new Set(rules.flatMap((r) => r.categories))],
    recording: [...new Set(rules.filter((r) => r.capture.length > 0).flatMap((r) => r.categories))],
    serviceNames: Object.fromEntries(catalog.services.map((s) => [s.id, s.name])),
    exceptionArticles: [...new Set(blockRules(policy).flatMap((r) => (r.exceptions === null ? [] : [r.exceptions.article])))].sort(),
    exceptionStatuses: [...EXCEPTION_STATUSES],
    accountRoles: [...USER_ROLES],
    minPasswordLength: MIN_PASSWORD_LENGTH,
  };
}

const policyRoute = defineRoute({
  method: 'GET',
  path: '/api/v1/policy',
  tag: 'meta',
  summary: 'The policy in force: its rules (article, what each blocks, the consent register its exceptions need) and what can be granted.',
  access: users(...USER_ROLES),
  reply: { kind: 'json', status: 200, schema: PolicyViewSchema, description: 'The policy.' },
  async handle(_input, api) {
    return policyView(api.policy, api.catalog.catalog);
  },
});

export const policyRoutes: readonly AnyRoute[] = [policyRoute];
