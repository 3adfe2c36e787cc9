import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { readAgentConfig } from '../../../src/core/config/agent-config.ts';
import { posixExposure } from '../../../src/agent/config/file-exposure.ts';
import { rootOnlyFileSource } from '../../../src/agent/config/root-only-file.ts';
import { sddlExposure } from '../../../src/agent/config/file-acl.win32.ts';
import { EnrollmentSecretFile } from '../../../src/server/auth/enrollment-secrets.ts';
import { python } from '../../helpers/python.ts';
import { useCli } from './cli-harness.ts';

/**
 * `lesmodus server mdm-profile`, spawned as IT runs it. Each file is read back
 * by a real parser of its format (Python's plistlib and ElementTree, which
 * refuse what is not well-formed) and by the agent's own config reader.
 */

const cli = useCli('mdm-profile');
const data = join(cli.tmp, 'data');
const store = ['--data-dir', data];
const URL = 'https://lesmodus.kennemer.example';

let publicKey: string;
beforeAll(async () => {
  const init = await cli.run(['server', 'init', ...store, '--school', 'kl', '--school-name', 'Kennemer Lyceum']);
  expect(init.code, init.stderr).toBe(0);
  publicKey = init.stdout;
});

const secrets = () => new EnrollmentSecretFile(join(data, 'enrollment-secrets.json'));

describe('lesmodus server mdm-profile', () => {
  it('writes /etc/lesmodus/config.json for Linux, owner-only, that the agent reads without a problem and whose secret enrolls', async () => {
    const out = join(cli.tmp, 'linux');
    const result = await cli.run(['server', 'mdm-profile', ...store, '--os', 'linux', '--url', URL, '--out', out, '--cidr', '10.20.0.0/16', '--ssid', 'KL-Wifi']);
    expect(result.code, result.stderr).toBe(0);
    const file = join(out, 'config.json');
    expect(result.stdout).toContain(file);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    const reading = readAgentConfig(JSON.parse(readFileSync(file, 'utf8')));
    expect(reading.problems).toEqual([]);
    expect(reading.config.server).toMatchObject({ url: URL, publicKey });
    expect(reading.config.schoolNetwork).toEqual({ cidrs: ['10.20.0.0/16'], gateways: [], ssids: ['KL-Wifi'] });
    expect(await secrets().match(reading.config.server!.enrollmentSecret!)).toMatchObject({ schoolId: 'kl' });
    const schema = JSON.parse(readFileSync(join(out, 'lesmodus-config.schema.json'), 'utf8'));
    expect(Object.keys(schema.properties)).toEqual(['schoolNetwork', 'server']);
    expect(Object.keys(schema.properties.server.properties)).toEqual(['url', 'enrollmentSecret', 'publicKey']);
  });

  it('writes a macOS .mobileconfig (managed preferences with every setting but the secret, managed login items, notifications on) and a script that puts the secret in a root-only file', async () => {
    const out = join(cli.tmp, 'macos');
    const result = await cli.run(['server', 'mdm-profile', ...store, '--os', 'macos', '--url', URL, '--out', out, '--ssid', 'KL & Gasten <5G>']);
    expect(result.code, result.stderr).toBe(0);
    const profile = python('import json, plistlib, sys; print(json.dumps(plistlib.load(open(sys.argv[1], "rb"))))', join(out, 'lesmodus-kl.mobileconfig')) as {
      PayloadType: string; PayloadContent: { PayloadType: string; server?: { url: string; publicKey: string; enrollmentSecret: string }; schoolNetwork?: { ssids: string[] }; Rules?: { RuleValue: string }[]; NotificationSettings?: { NotificationsEnabled: boolean }[] }[];
    };
    expect(profile.PayloadType).toBe('Configuration');
    const [settings, loginItems, notifications] = profile.PayloadContent;
    expect(settings!.PayloadType).toBe('nl.svok.lesmodus');
    expect(readAgentConfig({ server: settings!.server, schoolNetwork: settings!.schoolNetwork }).problems).toEqual([]);
    // Every user of a Mac can read managed preferences: the secret is not among them.
    expect(Object.keys(settings!.server!)).toEqual(['url', 'publicKey']);
    expect(readFileSync(join(out, 'lesmodus-kl.mobileconfig'), 'utf8')).not.toContain('lme1.');
    // The script, run as Jamf runs it (as root; here with /etc of its own), leaves the secret readable by root alone.
    const etc = join(cli.tmp, 'macos-etc');
    mkdirSync(etc);
    execFileSync('unshare', ['--mount', '--propagation', 'private', 'sh', '-c', 'mount --bind "$1" /etc && sh "$2"', '_', etc, join(out, 'lesmodus-kl-secret.sh')]);
    const file = join(etc, 'lesmodus', 'config.json');
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(statSync(join(etc, 'lesmodus')).mode & 0o777).toBe(0o700);
    const layer = await rootOnlyFileSource(file, posixExposure(0)).read();
    expect(layer).toMatchObject({ readableByOthers: null, problems: [] });
    const secret = (layer.values as { server: { enrollmentSecret: string } }).server.enrollmentSecret;
    expect(await secrets().match(secret)).toMatchObject({ schoolId: 'kl' });
    expect(settings!.schoolNetwork!.ssids).toEqual(['KL & Gasten <5G>']);
    expect(settings!.server!.publicKey).toBe(publicKey);
    expect(loginItems).toMatchObject({ PayloadType: 'com.apple.servicemanagement', Rules: [{ RuleValue: 'nl.svok.lesmodus' }] });
    expect(notifications).toMatchObject({ PayloadType: 'com.apple.notificationsettings', NotificationSettings: [{ NotificationsEnabled: true }] });
  });

  it('writes Windows ADMX with ADML in Dutch and English for every setting but the secret, a .reg with the school\'s values, and a script that puts the secret where only SYSTEM and Administrators read it', async () => {
    const out = join(cli.tmp, 'windows');
    const result = await cli.run(['server', 'mdm-profile', ...store, '--os', 'windows', '--url', URL, '--out', out, '--gateway', '10.20.0.1', '--gateway', '10.21.0.1']);
    expect(result.code, result.stderr).toBe(0);
    const elements = python(`import json, sys, xml.etree.ElementTree as ET
ns = {'p': 'http://schemas.microsoft.com/GroupPolicy/2006/07/PolicyDefinitions'}
root = ET.parse(sys.argv[1]).getroot()
print(json.dumps({p.get('name'): [[e.tag.split('}')[1], e.get('valueName')] for e in p.find('p:elements', ns)] for p in root.iter('{%s}policy' % ns['p'])}))`, join(out, 'lesmodus.admx'));
    expect(elements).toEqual({
      Server: [['text', 'Url'], ['text', 'PublicKey']],
      SchoolNetwork: [['multiText', 'Cidrs'], ['multiText', 'Gateways'], ['multiText', 'Ssids']],
    });
    for (const locale of ['nl-NL', 'en-US']) {
      const refs = python(`import json, sys, xml.etree.ElementTree as ET
root = ET.parse(sys.argv[1]).getroot()
print(json.dumps(sorted(e.get('refId') for e in root.iter() if e.get('refId'))))`, join(out, locale, 'lesmodus.adml'));
      expect(refs).toEqual(['Cidrs', 'Gateways', 'PublicKey', 'Ssids', 'Url']);
    }
    expect(readFileSync(join(out, 'nl-NL', 'lesmodus.adml'), 'utf8')).toContain('Schoolnetwerk (art. III.A.2)');
    const reg = readFileSync(join(out, 'lesmodus-kl.reg'), 'utf8');
    expect(reg.split('\r\n').slice(0, 3)).toEqual(['Windows Registry Editor Version 5.00', '', '[HKEY_LOCAL_MACHINE\\SOFTWARE\\Policies\\Lesmodus\\Server]']);
    expect(reg).toContain(`"Url"="${URL}"`);
    const gateways = /"Gateways"=hex\(7\):([0-9a-f,]+)/.exec(reg)![1]!;
    expect(Buffer.from(gateways.split(',').map((b) => parseInt(b, 16))).toString('utf16le').split('\0').filter(Boolean)).toEqual(['10.20.0.1', '10.21.0.1']);
    expect(reg).not.toContain('lme1.');
    const script = readFileSync(join(out, 'lesmodus-kl-secret.ps1'), 'utf8');
    const json = /\$json = @'\r\n([\s\S]*?)\r\n'@/.exec(script)![1]!;
    expect(await secrets().match(JSON.parse(json).server.enrollmentSecret)).toMatchObject({ schoolId: 'kl' });
    // Inheritance off, SYSTEM and Administrators only, by SID: the ACL the agent then reads as root-only.
    expect(script).toContain("icacls $tmp /inheritance:r /grant:r '*S-1-5-18:F' '*S-1-5-32-544:F'");
    expect(sddlExposure('O:SYG:SYD:PAI(A;;FA;;;SY)(A;;FA;;;BA)')).toEqual({ readable: null, writable: null });
  });

  it('refuses what would not work (no URL, a bad range, an unknown OS) and makes no secret for it', async () => {
    const before = (await secrets().list()).length;
    const noUrl = await cli.run(['server', 'mdm-profile', ...store, '--os', 'linux', '--out', join(cli.tmp, 'x')]);
    expect(noUrl.code).toBe(2);
    expect(noUrl.stderr).toContain('--url is required');
    const badRange = await cli.run(['server', 'mdm-profile', ...store, '--os', 'linux', '--url', URL, '--cidr', '10.300.0.0/16', '--out', join(cli.tmp, 'x')]);
    expect(badRange.code).toBe(2);
    expect(badRange.stderr).toContain('schoolNetwork.cidrs.0: use a CIDR range');
    const badOs = await cli.run(['server', 'mdm-profile', ...store, '--os', 'android', '--url', URL]);
    expect(badOs.code).toBe(2);
    expect((await secrets().list()).length).toBe(before);
  });

  it('puts a given secret in the profile without making another, and refuses a revoked one or another school\'s', async () => {
    const { secret, record } = await secrets().create('kl', Date.now());
    const before = (await secrets().list()).length;
    const out = join(cli.tmp, 'given');
    const given = await cli.run(['server', 'mdm-profile', ...store, '--os', 'linux', '--url', URL, '--out', out, '--enrollment-secret', secret]);
    expect(given.code, given.stderr).toBe(0);
    expect(JSON.parse(readFileSync(join(out, 'config.json'), 'utf8')).server.enrollmentSecret).toBe(secret);
    expect((await secrets().list()).length).toBe(before);

    await secrets().revoke(record.id, Date.now());
    const revoked = await cli.run(['server', 'mdm-profile', ...store, '--os', 'linux', '--url', URL, '--out', join(cli.tmp, 'x'), '--enrollment-secret', secret]);
    expect(revoked.code).toBe(2);
    expect(revoked.stderr).toContain('was revoked');
    const other = await secrets().create('another-school', Date.now());
    const elsewhere = await cli.run(['server', 'mdm-profile', ...store, '--os', 'linux', '--url', URL, '--out', join(cli.tmp, 'x'), '--enrollment-secret', other.secret]);
    expect(elsewhere.code).toBe(2);
    expect(elsewhere.stderr).toContain('belongs to school another-school');
  });
});
