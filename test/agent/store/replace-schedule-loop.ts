/**
 * Test helper, run as its own process: replaces the cached timetable over and
 * over, alternating between two versions, so the parent can check that a
 * reader in another process only ever sees one whole version.
 *   node replace-schedule-loop.ts <store path> <duration ms>
 * Prints "ready" once the first version is in, "done <replacements>" at the end.
 */
import { writeSync } from 'node:fs';
import { openDeviceStore } from '../../../src/agent/store/index.ts';
import { scheduleVersion } from './schedule-versions.ts';

const [path, duration] = process.argv.slice(2);
if (path === undefined || duration === undefined) throw new Error('usage: replace-schedule-loop.ts <store path> <duration ms>');

const store = openDeviceStore({ path });
store.replaceSchedule(...scheduleVersion('A'));
writeSync(1, 'ready\n');
const until = Date.now() + Number(duration);
let replacements = 0;
while (Date.now() < until) {
  store.replaceSchedule(...scheduleVersion(replacements % 2 === 0 ? 'B' : 'A'));
  replacements++;
}
store.close();
writeSync(1, `done ${replacements}\n`);
