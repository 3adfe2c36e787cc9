import { describe, expect, it } from 'vitest';
import { sql } from '../../../../src/server/store/sql.ts';
import { SCHOOL } from '../fixtures.ts';
import type { Harness } from '../harness.ts';

const view = (at: number, username: string, studentId: string) => ({
  at, username, action: 'view-device-events', subject: { kind: 'student', id: studentId }, schoolId: SCHOOL.id, detail: null,
});

export function auditContract(h: Harness): void {
  describe('audit log', () => {
    it('records who looked at what, when, and lists it newest first with filters', async () => {
      const store = await h.fresh();
      const first = await store.recordAudit(view(10, 'de-vries', 's1'));
      await store.recordAudit(view(20, 'de-vries', 's2'));
      await store.recordAudit({ ...view(30, 'bakker', 's1'), action: 'export-log', subject: { kind: 'exception-log', id: 'all' }, detail: 'from=2026-01-01' });
      expect(first).toEqual({ id: expect.any(Number), ...view(10, 'de-vries', 's1') });
      const all = await store.auditLog({}, { limit: 10, offset: 0 });
      expect(all.total).toBe(3);
      expect(all.rows.map((e) => e.at)).toEqual([30, 20, 10]);
      expect((await store.auditLog({ username: 'de-vries' }, { limit: 10, offset: 0 })).rows.map((e) => e.at)).toEqual([20, 10]);
      expect((await store.auditLog({ subjectKind: 'student', subjectId: 's1' }, { limit: 10, offset: 0 })).rows.map((e) => e.at)).toEqual([10]);
      expect((await store.auditLog({ from: 15, to: 30 }, { limit: 10, offset: 0 })).rows.map((e) => e.at)).toEqual([20]);
    });

    it('can never be changed or shortened, even by hand', async () => {
      const store = await h.fresh();
      await store.recordAudit(view(10, 'de-vries', 's1'));
      await expect(store.driver.run(sql`UPDATE audit_log SET username = 'someone-else'`)).rejects.toThrow(/append-only/);
      await expect(store.driver.run(sql`DELETE FROM audit_log`)).rejects.toThrow(/append-only/);
      expect((await store.auditLog({}, { limit: 10, offset: 0 })).rows.map((e) => e.username)).toEqual(['de-vries']);
    });
  });
}
