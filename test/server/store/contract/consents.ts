import { describe, expect, it } from 'vitest';
import { schoolYear } from '../../../../src/core/policy/consent.ts';
import type { ConsentInput, PruneCounts } from '../../../../src/server/store/index.ts';
import { sql } from '../../../../src/server/store/sql.ts';
import { DAY, MONDAY_0830, OTHER_SCHOOL, SCHOOL, seedSchool } from '../fixtures.ts';
import type { Harness } from '../harness.ts';

const YEAR = '2025-2026';
const consent = (studentId: string, overrides: Partial<ConsentInput> = {}): ConsentInput => ({
  studentId, register: 'social-media', schoolYear: YEAR, givenBy: 'parent', registeredAt: MONDAY_0830 - 30 * DAY, source: 'magister', ...overrides,
});
const NOTHING: PruneCounts = { deviceEvents: 0, contactIntervals: 0, exceptions: 0, auditEntries: 0, sessions: 0, consents: 0, idempotencyKeys: 0 };

export function consentContract(h: Harness): void {
  describe('consent register (art. III.B.9)', () => {
    it('records consents idempotently, updates a changed one and lists them by student, register and year', async () => {
      const store = await h.fresh();
      await seedSchool(store);
      const batch = [consent('s2'), consent('s1', { givenBy: 'student' }), consent('s1', { schoolYear: '2026-2027' })];
      expect(await store.recordConsents(SCHOOL.id, batch)).toEqual({ added: 3, updated: 0, unchanged: 0, withdrawn: 0 });
      expect(await store.recordConsents(SCHOOL.id, batch)).toEqual({ added: 0, updated: 0, unchanged: 3, withdrawn: 0 });
      expect(await store.recordConsents(SCHOOL.id, [consent('s2', { givenBy: 'student', source: 'manual' })]))
        .toEqual({ added: 0, updated: 1, unchanged: 0, withdrawn: 0 });

      expect(await store.consents({ schoolId: SCHOOL.id })).toEqual([
        { schoolId: SCHOOL.id, ...consent('s1', { givenBy: 'student' }) },
        { schoolId: SCHOOL.id, ...consent('s1', { schoolYear: '2026-2027' }) },
        { schoolId: SCHOOL.id, ...consent('s2', { givenBy: 'student', source: 'manual' }) },
      ]);
      expect((await store.consents({ studentId: 's1' })).map((c) => c.schoolYear)).toEqual([YEAR, '2026-2027']);
      expect((await store.consents({ schoolId: SCHOOL.id, schoolYear: '2026-2027' })).map((c) => c.studentId)).toEqual(['s1']);
      expect(await store.consents({ schoolId: SCHOOL.id, register: 'other' })).toEqual([]);
    });

    it('says which of a set of students lack a register for a school year', async () => {
      const store = await h.fresh();
      await seedSchool(store);
      await store.recordConsents(SCHOOL.id, [consent('s1'), consent('s3', { schoolYear: '2024-2025' }), consent('s4', { register: 'photos' })]);
      expect(await store.studentsWithoutConsent(SCHOOL.id, ['s4', 's3', 's2', 's1', 's2'], 'social-media', YEAR)).toEqual(['s2', 's3', 's4']);
      expect(await store.studentsWithoutConsent(SCHOOL.id, ['s4'], 'photos', YEAR)).toEqual([]);
      expect(await store.studentsWithoutConsent(SCHOOL.id, [], 'social-media', YEAR)).toEqual([]);
      // Another school's register is its own.
      await store.putSchool(OTHER_SCHOOL, 1);
      expect(await store.studentsWithoutConsent(OTHER_SCHOOL.id, ['s1'], 'social-media', YEAR)).toEqual(['s1']);
    });

    it('withdraws one consent and says whether there was one', async () => {
      const store = await h.fresh();
      await seedSchool(store);
      await store.recordConsents(SCHOOL.id, [consent('s1'), consent('s2')]);
      expect(await store.withdrawConsent(SCHOOL.id, { studentId: 's1', register: 'social-media', schoolYear: YEAR })).toBe(true);
      expect(await store.withdrawConsent(SCHOOL.id, { studentId: 's1', register: 'social-media', schoolYear: YEAR })).toBe(false);
      expect((await store.consents({ schoolId: SCHOOL.id })).map((c) => c.studentId)).toEqual(['s2']);
    });

    it('replaces a whole register of a year: consents missing from the batch are withdrawn, other years and registers stay', async () => {
      const store = await h.fresh();
      await seedSchool(store);
      await store.recordConsents(SCHOOL.id, [consent('s1'), consent('s2'), consent('s3', { schoolYear: '2026-2027' }), consent('s4', { register: 'photos' })]);
      const replace = { register: 'social-media', schoolYear: YEAR };
      expect(await store.recordConsents(SCHOOL.id, [consent('s2'), consent('s4')], { replace })).toEqual({ added: 1, updated: 0, unchanged: 1, withdrawn: 1 });
      expect((await store.consents({ schoolId: SCHOOL.id })).map((c) => `${c.studentId} ${c.register} ${c.schoolYear}`))
        .toEqual(['s2 social-media 2025-2026', 's3 social-media 2026-2027', 's4 photos 2025-2026', 's4 social-media 2025-2026']);
      await expect(store.recordConsents(SCHOOL.id, [consent('s1', { schoolYear: '2026-2027' })], { replace })).rejects.toMatchObject({ code: 'invalid-input' });
    });

    it('refuses bad input, a student twice and unknown students or schools, and stores nothing', async () => {
      const store = await h.fresh();
      await seedSchool(store);
      const invalid: [unknown, string][] = [
        [consent('s1', { schoolYear: '2026-2028' }), '[0].schoolYear'],
        [consent('s1', { schoolYear: '2026/2027' }), '[0].schoolYear'],
        [consent('s1', { givenBy: 'teacher' as 'parent' }), '[0].givenBy'],
        [consent('s1', { register: 'Social Media' }), '[0].register'],
        [consent('s1', { registeredAt: -1 }), '[0].registeredAt'],
        [consent('', {}), '[0].studentId'],
        [{ ...consent('s1'), extra: 1 }, 'extra'],
      ];
      for (const [bad, path] of invalid) {
        const error = await store.recordConsents(SCHOOL.id, [consent('s2'), bad as ConsentInput].reverse()).then(() => undefined, (e: unknown) => e);
        expect(error, JSON.stringify(bad)).toMatchObject({ code: 'invalid-input' });
        expect((error as { issues: { path: string }[] }).issues.map((i) => i.path).join(' '), JSON.stringify(bad)).toContain(path);
      }
      await expect(store.recordConsents(SCHOOL.id, [consent('s1'), consent('s1', { givenBy: 'student' })])).rejects.toMatchObject({ code: 'invalid-input' });
      await expect(store.recordConsents(SCHOOL.id, [consent('s1'), consent('nobody')])).rejects.toMatchObject({ code: 'not-found', message: /"nobody"/ });
      await expect(store.recordConsents('no-school', [consent('s1')])).rejects.toMatchObject({ code: 'not-found' });
      await expect(store.studentsWithoutConsent(SCHOOL.id, ['s1'], 'social-media', '2026')).rejects.toMatchObject({ code: 'invalid-input' });
      await expect(store.withdrawConsent(SCHOOL.id, { studentId: 's1', register: 'social-media', schoolYear: 'x' })).rejects.toMatchObject({ code: 'invalid-input' });
      expect(await store.consents({})).toEqual([]);
    });

    it('keeps injected text as data', async () => {
      const store = await h.fresh();
      await seedSchool(store);
      const evil = "x' OR '1'='1";
      await store.recordConsents(SCHOOL.id, [consent('s1', { source: evil })]);
      expect((await store.consents({ studentId: 's1' }))[0]?.source).toBe(evil);
      expect(await store.consents({ studentId: evil })).toEqual([]);
      expect(await store.studentsWithoutConsent(SCHOOL.id, [evil, 's1'], 'social-media', YEAR)).toEqual([evil]);
    });

    it('prunes consents whose school year ended more than exceptionDays ago, keeping the one ending exactly at the cut-off', async () => {
      const store = await h.fresh();
      await seedSchool(store);
      await store.recordConsents(SCHOOL.id, [
        consent('s1', { schoolYear: '2023-2024' }),
        consent('s2', { schoolYear: '2024-2025' }),
        consent('s3', { schoolYear: '2025-2026' }),
      ]);
      const end2024 = schoolYear(2023, SCHOOL.timeZone).to;
      const policy = { eventDays: 180, exceptionDays: 730 };
      // The 2023-2024 year ended exactly 730 days before: it stays.
      const atEdge = end2024 + 730 * DAY;
      expect(await store.countExpired(policy, atEdge)).toMatchObject({ consents: 0 });
      const now = atEdge + 1;
      expect(await store.countExpired(policy, now)).toEqual({ ...NOTHING, consents: 1, sessions: 0 });
      expect(await store.pruneExpired(policy, now)).toMatchObject({ consents: 1 });
      expect((await store.consents({ schoolId: SCHOOL.id })).map((c) => c.schoolYear)).toEqual(['2024-2025', '2025-2026']);
      expect(await store.driver.all(sql`SELECT student_id FROM consents WHERE student_id = 's1'`)).toEqual([]);
      expect(await store.pruneExpired(policy, now)).toMatchObject({ consents: 0 });
    });
  });
}
