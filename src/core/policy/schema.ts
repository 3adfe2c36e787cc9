import { z } from 'zod';
import { CaptureKindSchema, CategorySchema } from '../categories.ts';
import { MAX_ARTICLE_LENGTH, MAX_ID_LENGTH, MAX_POLICY_VERSION_LENGTH } from '../events/limits.ts';
import { GrantRoleSchema } from '../grants/grant.ts';
import { isValidTimeZone, parseClockTime, parseLocalDate } from '../time/zoned.ts';

/**
 * A code of conduct as data: one rule per article. Another school (or a later
 * version of the SVOK code) brings its own file; this schema is the contract.
 */

const Localized = z.object({ nl: z.string().min(1), en: z.string().min(1) });

/**
 * When a blocking rule is in force:
 * - `lesson`: during any (not cancelled) lesson;
 * - `online-lesson`: during an online lesson, wherever the laptop is;
 * - `school-premises`: during school hours while the laptop is on the school network.
 */
export const RuleConditionSchema = z.enum(['lesson', 'online-lesson', 'school-premises']);
export type RuleCondition = z.infer<typeof RuleConditionSchema>;

// Bounded like the event fields, so every rule can be cited in a logged event.
const RuleId = z.string().max(MAX_ID_LENGTH).regex(/^[a-z0-9-]+$/, 'use lowercase letters, digits and dashes');
const Article = z.string().min(1).max(MAX_ARTICLE_LENGTH);

const clockTime = z.string().refine((t) => parseClockTime(t) !== undefined, { message: 'use 24-hour "HH:MM"' });

/** What a rule blocks while one condition holds. */
export const RuleClauseSchema = z.object({
  when: RuleConditionSchema,
  categories: z.array(CategorySchema).default([]),
  capture: z.array(CaptureKindSchema).default([]),
}).refine((c) => c.categories.length + c.capture.length > 0, { message: 'a clause must block at least one category or capture kind' });
export type RuleClause = z.infer<typeof RuleClauseSchema>;

export const BlockRuleSchema = z.object({
  kind: z.literal('block'),
  id: RuleId,
  /** The article cited to the student, e.g. "III.A.1". */
  article: Article,
  title: Localized,
  /** The article's text, short, for notices and the dashboard. */
  summary: Localized,
  /**
   * One clause per situation, because an article can mean different things in
   * each: III.A.2 forbids all recording at school, but in an online lesson the
   * student needs the browser's camera and microphone to take part, so there
   * only recording (screen capture, recorder apps) is blocked.
   */
  clauses: z.array(RuleClauseSchema).min(1),
  /** Who may make an exception, and under which article; null: no exceptions. */
  exceptions: z.object({
    article: Article,
    by: z.array(GrantRoleSchema).min(1),
    /**
     * An exception lifts this rule for a student only with this consent
     * registered for the school year (III.B.9: using social media in
     * education needs the student's or parents' yearly, demonstrable consent).
     */
    consent: z.object({
      article: Article,
      register: z.string().regex(/^[a-z][a-z0-9-]{0,63}$/, 'a register name such as "social-media"'),
    }).optional(),
  }).nullable(),
});
export type BlockRule = z.infer<typeof BlockRuleSchema>;

/** An article that lets others be set aside (III.A.3): recorded for explanations and the dashboard. */
export const ExceptionRuleSchema = z.object({
  kind: z.literal('exception'),
  id: RuleId,
  article: Article,
  title: Localized,
  summary: Localized,
  /** Ids of the block rules this article makes exceptions to. */
  appliesTo: z.array(z.string()).min(1),
  by: z.array(GrantRoleSchema).min(1),
  requiresReason: z.literal(true),
});
export type ExceptionRule = z.infer<typeof ExceptionRuleSchema>;

export const PolicySchema = z.object({
  id: z.string().min(1),
  name: z.string().min(1),
  version: z.string().min(1).max(MAX_POLICY_VERSION_LENGTH),
  /** "YYYY-MM-DD": nothing is enforced before this date (in the policy's zone). */
  effective: z.string().refine((d) => parseLocalDate(d) !== undefined, { message: 'use a real date "YYYY-MM-DD"' }),
  timeZone: z.string().refine(isValidTimeZone, { message: 'use an IANA zone name such as "Europe/Amsterdam"' }),
  /** The school day for `school-premises` rules: weekdays 1 (Monday) to 7, and local hours. */
  schoolDay: z.object({
    weekdays: z.array(z.number().int().min(1).max(7)).min(1),
    start: clockTime,
    end: clockTime,
  }).refine((d) => parseClockTime(d.end)! > parseClockTime(d.start)!, { message: 'the school day must end after it starts', path: ['end'] }),
  source: z.object({ title: z.string(), adopted: z.string().optional(), url: z.string().optional() }).optional(),
  rules: z.array(z.discriminatedUnion('kind', [BlockRuleSchema, ExceptionRuleSchema])).min(1),
}).superRefine((policy, ctx) => {
  const ids = new Set<string>();
  policy.rules.forEach((rule, index) => {
    if (ids.has(rule.id)) ctx.addIssue({ code: 'custom', message: `duplicate rule id "${rule.id}"`, path: ['rules', index, 'id'] });
    ids.add(rule.id);
  });
  policy.rules.forEach((rule, index) => {
    if (rule.kind !== 'exception') return;
    for (const target of rule.appliesTo) {
      const found = policy.rules.find((r) => r.id === target);
      if (!found || found.kind !== 'block') {
        ctx.addIssue({ code: 'custom', message: `"${rule.id}" applies to "${target}", which is not a block rule`, path: ['rules', index, 'appliesTo'] });
      }
    }
  });
});
export type Policy = z.infer<typeof PolicySchema>;

export function blockRules(policy: Policy): BlockRule[] {
  return policy.rules.filter((r): r is BlockRule => r.kind === 'block');
}
