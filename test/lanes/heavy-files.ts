/**
 * The test files that keep a core busy by themselves: PostgreSQL's suites
 * (they make and drop hundreds of schemas), a browser, a package build, a
 * spreadsheet program, the fault soak's processes. They take turns
 * (heavy-lane.ts) while light files keep the other worker busy: two heavy
 * files side by side slowed each other down (PostgreSQL's suites four times,
 * and heavy files of different kinds together still lost to taking turns).
 * Paths from the project's root.
 */
export const HEAVY_FILES: readonly string[] = [
  'test/agent/sync/fault-injection.test.ts',
  'test/packaging/deb.test.ts',
  'test/server/api/csv-libreoffice.test.ts',
  'test/server/api/postgres.test.ts',
  'test/server/store/postgres.test.ts',
  'test/server/live/cross-process.pg.test.ts',
  'test/server/deploy/backup-restore.test.ts',
  'test/server/deploy/migrate-two-processes.test.ts',
  'test/server/deploy/nginx-deployment.test.ts',
  'test/server/deploy/sqlite-one-server.test.ts',
  'test/server/web/portal.e2e.test.ts',
  'test/server/web/a11y.e2e.test.ts',
  'test/server/web/leader-log.e2e.test.ts',
  'test/server/web/admin.e2e.test.ts',
  'test/e2e/teacher-agent-leader.e2e.test.ts',
  'test/desktop/pages.e2e.test.ts',
  'test/agent/browser/chromium.test.ts',
];
