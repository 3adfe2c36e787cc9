// The leader's Dutch export, opened by a real spreadsheet: Debian's
// LibreOffice Calc, headless, reading the file as a Dutch user's would
// (";" between fields, UTF-8, Dutch number and date conventions).
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { useApi } from './harness.ts';
import { JNS_NOW, PTR_NOW } from './school.ts';
import { sqliteTarget } from './targets.ts';

const hasCalc = spawnSync('soffice', ['--version'], { stdio: 'ignore' }).status === 0;
const TITLE = 'the Dutch CSV export in LibreOffice Calc';

if (!hasCalc && process.env.CI === 'true') {
  describe(TITLE, () => {
    it('runs in CI', () => {
      throw new Error('LibreOffice Calc (soffice) is missing: .ci/run installs libreoffice-calc');
    });
  });
}

/**
 * LibreOffice's CSV filter options as its import dialog offers them to a Dutch
 * user: ";" (59), '"' (34), UTF-8 (76), from line 1, default column types,
 * Dutch (1043), quoted fields not forced to text (the default; Excel reads
 * them so too), special numbers (dates) detected.
 */
const DUTCH_CSV = 'CSV:59,34,76,1,,1043,false,true';
/** And out again as tab-separated UTF-8, one row per line, to read the cells back. */
const TAB_SEPARATED = 'csv:Text - txt - csv (StarCalc):9,34,76,1';

describe.skipIf(!hasCalc)(hasCalc ? TITLE : `${TITLE} (skipped: soffice is not installed)`, () => {
  const api = useApi(sqliteTarget());
  const dir = mkdtempSync(join(tmpdir(), 'lesmodus-calc-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('splits every row into the same columns, keeps é, ë and quotes, reads the times as dates, and leaves a formula in a reason as text', async () => {
    const server = await api.start();
    const jansen = await server.login('jansen');
    const pieters = await server.login('pieters');
    const leader = await server.login('de-vries');
    const scope = (lesson: { uid: string; start: number }) => ({ kind: 'lesson', lessonUid: lesson.uid, lessonStart: lesson.start });
    expect((await server.call('POST', '/api/v1/grants', { as: jansen, body: { scope: scope(JNS_NOW), allow: { categories: ['social'] }, reason: '=HYPERLINK("http://x") campagne; één les' } })).status).toBe(201);
    expect((await server.call('POST', '/api/v1/grants', { as: pieters, body: { scope: scope(PTR_NOW), allow: { services: ['instagram'] }, reason: 'Biologie: "dieren" op Instagram, café-reclame' } })).status).toBe(201);
    const reply = await server.call('GET', '/api/v1/exceptions/export?format=csv', { as: leader });
    expect(reply.status).toBe(200);
    const csv = join(dir, 'uitzonderingen.csv');
    writeFileSync(csv, reply.text);

    // A profile of its own: the test never touches a user's LibreOffice settings, and runs beside another.
    const profile = pathToFileURL(join(dir, 'profile')).href;
    execFileSync('soffice', [`-env:UserInstallation=${profile}`, '--headless', `--infilter=${DUTCH_CSV}`, '--convert-to', TAB_SEPARATED, '--outdir', join(dir, 'out'), csv],
      { stdio: 'ignore', timeout: 120_000 });
    const rows = readFileSync(join(dir, 'out', 'uitzonderingen.csv'), 'utf8').replace(/^\uFEFF/, '').trimEnd().split(/\r?\n/).map((line) => line.split('\t').map((cell) => cell.replace(/^"|"$/g, '').replace(/""/g, '"')));

    expect(rows).toHaveLength(3);
    for (const row of rows) expect(row).toHaveLength(23);
    const header = rows[0]!;
    expect(header.slice(0, 4)).toEqual(['Nummer', 'School', 'Status', 'Gegeven op']);
    expect(header).toContain('Categorieën');
    const column = (name: string) => header.indexOf(name);
    const byReason = (text: string) => rows.find((r) => r[column('Reden')]!.includes(text))!;
    const jansens = byReason('campagne');
    // Calc shows the reason as typed, with the apostrophe that keeps it from being run as a formula.
    expect(jansens[column('Reden')]).toBe(`'=HYPERLINK("http://x") campagne; één les`);
    expect(jansens[column('Status')]).toBe('Actief');
    expect(jansens[column('Categorieën')]).toBe('Social media');
    expect(byReason('dieren')[column('Reden')]).toBe('Biologie: "dieren" op Instagram, café-reclame');
    expect(byReason('dieren')[column('Apps en sites')]).toBe('Instagram');
    expect(jansens[column('Gegeven op')]).toBe('2026-01-12 08:40:00');
    // … and Calc holds it as a date and time, not as text: its own flat file says so.
    execFileSync('soffice', [`-env:UserInstallation=${profile}`, '--headless', `--infilter=${DUTCH_CSV}`, '--convert-to', 'fods', '--outdir', join(dir, 'out'), csv],
      { stdio: 'ignore', timeout: 120_000 });
    expect(readFileSync(join(dir, 'out', 'uitzonderingen.fods'), 'utf8')).toMatch(/office:value-type="date" office:date-value="2026-01-12T08:40:00"/);
  }, 180_000);
});
