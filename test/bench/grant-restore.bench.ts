import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { generateSigningKeyPair } from '../../src/adapters/signing.ts';
import type { DeviceEvent } from '../../src/core/events/schema.ts';
import { GrantSchema } from '../../src/core/grants/grant.ts';
import { DEVICE_GRANT_TYPE } from '../../src/core/protocol/index.ts';
import { signerFrom } from '../../src/server/app/server-keys.ts';
import { restoreGrants } from '../../src/server/services/grant-restore.ts';
import { NO_LIVE_LAPTOPS } from '../../src/server/services/service.ts';
import type { ServerStore } from '../../src/server/store/index.ts';
import { ams } from '../helpers/policy.ts';
import { fmt, onEachServerStore } from './measure.ts';

/**
 * After a server restore (issue 10): a class of laptops gives back the
 * exceptions the server lost, through the service as the device route calls
 * it (no HTTP). A class of 25 laptops, each holding the same 40 exceptions of
 * its group (a busy week), each exception applied on every laptop (1,000
 * exception.applied events, resent before the grants come back). Measured:
 * the first laptop (restores 40: verify, insert, audit, recount 25 laptops'
 * events each), every other laptop (40 known: verify, look up, recount its
 * own), and as baseline the same 40 exceptions stored by createGrant alone.
 */

const LAPTOPS = 25;
const GRANTS = 40;
const SCHOOL = 'bench-college';
const AT = ams('2026-01-12 10:00');

interface Figures {
  readonly baselineMs: number;
  readonly firstMs: number;
  readonly otherP50Ms: number;
  readonly otherMaxMs: number;
  readonly acksPerGrant: number;
}

function grantAt(i: number) {
  return GrantSchema.parse({
    id: randomUUID(), issuedBy: { username: 'leider', role: 'leader' }, reason: 'Projectweek: vloggen voor het vak CKV',
    scope: { kind: 'window', start: AT - (i + 2) * 3_600_000, end: AT - (i + 1) * 3_600_000 }, allow: { categories: ['social'] },
    issuedAt: AT - (i + 2) * 3_600_000, expiresAt: AT - (i + 1) * 3_600_000,
  });
}

async function measure(store: ServerStore): Promise<Figures> {
  const signer = (() => { const pair = generateSigningKeyPair(); return signerFrom(pair.privateKeyPem, pair.publicKeyPem); })();
  await store.putSchool({ id: SCHOOL, name: 'Bench College', timeZone: 'Europe/Amsterdam' }, AT);
  const students = Array.from({ length: LAPTOPS }, (_, s) => ({ id: `s${s}`, name: null, loginName: `leerling${s}` }));
  await store.putStudents(SCHOOL, students);
  await store.replaceGroups(SCHOOL, [{ code: 'h4a', name: null, studentIds: students.map((s) => s.id) }]);
  const ids = students.map((_, s) => `dev-${s}`);
  for (const [s, id] of ids.entries()) {
    await store.enrollDevice({ id, credentialHash: 'x', schoolId: SCHOOL, hostname: `laptop-${s}`, serial: null, os: 'win32', agentVersion: '0.1.0', loginName: null }, AT);
    await store.assignDevice(id, { schoolId: SCHOOL, studentId: `s${s}` }, AT);
  }
  const audience = { kind: 'groups' as const, groups: ['h4a'] };

  const baseline = Array.from({ length: GRANTS }, (_, i) => grantAt(i));
  let started = performance.now();
  for (const grant of baseline) await store.createGrant({ schoolId: SCHOOL, grant, signed: JSON.stringify(grant), articles: ['III.A.1'], audience }, AT);
  const baselineMs = performance.now() - started;

  const lost = Array.from({ length: GRANTS }, (_, i) => grantAt(i));
  for (const [d, id] of ids.entries()) {
    const events = lost.map((grant, i): DeviceEvent => ({ id: randomUUID(), seq: i + 1, type: 'exception.applied', occurredAt: grant.issuedAt + d, policyVersion: 'bench',
      payload: { grantId: grant.id, articles: ['III.A.1'], allowed: { categories: ['social'], services: [], capture: [] }, lesson: null, until: grant.expiresAt } }) as DeviceEvent);
    await store.ingestEvents(id, events, AT);
  }
  const services = { store, laptops: NO_LIVE_LAPTOPS };
  const times: number[] = [];
  for (const id of ids) {
    const device = (await store.device(id))!;
    const envelopes = lost.map((grant) => signer.sign({ type: DEVICE_GRANT_TYPE, deviceId: id, schoolId: SCHOOL, grant, articles: ['III.A.1'], audience, signedAt: grant.issuedAt }));
    started = performance.now();
    const outcomes = await restoreGrants(services, device, envelopes, signer.publicKeyPem, AT);
    times.push(performance.now() - started);
    const expected = id === ids[0] ? 'restored' : 'known';
    if (outcomes.some((o) => o.status !== expected)) throw new Error(`laptop ${id}: expected every grant ${expected}, got ${outcomes.map((o) => o.status).join(', ')}`);
  }
  const acks = (await store.grant(lost[0]!.id)) === null ? 0 : (await store.exceptionDetail(lost[0]!.id, AT))?.devices.filter((d) => d.appliedAt !== null).length ?? 0;
  const others = times.slice(1).sort((a, b) => a - b);
  return { baselineMs, firstMs: times[0]!, otherP50Ms: others[Math.floor(others.length / 2)]!, otherMaxMs: others.at(-1)!, acksPerGrant: acks };
}

function report(name: string, f: Figures): void {
  console.log(`  ${name}:`);
  console.log(`    first laptop gives back ${GRANTS} lost exceptions: ${fmt(f.firstMs)} ms (${fmt(f.firstMs / GRANTS, 1)} ms each); `
    + `baseline createGrant alone: ${fmt(f.baselineMs)} ms (${fmt(f.baselineMs / GRANTS, 1)} ms each)`);
  console.log(`    each other laptop (${GRANTS} known): p50 ${fmt(f.otherP50Ms)} ms, max ${fmt(f.otherMaxMs)} ms; applied on ${f.acksPerGrant} of ${LAPTOPS} laptops afterwards`);
}

export async function benchGrantRestore(): Promise<void> {
  console.log(`grant restore: a class of ${LAPTOPS} laptops gives back ${GRANTS} exceptions each after a server restore (service, no HTTP)`);
  await onEachServerStore('restore', async (store, label) => report(label.startsWith('SQLite') ? `${label}, synchronous=FULL` : label, await measure(store)));
}

/** Run alone: node test/bench/grant-restore.bench.ts */
if (import.meta.url === `file://${process.argv[1]}`) await benchGrantRestore();
