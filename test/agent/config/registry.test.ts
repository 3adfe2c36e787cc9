import { describe, expect, it } from 'vitest';
import { mergeLayers } from '../../../src/agent/config/config-source.ts';
import { parseRegQuery, registrySource, registryValues } from '../../../src/agent/config/registry.win32.ts';
import { readAgentConfig } from '../../../src/core/config/agent-config.ts';
import { PUBLIC_KEY, SECRET, URL } from './fixtures.ts';

/**
 * The Windows policy key as Intune writes it through the Lesmodus ADMX, read
 * from `reg query HKLM\SOFTWARE\Policies\Lesmodus /s` output. reg.exe cannot
 * run here; the output below is written out as reg.exe prints it (CRLF, four
 * spaces between columns, REG_MULTI_SZ strings joined by a literal \0, an
 * empty multi-string as nothing after its type).
 */

const oneLineKey = PUBLIC_KEY.replace(/\s*\n\s*/g, ' ').trim();
const captured = [
  '',
  'HKEY_LOCAL_MACHINE\\SOFTWARE\\Policies\\Lesmodus\\SchoolNetwork',
  '    Cidrs    REG_MULTI_SZ    10.20.0.0/16\\010.300.0.0/16\\0fd00:5::/48',
  '    Gateways    REG_MULTI_SZ    ',
  '    Ssids    REG_MULTI_SZ    KL Wifi\\0KL-Gasten',
  '',
  'HKEY_LOCAL_MACHINE\\SOFTWARE\\Policies\\Lesmodus\\Server',
  '    Url    REG_SZ    ' + URL,
  '    PublicKey    REG_SZ    ' + oneLineKey,
  '',
].join('\r\n');

const run = (code: number, stdout: string, stderr = '') => async () => ({ code, stdout, stderr });

describe('the Windows policy key', () => {
  it('reads every section and value the ADMX writes: lists from REG_MULTI_SZ, the one-line PEM as the key node:crypto takes', async () => {
    const layer = await registrySource(run(0, captured)).read();
    expect(layer.problems).toEqual([]);
    const reading = readAgentConfig(layer.values);
    expect(reading.config).toEqual({
      schoolNetwork: { cidrs: ['10.20.0.0/16', 'fd00:5::/48'], gateways: [], ssids: ['KL Wifi', 'KL-Gasten'] },
      server: { url: URL, publicKey: PUBLIC_KEY },
    });
    expect(reading.problems).toEqual(['schoolNetwork.cidrs.1: use a CIDR range such as 10.20.0.0/16 or fd00:5::/48; left out']);
  });

  it('matches keys and value names as Windows does, whatever their case', () => {
    const keys = parseRegQuery('HKEY_LOCAL_MACHINE\\SOFTWARE\\POLICIES\\LESMODUS\\server\r\n    URL    REG_SZ    https://x.example\r\n');
    expect(registryValues(keys).values).toEqual({ server: { url: 'https://x.example' } });
  });

  it('refuses an enrollment secret put in the key (every user can read it) and says where it belongs', async () => {
    const withSecret = captured.replace('    Url    REG_SZ', `    EnrollmentSecret    REG_SZ    ${SECRET}\r\n    Url    REG_SZ`);
    const layer = await registrySource(run(0, withSecret)).read();
    expect(layer.readableByOthers).toMatch(/readable by every user/);
    const merged = mergeLayers([layer], 'C:\\ProgramData\\Lesmodus\\config.json');
    expect(merged.secretsRefused[0]).toContain('server.enrollmentSecret is not used');
    expect(merged.secretsRefused[0]).toContain('C:\\ProgramData\\Lesmodus\\config.json');
    expect(merged.raw).toEqual({ schoolNetwork: expect.any(Object), server: { url: URL, publicKey: oneLineKey } });
  });

  it('names values and keys it does not know, and takes a REG_SZ where a list belongs as a list of one', async () => {
    const odd = [
      'HKEY_LOCAL_MACHINE\\SOFTWARE\\Policies\\Lesmodus',
      '    Server    REG_SZ    https://wrong-place.example',
      '',
      'HKEY_LOCAL_MACHINE\\SOFTWARE\\Policies\\Lesmodus\\SchoolNetwork',
      '    Ssids    REG_SZ    KL Wifi',
      '    Cidr    REG_SZ    10.0.0.0/8',
      '',
      'HKEY_LOCAL_MACHINE\\SOFTWARE\\Policies\\Lesmodus\\Proxy',
      '',
    ].join('\r\n');
    const layer = await registrySource(run(0, odd)).read();
    expect(layer.values).toEqual({ schoolNetwork: { ssids: ['KL Wifi'] } });
    expect(layer.problems).toEqual([
      'HKEY_LOCAL_MACHINE\\SOFTWARE\\Policies\\Lesmodus\\Server: unknown value, ignored (settings live in the subkeys Server, SchoolNetwork)',
      'HKEY_LOCAL_MACHINE\\SOFTWARE\\Policies\\Lesmodus\\SchoolNetwork\\Cidr: unknown value, ignored',
      'HKEY_LOCAL_MACHINE\\SOFTWARE\\Policies\\Lesmodus\\Proxy: unknown key, ignored',
    ]);
  });

  it('no key is no policy (reg.exe exits 1, in any language); another failure is named and costs only this reading', async () => {
    expect(await registrySource(run(1, '', 'FOUT: het systeem kan de opgegeven registersleutel of -waarde niet vinden.\r\n')).read()).toMatchObject({ values: null, problems: [] });
    const failed = await registrySource(run(-1, '', 'spawn reg.exe ENOENT')).read();
    expect(failed.values).toBeNull();
    expect(failed.problems[0]).toContain('reg query failed (-1: spawn reg.exe ENOENT)');
  });
});
