import { execFileSync } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { CommandRunner } from '../../../src/agent/config/command-runner.ts';
import { posixExposure } from '../../../src/agent/config/file-exposure.ts';
import { loadConfig } from '../../../src/agent/config/load-config.ts';
import { managedPreferencesSource, managedPreferenceValues } from '../../../src/agent/config/managed-preferences.darwin.ts';
import { rootOnlyFileSource } from '../../../src/agent/config/root-only-file.ts';
import { AgentConfigSchema } from '../../../src/core/config/agent-config.ts';
import { mobileconfig } from '../../../src/core/config/mdm/mobileconfig.ts';
import { posixSecretScript } from '../../../src/core/config/mdm/secret-file.ts';
import { PROFILE, PUBLIC_KEY, SECRET } from './fixtures.ts';

/**
 * macOS managed preferences, as a Mac holds them after the Lesmodus
 * .mobileconfig is installed: the settings payload as a binary plist in
 * /Library/Managed Preferences, mode 0644. plutil is not here: a stand-in
 * answers `plutil -convert json -o - -- FILE` the way plutil does, with
 * Python's plistlib (which reads binary plists too).
 */

const uid = process.getuid?.() ?? null;
const plutil: CommandRunner = async (file, args) => {
  expect([file, ...args.slice(0, -1)]).toEqual(['/usr/bin/plutil', '-convert', 'json', '-o', '-', '--']);
  try {
    const stdout = execFileSync('python3', ['-c', 'import json, plistlib, sys; print(json.dumps(plistlib.load(open(sys.argv[1], "rb"))))', args.at(-1)!], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
    return { code: 0, stdout, stderr: '' };
  } catch (error) {
    return { code: 1, stdout: '', stderr: String((error as { stderr?: string }).stderr ?? error) };
  }
};

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'lesmodus-managed-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

/** The profile's settings payload written as macOS writes managed preferences: a binary plist, readable by everyone. */
function installProfile(extra: Record<string, unknown> = {}): string {
  const profile = join(dir, 'lesmodus.mobileconfig');
  const ids = { identifier: 'nl.svok.lesmodus.profile.kl', organization: 'Kennemer Lyceum', uuids: { profile: 'A', settings: 'B', loginItems: 'C', notifications: 'D' } };
  writeFileSync(profile, mobileconfig(AgentConfigSchema.parse(PROFILE), ids));
  const plist = join(dir, 'nl.svok.lesmodus.plist');
  execFileSync('python3', ['-c', `import json, plistlib, sys
settings = plistlib.load(open(sys.argv[1], "rb"))["PayloadContent"][0]
settings.update(json.loads(sys.argv[3]))
plistlib.dump(settings, open(sys.argv[2], "wb"), fmt=plistlib.FMT_BINARY)`, profile, plist, JSON.stringify(extra)]);
  chmodSync(plist, 0o644);
  return plist;
}

describe('macOS managed preferences', () => {
  it('reads every setting the profile installs, leaving out the profile\'s own Payload keys', async () => {
    const layer = await managedPreferencesSource(plutil, posixExposure(uid), installProfile()).read();
    expect(layer.problems).toEqual([]);
    expect(layer.values).toEqual({ server: { url: PROFILE.server.url, publicKey: PUBLIC_KEY }, schoolNetwork: PROFILE.schoolNetwork });
    expect(layer.readableByOthers).toBe('readable by group and others (mode 0644)');
  });

  it('with the secret script\'s root-only file: the whole config, the secret from the file', async () => {
    const etc = join(dir, 'etc');
    mkdirSync(etc);
    const file = join(etc, 'lesmodus', 'config.json');
    execFileSync('sh', ['-c', posixSecretScript(AgentConfigSchema.parse(PROFILE), file)]);
    const exposure = posixExposure(uid);
    const loaded = await loadConfig({ sources: [managedPreferencesSource(plutil, exposure, installProfile()), rootOnlyFileSource(file, exposure)], rootOnlyFile: file });
    expect(loaded.problems).toEqual([]);
    expect(loaded.secretsRefused).toEqual([]);
    expect(loaded.config.server).toEqual({ url: PROFILE.server.url, enrollmentSecret: SECRET, publicKey: PUBLIC_KEY });
  });

  it('refuses a secret someone added to the managed preferences (every user can read them), and uses the rest', async () => {
    const plist = installProfile({ server: { url: PROFILE.server.url, publicKey: PUBLIC_KEY, enrollmentSecret: SECRET } });
    const loaded = await loadConfig({ sources: [managedPreferencesSource(plutil, posixExposure(uid), plist)], rootOnlyFile: '/etc/lesmodus/config.json' });
    expect(loaded.secretsRefused[0]).toContain(`${plist}: server.enrollmentSecret is not used: this store is readable by group and others (mode 0644)`);
    expect(loaded.secretsRefused[0]).toContain('/etc/lesmodus/config.json');
    expect(loaded.config.server).toEqual({ url: PROFILE.server.url, publicKey: PUBLIC_KEY });
  });

  it('no profile is no settings; a plist plutil cannot read is named and costs only this reading', async () => {
    expect(await managedPreferencesSource(plutil, posixExposure(uid), join(dir, 'absent.plist')).read()).toMatchObject({ values: null, problems: [] });
    const broken = join(dir, 'broken.plist');
    writeFileSync(broken, 'bplist00 cut off');
    const layer = await managedPreferencesSource(plutil, posixExposure(uid), broken).read();
    expect(layer.values).toBeNull();
    expect(layer.problems[0]).toMatch(/^plutil could not read it .*; using none of it this time$/s);
    expect(managedPreferenceValues('[1, 2]').problems).toEqual(['holds no dictionary; using none of it']);
  });
});
