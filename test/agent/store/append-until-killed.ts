/**
 * Test helper, run as its own process: appends events to the store as fast
 * as it can and, after each append has returned (the commit is done), prints
 * "<seq> <id> <n>" on stdout. The parent kills it with SIGKILL at a random
 * moment and checks that every event it printed is in the file.
 *   node append-until-killed.ts <store path> <round>
 */
import { writeSync } from 'node:fs';
import { openDeviceStore } from '../../../src/agent/store/index.ts';

/**
 * If the parent dies without killing us, stop by ourselves rather than fill
 * the disk: no round of the test runs anywhere near this long.
 */
const GIVE_UP_AFTER_MS = 30_000;

const [path, round] = process.argv.slice(2);
if (path === undefined || round === undefined) throw new Error('usage: append-until-killed.ts <store path> <round>');

/** Writes synchronously, so a line is out of this process before the next append starts. */
function report(line: string): void {
  const bytes = Buffer.from(line);
  let written = 0;
  while (written < bytes.length) {
    try {
      written += writeSync(1, bytes, written);
    } catch (error) {
      // A non-blocking pipe that is momentarily full: try again.
      if ((error as NodeJS.ErrnoException).code !== 'EAGAIN') throw error;
    }
  }
}

const store = openDeviceStore({ path });
const deadline = Date.now() + GIVE_UP_AFTER_MS;
for (let n = 0; Date.now() < deadline; n++) {
  const event = store.appendEvent({
    type: 'tamper',
    policyVersion: '2025.1',
    payload: { kind: 'agent-killed', detail: `round ${round} event ${n}` },
  });
  report(`${event.seq} ${event.id} ${n}\n`);
}
store.close();
