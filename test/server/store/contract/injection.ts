import { describe, expect, it } from 'vitest';
import { sql } from '../../../../src/server/store/sql.ts';
import { grantFor, LESSON_V4A, MONDAY_0830, SCHOOL, seedSchool } from '../fixtures.ts';
import type { Harness } from '../harness.ts';

/** Classic injection strings: each must match nothing and change nothing. */
const HOSTILE = [
  "' OR '1'='1",
  "v4a' --",
  "x'; DROP TABLE grants; --",
  '" OR ""="',
  "1) OR (1=1",
  "v4a' UNION SELECT id FROM users --",
  'III.A.1\' OR article LIKE \'%',
];

export function injectionContract(h: Harness): void {
  describe('SQL injection', () => {
    it('treats hostile filter strings as data: they match nothing and change nothing', async () => {
      const store = await h.fresh();
      await seedSchool(store);
      await store.createGrant(grantFor('g1', LESSON_V4A), 1);
      for (const text of HOSTILE) {
        for (const filter of [{ groupCode: text }, { teacherCode: text.slice(0, 16) }, { issuedBy: text }, { article: text }, { service: text }, { schoolId: text }]) {
          const page = await store.exceptionLog({ at: MONDAY_0830, ...filter }, { limit: 10, offset: 0 });
          expect(page, `${JSON.stringify(filter)}`).toEqual({ rows: [], total: 0 });
        }
        expect(await store.user(text)).toBeNull();
        expect((await store.auditLog({ username: text }, { limit: 10, offset: 0 })).total).toBe(0);
      }
      expect(await store.driver.all(sql`SELECT id FROM grants`)).toEqual([{ id: 'g1' }]);
      expect((await store.users()).length).toBe(3);
    });

    it('stores hostile text verbatim and finds it by exact match', async () => {
      const store = await h.fresh();
      const name = `O'Brien"; DROP TABLE schools; --`;
      await store.putSchool({ ...SCHOOL, name }, 1);
      await store.putStudents(SCHOOL.id, [{ id: "s'1", name: "Robert'); DROP TABLE students;--", loginName: "bobby'--" }]);
      expect((await store.school(SCHOOL.id))?.name).toBe(name);
      expect(await store.studentByLoginName(SCHOOL.id, "bobby'--")).toMatchObject({ id: "s'1", name: "Robert'); DROP TABLE students;--" });
    });
  });
}
