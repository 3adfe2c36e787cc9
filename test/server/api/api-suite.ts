import type { StoreTarget } from '../store/harness.ts';
import { useApi } from './harness.ts';
import { adminSuite } from './suites/admin.ts';
import { consentSuite } from './suites/consents.ts';
import { deviceSuite } from './suites/devices.ts';
import { grantRestoreSuite } from './suites/grant-restore.ts';
import { grantSuite } from './suites/grants.ts';
import { httpSuite } from './suites/http.ts';
import { leaderSuite } from './suites/leader.ts';
import { openApiSuite } from './suites/openapi.ts';
import { schoolDataSuite } from './suites/school-data.ts';
import { sessionSuite } from './suites/sessions.ts';

/** The API's behaviour, registered once per store (sqlite.test.ts, postgres.test.ts), over real HTTP on 127.0.0.1. */
export function registerApiSuite(target: StoreTarget): void {
  const api = useApi(target);
  for (const suite of [sessionSuite, grantSuite, grantRestoreSuite, consentSuite, deviceSuite, leaderSuite, schoolDataSuite, adminSuite, httpSuite, openApiSuite]) suite(api);
}
