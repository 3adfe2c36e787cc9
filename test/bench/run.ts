// `npm run bench`: performance figures measured on this machine, each next to a
// baseline measured in the same run. Not a test: nothing here passes or fails.
import { availableParallelism, cpus } from 'node:os';
import { benchCatalog, benchDecide, benchImport } from './core.bench.ts';
import { benchBrowser } from './browser.bench.ts';
import { benchProcesses } from './processes.bench.ts';
import { benchServerApi } from './server-api.bench.ts';
import { benchServerStore } from './server-store.bench.ts';
import { benchDeviceStore } from './store.bench.ts';

console.log(`Lesmodus benchmarks: node ${process.version}, ${availableParallelism()} cores (${cpus()[0]?.model ?? 'unknown CPU'})\n`);
for (const bench of [benchImport, benchDecide, benchCatalog, benchProcesses, benchBrowser, benchDeviceStore, benchServerStore, benchServerApi]) {
  await bench();
  console.log();
}
