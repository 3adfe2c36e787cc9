import { EventEmitter } from 'node:events';
import { chmodSync, mkdtempSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { watchConfig, type ConfigWatch } from '../../../src/agent/config/config-watch.ts';
import { configSources, loadConfig, type LoadedConfig } from '../../../src/agent/config/load-config.ts';
import { waitFor } from '../../e2e/agent-process.ts';
import { PROFILE, SECRET } from './fixtures.ts';

/** A new profile applies without reinstalling or restarting: the agent reads its config again when the file changes, on SIGHUP and on a timer. */

let dir: string;
let watch: ConfigWatch | undefined;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'lesmodus-watch-'));
});
afterEach(() => {
  watch?.stop();
  rmSync(dir, { recursive: true, force: true });
});

const path = () => join(dir, 'config.json');
function writeProfile(content: unknown, mode = 0o600): void {
  // As an MDM or install(1) does it: a new file moved over the old one.
  writeFileSync(`${path()}.new`, JSON.stringify(content), { mode });
  chmodSync(`${path()}.new`, mode);
  renameSync(`${path()}.new`, path());
}

async function start(options: { signals?: EventEmitter } = {}) {
  const sources = configSources(path(), { os: 'linux', run: async () => ({ code: 1, stdout: '', stderr: '' }), agentUid: process.getuid?.() ?? null });
  const changes: LoadedConfig[] = [];
  const sighups: number[] = [];
  watch = watchConfig({
    initial: await loadConfig(sources),
    load: () => loadConfig(sources),
    watchPaths: sources.sources.flatMap((s) => s.watchPaths),
    onChange: (next) => void changes.push(next),
    onError: (error) => { throw error; },
    onSighup: () => void sighups.push(1),
    ...options,
  });
  return { changes, sighups };
}

describe('reading the config again', () => {
  it('follows a profile replaced in place: a readable secret refused, then the root-only one taken', async () => {
    writeProfile(PROFILE, 0o644);
    const { changes } = await start();
    writeProfile(PROFILE, 0o600);
    const next = await waitFor(() => changes[0], 'the new profile');
    expect(next.secretsRefused).toEqual([]);
    expect(next.config.server?.enrollmentSecret).toBe(SECRET);
  });

  it('reads on SIGHUP, and hands on nothing when nothing changed', async () => {
    writeProfile(PROFILE);
    const signals = new EventEmitter();
    const { changes, sighups } = await start({ signals });
    signals.emit('SIGHUP');
    await watch!.recheck();
    expect(sighups).toHaveLength(1);
    expect(changes).toEqual([]);
    writeProfile({ ...PROFILE, schoolNetwork: { ssids: ['KL-Nieuw'] } });
    signals.emit('SIGHUP');
    await watch!.recheck();
    expect(changes.at(-1)?.config.schoolNetwork.ssids).toEqual(['KL-Nieuw']);
    watch!.stop();
    expect(signals.listenerCount('SIGHUP')).toBe(0);
  });

  it('reads on its timer too, where nothing can be watched (the Windows policy key)', async () => {
    const sources = configSources(path(), { os: 'linux', run: async () => ({ code: 1, stdout: '', stderr: '' }), agentUid: process.getuid?.() ?? null });
    const seen: LoadedConfig[] = [];
    watch = watchConfig({ initial: await loadConfig(sources), load: () => loadConfig(sources), watchPaths: [], intervalMs: 50, onChange: (next) => void seen.push(next), onError: () => {} });
    writeProfile(PROFILE);
    expect((await waitFor(() => seen[0], 'the timer reading the profile')).config.server?.url).toBe(PROFILE.server.url);
  });
});
