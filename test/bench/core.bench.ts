import { loadCatalogIndex, loadPolicy } from '../../src/adapters/resources.ts';
import { decide } from '../../src/core/policy/decide.ts';
import { importIcs } from '../../src/core/timetable/import-ics.ts';
import { fmt, rate, time, verdict } from './measure.ts';
import { seededRandom } from '../helpers/random.ts';
import { schoolYearFeed } from './school-feed.ts';

const IMPORT_TARGET_MS = 2_000;
const DECIDE_TARGET_PER_S = 100_000;

export function benchImport(): void {
  const feed = schoolYearFeed();
  const sizeMb = Buffer.byteLength(feed.ics) / 1024 / 1024;
  let imported = 0;
  const importTiming = time(() => {
    imported = importIcs(feed.ics).lessons.length;
  }, 5, 1);
  // Baseline: parsing the same lessons from JSON, the cheapest structured read there is.
  const json = JSON.stringify(importIcs(feed.ics).lessons);
  const jsonTiming = time(() => JSON.parse(json), 5, 1);
  console.log(`timetable import: a school year of a 1,500-student school (${fmt(feed.lessons)} lessons, ${fmt(sizeMb, 1)} MB of iCalendar)`);
  console.log(`  import:   ${fmt(importTiming.medianMs)} ms median (min ${fmt(importTiming.minMs)} ms, ${importTiming.runs} runs), ${fmt(imported)} lessons out; target < ${fmt(IMPORT_TARGET_MS)} ms: ${verdict(importTiming.medianMs < IMPORT_TARGET_MS)}`);
  console.log(`  baseline: JSON.parse of the same lessons ${fmt(jsonTiming.medianMs)} ms; import is ${fmt(importTiming.medianMs / jsonTiming.medianMs, 1)}× that`);
}

export function benchDecide(): void {
  const policy = loadPolicy();
  const catalog = loadCatalogIndex();
  const feed = schoolYearFeed({ groups: 1, weeks: 1 });
  const week = importIcs(feed.ics).lessons;
  const from = week[0]!.start - 3_600_000;
  const span = week[week.length - 1]!.end + 3_600_000 - from;
  const random = seededRandom(7);
  const instants = Array.from({ length: 4096 }, () => from + Math.floor(random() * span));
  const context = { catalog, onSchoolNetwork: true };

  let blocked = 0;
  const engine = rate((i) => {
    blocked += decide(instants[i & 4095]!, week, policy, [], context).blocked.categories.length;
  });
  // Baseline: the least any engine must do, a linear scan for the lesson in progress.
  let found = 0;
  const scan = rate((i) => {
    const at = instants[i & 4095]!;
    for (const lesson of week) if (lesson.start <= at && at < lesson.end && !lesson.cancelled) found++;
  });
  console.log(`decide: one student's week (${week.length} lessons), random instants, on the school network, real catalog`);
  console.log(`  decide:   ${fmt(engine.perSecond)} decisions/s (${fmt(1e6 / engine.perSecond, 2)} µs each); target > ${fmt(DECIDE_TARGET_PER_S)}/s: ${verdict(engine.perSecond > DECIDE_TARGET_PER_S)}`);
  console.log(`  baseline: linear scan for the current lesson ${fmt(scan.perSecond)}/s; decide costs ${fmt(scan.perSecond / engine.perSecond, 1)}× the scan`);
  if (blocked === 0 || found === 0) throw new Error('benchmark saw no lessons: the generated week is wrong');
}

/** A process list like a student's Windows laptop: mostly system processes, a browser, a few apps. */
const WINDOWS_PROCESSES = [
  'svchost.exe', 'explorer.exe', 'chrome.exe', 'msedge.exe', 'msedgewebview2.exe', 'RuntimeBroker.exe', 'SearchHost.exe',
  'WINWORD.EXE', 'ms-teams.exe', 'OneDrive.exe', 'obs64.exe', 'Discord.exe', 'Spotify.exe', 'conhost.exe', 'dwm.exe', 'csrss.exe',
];

export function benchCatalog(): void {
  const catalog = loadCatalogIndex();
  const facts = WINDOWS_PROCESSES.map((name) => ({ name, exePath: `C:\\Program Files\\App\\${name}` }));
  let matched = 0;
  const classify = rate((i) => {
    if (catalog.classifyProcess('win32', facts[i % facts.length]!).service) matched++;
  });
  // Baseline: a case-insensitive Set lookup of the bare name, the least a matcher can do.
  const names = new Set(catalog.catalog.services.flatMap((s) => s.match.win32?.exe ?? []).map((n) => n.toLowerCase()));
  let found = 0;
  const lookup = rate((i) => {
    if (names.has(WINDOWS_PROCESSES[i % WINDOWS_PROCESSES.length]!.toLowerCase())) found++;
  });
  const perScan = (200 / classify.perSecond) * 1000;
  console.log(`catalog: classifying Windows processes (name + exe path), real catalog`);
  console.log(`  classify: ${fmt(classify.perSecond)} processes/s; a 200-process scan takes ${fmt(perScan, 2)} ms of CPU`);
  console.log(`  baseline: a Set lookup of the name ${fmt(lookup.perSecond)}/s; classify costs ${fmt(lookup.perSecond / classify.perSecond, 1)}× that`);
  if (matched === 0 || found === 0) throw new Error('benchmark matched nothing: the process list is wrong');
}
