// `npm run bench`: performance figures measured on this machine, each next to a
// baseline measured in the same run. Not a test: nothing here passes or fails.
//
// All benchmarks by default; name some to run only those, e.g.
// `node test/bench/run.ts sync` or `npm run bench -- server-api store`
// (a name also selects the benchmarks under it: "sync" is sync-grants and sync-backlog).
import { availableParallelism, cpus } from 'node:os';
import { benchCatalog, benchDecide, benchImport } from './core.bench.ts';
import { benchBrowser } from './browser.bench.ts';
import { benchProcesses } from './processes.bench.ts';
import { benchServerApi } from './server-api.bench.ts';
import { benchDeviceHealth } from './device-health.bench.ts';
import { benchGrantRestore } from './grant-restore.bench.ts';
import { benchLeaderLogAtScale, benchServerStore } from './server-store.bench.ts';
import { benchDeviceStore } from './store.bench.ts';
import { benchBacklogDrain, benchGrantLatency } from './sync.bench.ts';
import { benchTray } from './tray.bench.ts';
import { benchPackage } from './package.bench.ts';
import { benchScaleLive } from './scale.bench.ts';

const BENCHES: readonly (readonly [name: string, run: () => unknown, whenNamed?: 'only when named'])[] = [
  ['import', benchImport],
  ['decide', benchDecide],
  ['catalog', benchCatalog],
  ['processes', benchProcesses],
  ['browser', benchBrowser],
  ['store', benchDeviceStore],
  ['server-store', benchServerStore],
  ['server-api', benchServerApi],
  ['device-health', benchDeviceHealth],
  ['grant-restore', benchGrantRestore],
  ['sync-grants', benchGrantLatency],
  ['sync-backlog', benchBacklogDrain],
  ['tray', benchTray],
  ['package', benchPackage],
  // A foundation's size: ten minutes and more on their own, so only `npm run bench -- scale`.
  ['scale-live', benchScaleLive, 'only when named'],
  ['scale-log', benchLeaderLogAtScale, 'only when named'],
];

const wanted = process.argv.slice(2);
const selected = wanted.length === 0 ? BENCHES.filter(([, , whenNamed]) => whenNamed === undefined) : BENCHES.filter(([name]) => wanted.some((w) => name === w || name.startsWith(`${w}-`)));
if (selected.length === 0) {
  console.error(`No benchmark is called ${wanted.join(' or ')}; there are: ${BENCHES.map(([name]) => name).join(', ')}`);
  process.exit(2);
}

console.log(`Lesmodus benchmarks: node ${process.version}, ${availableParallelism()} cores (${cpus()[0]?.model ?? 'unknown CPU'})\n`);
for (const [, bench] of selected) {
  await bench();
  console.log();
}
