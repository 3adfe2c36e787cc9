import { writeFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { catalogSha256 } from '../../../src/adapters/catalog-digest.ts';
import { verifySignature, type Signed } from '../../../src/adapters/signing.ts';
import { CatalogPayloadSchema, DEVICE_PATHS, SchedulePayloadSchema } from '../../../src/core/protocol/index.ts';
import { serve, type RunningServer } from '../../../src/server/app/server-app.ts';
import { dataDirAt } from '../../../src/server/app/data-dir.ts';
import { loadServerKeys } from '../../../src/server/app/server-keys.ts';
import { silentLogger } from '../../../src/server/http/logger.ts';
import { useCli } from '../api/cli-harness.ts';
import { ADDITIONS, CHIRPR } from './fixtures.ts';

// The school's IT adds an app in catalog-additions.json: `lesmodus server catalog check` shows what laptops
// would get, a wrong file keeps the real server from starting (with the file and field), and the running
// server signs the merged catalog once and serves it to enrolled laptops, naming it in their signed schedule.
const cli = useCli('server-catalog');
const data = join(cli.tmp, 'data');
const additionsFile = join(data, 'catalog-additions.json');
let secret: string;

beforeAll(async () => {
  const init = await cli.run(['server', 'init', '--data-dir', data, '--school', 'svok-college', '--school-name', 'SVOK College']);
  expect(init.code, init.stderr).toBe(0);
  secret = (await cli.run(['server', 'enroll-secret', '--data-dir', data, '--school', 'svok-college'])).stdout.trim();
});

describe('lesmodus server catalog check (spawned)', () => {
  afterAll(() => rmSync(additionsFile, { force: true }));

  it('shows the bundled catalog, then the one with the school\'s additions', async () => {
    const plain = await cli.run(['server', 'catalog', 'check', '--data-dir', data, '--json']);
    expect(plain.code, plain.stderr).toBe(0);
    const before = JSON.parse(plain.stdout);
    expect(before).toMatchObject({ additions: null, base: { bundled: true }, warnings: [] });

    writeFileSync(additionsFile, JSON.stringify(ADDITIONS));
    const checked = await cli.run(['server', 'catalog', 'check', '--data-dir', data]);
    expect(checked.code, checked.stderr).toBe(0);
    expect(checked.stdout).toMatch(new RegExp(`^Catalog ${before.version.replaceAll('.', '\\.')}\\+school\\.[0-9a-f]{8} \\(sha256 [0-9a-f]{16}…\\) is valid\\.$`, 'm'));
    expect(checked.stdout).toContain(`School additions: ${additionsFile}: 1 services, 0 never-block entries`);
    const after = JSON.parse((await cli.run(['server', 'catalog', 'check', '--data-dir', data, '--json'])).stdout);
    expect(after.services.social).toBe(before.services.social + 1);
    expect(after.domains).toBe(before.domains + 1);
    // IT tries the new entry as laptops will match it (also through Google Translate's proxy).
    const classified = await cli.run(['catalog', 'classify', '--server-data-dir', data, '--os', 'linux', '--process', 'chirpr', '--domain', 'https://www-chirpr-example.translate.goog/feed', '--json']);
    expect(classified.code, classified.stderr).toBe(0);
    expect(JSON.parse(classified.stdout).results).toEqual([
      { kind: 'process', input: 'chirpr', category: 'social', service: 'chirpr', neverBlock: false },
      { kind: 'domain', input: 'https://www-chirpr-example.translate.goog/feed', category: 'social', service: 'chirpr', neverBlock: false },
    ]);
  });

  it('names the file and the field of a wrong additions file, and the server refuses to start with it', async () => {
    writeFileSync(additionsFile, JSON.stringify({ services: [{ ...CHIRPR, category: 'socials' }] }));
    const checked = await cli.run(['server', 'catalog', 'check', '--data-dir', data]);
    expect(checked.code).toBe(1);
    expect(checked.stderr).toContain(`${additionsFile} is not valid`);
    expect(checked.stderr).toMatch(/services\[0\]\.category: /);
    const started = await cli.run(['server', '--data-dir', data, '--port', '0']);
    expect(started.code).toBe(1);
    expect(started.stderr).toContain(`${additionsFile} is not valid`);
    expect(started.stdout).not.toMatch(/http:\/\/127\.0\.0\.1/);
  });
});

describe('GET /api/v1/device/catalog on the real server', () => {
  let server: RunningServer;
  let credential: string;
  const get = async (path: string) => {
    const response = await fetch(`${server.url}${path}`, { headers: { authorization: `Bearer ${credential}` } });
    expect(response.status).toBe(200);
    return response.json() as Promise<Signed<unknown>>;
  };

  beforeAll(async () => {
    writeFileSync(additionsFile, JSON.stringify(ADDITIONS));
    server = await serve({ dataDir: data, host: '127.0.0.1', port: 0, logger: silentLogger });
    const enrolled = await fetch(`${server.url}${DEVICE_PATHS.enroll}`, {
      method: 'POST', headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ hostname: 'lp-catalog', os: 'linux', agentVersion: 'test', enrollmentSecret: secret }),
    });
    expect(enrolled.status).toBe(201);
    credential = ((await enrolled.json()) as { credential: string }).credential;
  });
  afterAll(async () => {
    await server?.close();
    rmSync(additionsFile, { force: true });
  });

  it('serves the merged catalog signed by the server key, named by the device\'s signed schedule', async () => {
    const { publicKeyPem } = await loadServerKeys(dataDirAt(data));
    const signed = await get(DEVICE_PATHS.catalog);
    expect(verifySignature(signed, publicKeyPem)).toBe(true);
    const payload = CatalogPayloadSchema.parse(signed.payload);
    expect(payload.type).toBe('lesmodus.catalog.v1');
    expect(payload.sha256).toBe(catalogSha256((signed.payload as { catalog: unknown }).catalog));
    expect(payload.catalog.services.map((s) => s.id)).toContain('chirpr');
    expect(payload.version).toMatch(/\+school\.[0-9a-f]{8}$/);

    const schedule = await get(DEVICE_PATHS.schedule);
    expect(verifySignature(schedule, publicKeyPem)).toBe(true);
    expect(SchedulePayloadSchema.parse(schedule.payload).catalog).toEqual({ version: payload.version, sha256: payload.sha256 });
    // Signed once: every laptop, and every fetch, gets the same signature.
    expect((await get(DEVICE_PATHS.catalog)).signature).toBe(signed.signature);
  });

  it('is for enrolled laptops only', async () => {
    expect((await fetch(`${server.url}${DEVICE_PATHS.catalog}`)).status).toBe(401);
  });
});
