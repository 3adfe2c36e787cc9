import { auditContract } from './contract/audit-log.ts';
import { consentContract } from './contract/consents.ts';
import { deviceContract } from './contract/devices.ts';
import { exceptionLogContract } from './contract/exception-log.ts';
import { grantContract } from './contract/grants.ts';
import { ingestContract } from './contract/ingest.ts';
import { injectionContract } from './contract/injection.ts';
import { lessonContract } from './contract/lessons.ts';
import { migrationContract } from './contract/migrations.ts';
import { notEnforcingContract } from './contract/not-enforcing.ts';
import { peopleContract } from './contract/people.ts';
import { rateLimitContract } from './contract/rate-limits.ts';
import { retentionContract } from './contract/retention.ts';
import { rosterContract } from './contract/roster.ts';
import { useHarness, type StoreTarget } from './harness.ts';

/**
 * The behaviour every ServerStore must have, registered once per
 * implementation (sqlite.test.ts, postgres.test.ts): the same tests, so the
 * two stores cannot drift apart.
 */
export function registerStoreContract(target: StoreTarget): void {
  const harness = useHarness(target);
  for (const contract of [migrationContract, peopleContract, rosterContract, lessonContract, deviceContract, grantContract,
    ingestContract, exceptionLogContract, notEnforcingContract, auditContract, retentionContract, consentContract, injectionContract, rateLimitContract]) {
    contract(harness);
  }
}
