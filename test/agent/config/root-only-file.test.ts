import { chmodSync, chownSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { posixExposure } from '../../../src/agent/config/file-exposure.ts';
import { configSources, loadConfig } from '../../../src/agent/config/load-config.ts';
import { rootOnlyFileSource } from '../../../src/agent/config/root-only-file.ts';
import { PROFILE, PUBLIC_KEY, SECRET } from './fixtures.ts';

/**
 * /etc/lesmodus/config.json holds the school-wide enrollment secret (issue 12,
 * item 8): with it a student could enroll fake laptops in anyone's name. Real
 * files with real modes: the secret is used only while root alone can read
 * it; otherwise it is refused loudly and the rest of the config still holds.
 */

const root = process.getuid?.() === 0;
let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'lesmodus-config-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

function profileFile(mode: number, content: unknown = PROFILE): string {
  const path = join(dir, 'config.json');
  writeFileSync(path, typeof content === 'string' ? content : JSON.stringify(content));
  chmodSync(path, mode);
  return path;
}

const load = (path: string) => loadConfig(configSources(path, { os: 'linux', run: async () => ({ code: 1, stdout: '', stderr: '' }), agentUid: process.getuid?.() ?? null }));

describe('the root-only config file', () => {
  it('uses the secret from a file only its owner can read (0600)', async () => {
    const loaded = await load(profileFile(0o600));
    expect(loaded.secretsRefused).toEqual([]);
    expect(loaded.problems).toEqual([]);
    expect(loaded.config.server).toEqual({ ...PROFILE.server, publicKey: PUBLIC_KEY });
  });

  for (const [mode, who] of [[0o644, 'group and others (mode 0644)'], [0o640, 'its group (mode 0640)'], [0o604, 'others (mode 0604)']] as const) {
    it(`refuses the secret in a file readable by ${who}, loudly, and keeps the server, its key and the school network`, async () => {
      const path = profileFile(mode);
      const loaded = await load(path);
      expect(loaded.secretsRefused).toHaveLength(1);
      expect(loaded.secretsRefused[0]).toContain(`${path}: server.enrollmentSecret is not used: this store is readable by ${who}`);
      expect(loaded.secretsRefused[0]).toContain('revoke it on the server');
      expect(loaded.config.server).toEqual({ url: PROFILE.server.url, publicKey: PUBLIC_KEY });
      expect(loaded.config.schoolNetwork).toEqual(PROFILE.schoolNetwork);
      expect(loaded.refused).toEqual([]);
    });
  }

  it('uses nothing from a file others could change (0666): it could swap the pinned key', async () => {
    const loaded = await load(profileFile(0o666));
    expect(loaded.config.server).toBeUndefined();
    expect(loaded.problems[0]).toMatch(/is writable by group and others \(mode 0666\): whoever can change it could point this laptop at another server and key/);
  });

  it.skipIf(!root)('uses nothing from a file a student owns, even at 0600', async () => {
    const path = profileFile(0o600);
    chownSync(path, 4242, 4242);
    const loaded = await load(path);
    expect(loaded.config.server).toBeUndefined();
    expect(loaded.problems[0]).toContain('owned by uid 4242, not by the agent\'s user (uid 0)');
  });

  it('judges the file a link points at, not the link', async () => {
    const target = profileFile(0o644);
    const link = join(dir, 'link.json');
    symlinkSync(target, link);
    const layer = await rootOnlyFileSource(link, posixExposure(process.getuid?.() ?? null)).read();
    expect(layer.readableByOthers).toBe('readable by group and others (mode 0644)');
  });

  it('no file is no config; a file that is not JSON is named and costs only itself', async () => {
    expect(await load(join(dir, 'absent.json'))).toMatchObject({ problems: [], config: { schoolNetwork: { cidrs: [] } } });
    const broken = await load(profileFile(0o600, '{"server": {"url": '));
    expect(broken.problems).toHaveLength(1);
    expect(broken.problems[0]).toMatch(/config\.json: is not JSON .*; using none of it/);
  });

  it('a mistyped CIDR costs only itself, whatever the file\'s mode', async () => {
    const loaded = await load(profileFile(0o600, { ...PROFILE, schoolNetwork: { cidrs: ['10.300.0.0/16', '10.20.0.0/16'] } }));
    expect(loaded.config.schoolNetwork.cidrs).toEqual(['10.20.0.0/16']);
    expect(loaded.config.server?.enrollmentSecret).toBe(SECRET);
    expect(loaded.problems).toEqual(['schoolNetwork.cidrs.0: use a CIDR range such as 10.20.0.0/16 or fd00:5::/48; left out']);
  });
});
