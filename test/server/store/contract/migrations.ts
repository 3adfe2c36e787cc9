import { describe, expect, it } from 'vitest';
import { ServerStoreError } from '../../../../src/server/store/index.ts';
import { sql } from '../../../../src/server/store/sql.ts';
import { SCHOOL } from '../fixtures.ts';
import type { Harness } from '../harness.ts';

const TABLES = ['schools', 'users', 'sessions', 'students', 'groups', 'group_members', 'lessons', 'lesson_groups', 'lesson_teachers',
  'devices', 'device_contact', 'device_events', 'grants', 'grant_groups', 'grant_articles', 'grant_allow', 'grant_acks', 'audit_log',
  'retention_cutoffs', 'consents', 'grant_idempotency', 'device_rules', 'rate_limit_hits', 'schema_migrations'];
const LATEST = 6;

export function migrationContract(h: Harness): void {
  describe('migrations', () => {
    it('creates every table of the latest schema in an empty database and records the migration', async () => {
      const store = await h.fresh();
      expect(store.schemaVersion).toBe(LATEST);
      for (const table of TABLES) {
        expect(await store.driver.transaction((tx) => store.driver.tableExists(tx, table)), table).toBe(true);
      }
      const applied = await store.driver.all<{ version: number }>(sql`SELECT version FROM schema_migrations ORDER BY version`);
      expect(applied).toEqual([{ version: 1 }, { version: 2 }, { version: 3 }, { version: 4 }, { version: 5 }, { version: 6 }]);
    });

    it('opens a migrated database again with its data and without migrating twice', async () => {
      const store = await h.fresh();
      await store.putSchool(SCHOOL, 1);
      await store.close();
      const again = await h.another(store);
      expect(again.schemaVersion).toBe(LATEST);
      expect(await again.schools()).toEqual([SCHOOL]);
      expect(await again.driver.all(sql`SELECT version FROM schema_migrations`)).toHaveLength(LATEST);
    });

    it('refuses a database migrated by a newer Lesmodus, says to upgrade, and changes nothing', async () => {
      const store = await h.fresh();
      await store.putSchool(SCHOOL, 1);
      await store.driver.run(sql`INSERT INTO schema_migrations (version, description, applied_at) VALUES (99, 'from the future', 2)`);
      await store.close();
      const error = await h.another(store).then(() => undefined, (e: unknown) => e);
      expect(error).toBeInstanceOf(ServerStoreError);
      expect((error as ServerStoreError).code).toBe('newer-schema');
      expect((error as ServerStoreError).message).toMatch(/schema 99; this version knows up to 6.*Upgrade the server/);

      const database = h.databaseOf(store);
      expect(await database.peek(sql`SELECT version FROM schema_migrations ORDER BY version`)).toEqual([{ version: 1 }, { version: 2 }, { version: 3 }, { version: 4 }, { version: 5 }, { version: 6 }, { version: 99 }]);
      expect(await database.peek(sql`SELECT id, name FROM schools`)).toEqual([{ id: SCHOOL.id, name: SCHOOL.name }]);
    });

    it('says so when a closed store is used, and closing twice is harmless', async () => {
      const store = await h.fresh();
      await store.close();
      await store.close();
      await expect(store.schools()).rejects.toMatchObject({ code: 'closed' });
    });
  });
}
