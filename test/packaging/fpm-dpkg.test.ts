import { spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildDeb, controlFile, DEB_XZ_LEVEL_VARIABLE, parseFpmArgs } from '../../scripts/packaging/fpm-dpkg.ts';

/**
 * The fpm stand-in electron-builder's deb target runs (CUSTOM_FPM_PATH): fpm's
 * arguments as electron-builder 26 writes them, read into a package that
 * dpkg-deb builds; anything it does not know is refused by name.
 */

let work: string;
beforeAll(() => {
  work = mkdtempSync(join(tmpdir(), 'lesmodus-fpm-'));
});
afterAll(() => rmSync(work, { recursive: true, force: true }));

/** The arguments electron-builder 26's FpmTarget passes (order and spelling as it writes them). */
function electronBuilderArgs(app: string, out: string, extra: string[] = []): string[] {
  return [
    '-s', 'dir', '--force', '-t', 'deb', '-d', 'libgtk-3-0', '-d', 'libnss3', '--deb-recommends', 'libappindicator3-1', '--deb-compression', 'gz',
    '--architecture', 'amd64', '--after-install', join(work, 'postinst'), '--after-remove', join(work, 'postrm'),
    '--description', '\n Classroom device policy agent.', '--version', '0.1.0', '--package', out,
    '--name', 'lesmodus-fpm-test', '--maintainer', 'Lesmodus <it@svok.example>', '--vendor', 'Lesmodus <it@svok.example>',
    '--url', 'https://svok.example/lesmodus', '--deb-priority', 'optional', '--license', 'UNLICENSED',
    ...extra, `${app}/=/opt/Lesmodus`,
  ];
}

describe('the fpm stand-in', () => {
  it('reads electron-builder\'s arguments and the ones electron-builder.yml adds', () => {
    const deb = parseFpmArgs(electronBuilderArgs('/app', '/out/x.deb', ['--before-remove=/prerm', '--deb-no-default-config-files', 'unit.service=/usr/lib/systemd/system/x.service']));
    expect(deb).toMatchObject({
      name: 'lesmodus-fpm-test', version: '0.1.0', architecture: 'amd64', compression: 'gz', priority: 'optional',
      depends: ['libgtk-3-0', 'libnss3'], recommends: ['libappindicator3-1'], etcAsConffiles: false,
      scripts: { postinst: join(work, 'postinst'), postrm: join(work, 'postrm'), prerm: '/prerm' },
      mappings: [{ source: 'unit.service', dest: '/usr/lib/systemd/system/x.service' }, { source: '/app/', dest: '/opt/Lesmodus' }],
    });
  });

  it('refuses an fpm option it does not implement, and a target other than a deb from a folder', () => {
    expect(() => parseFpmArgs(['-s', 'dir', '-t', 'deb', '--deb-systemd', 'x.service'])).toThrow(/--deb-systemd is not supported/);
    expect(() => parseFpmArgs(['-s', 'dir', '-t', 'rpm', '--name', 'x', '--version', '1', '--package', 'x.rpm'])).toThrow(/only -s dir -t deb/);
    expect(() => parseFpmArgs(['-s', 'dir', '-t', 'deb', '--version', '1', '--package', 'x.deb'])).toThrow(/--name is required/);
  });

  it('writes a control file in Debian\'s syntax', () => {
    const control = controlFile(parseFpmArgs(electronBuilderArgs('/app', '/x.deb')), 42);
    expect(control).toContain('Package: lesmodus-fpm-test\nVersion: 0.1.0\n');
    expect(control).toContain('Depends: libgtk-3-0, libnss3\n');
    expect(control).toContain('Installed-Size: 42\n');
    expect(control).toContain('Homepage: https://svok.example/lesmodus\n');
    expect(control.endsWith('Description: Classroom device policy agent.\n')).toBe(true);
  });

  const dpkgDeb = spawnSync('sh', ['-c', 'command -v dpkg-deb']).status === 0;
  it.skipIf(!dpkgDeb)('builds with dpkg-deb a package with the files, modes, maintainer scripts and conffiles fpm would make', async () => {
    const app = join(work, 'app');
    mkdirSync(join(app, 'resources'), { recursive: true });
    writeFileSync(join(app, 'tray'), '#!/bin/sh\n');
    chmodSync(join(app, 'tray'), 0o755);
    writeFileSync(join(app, 'resources', 'data.txt'), 'data');
    writeFileSync(join(work, 'autostart.desktop'), '[Desktop Entry]\n');
    for (const script of ['postinst', 'postrm']) writeFileSync(join(work, script), '#!/bin/sh\nexit 0\n');
    const contents = (deb: string) => spawnSync('dpkg-deb', ['-c', deb], { encoding: 'utf8' }).stdout;
    const control = (deb: string, file: string) => spawnSync('sh', ['-c', `dpkg-deb --ctrl-tarfile '${deb}' | tar -xOf - ./${file} 2>/dev/null`], { encoding: 'utf8' }).stdout;

    const plain = join(work, 'plain.deb');
    await buildDeb(parseFpmArgs(electronBuilderArgs(app, plain, [`${join(work, 'autostart.desktop')}=/etc/xdg/autostart/x.desktop`])));
    expect(contents(plain)).toMatch(/-rwxr-xr-x root\/root\s+\d+ .* \.\/opt\/Lesmodus\/tray\n/);
    expect(contents(plain)).toMatch(/drwxr-xr-x root\/root\s+0 .* \.\/opt\/Lesmodus\/\n/);
    expect(control(plain, 'conffiles')).toBe('/etc/xdg/autostart/x.desktop\n');
    expect(control(plain, 'postinst')).toBe('#!/bin/sh\nexit 0\n');
    expect(control(plain, 'md5sums')).toContain('  opt/Lesmodus/resources/data.txt');

    const noConffiles = join(work, 'no-conffiles.deb');
    await buildDeb(parseFpmArgs(electronBuilderArgs(app, noConffiles, ['--deb-no-default-config-files', `${join(work, 'autostart.desktop')}=/etc/xdg/autostart/x.desktop`])));
    expect(control(noConffiles, 'conffiles')).toBe('');
    expect(contents(noConffiles)).toContain('./etc/xdg/autostart/x.desktop');
  });

  it.skipIf(!dpkgDeb)('compresses at the level `package.ts --quick` asks for (xz -1, a 1 MiB dictionary against 8 MiB), and refuses a level that is none', async () => {
    const app = join(work, 'level-app');
    mkdirSync(app, { recursive: true });
    writeFileSync(join(app, 'data.txt'), 'lesmodus '.repeat(1000));
    /** The dictionary xz used for the package's files, from the stream's block headers. */
    const dictionary = (deb: string) => {
      const data = `${deb}.data.tar.xz`;
      spawnSync('sh', ['-c', `ar p '${deb}' data.tar.xz > '${data}'`]);
      return /--lzma2=dict=(\S+)/.exec(spawnSync('xz', ['--robot', '--list', '-vv', data], { encoding: 'utf8' }).stdout)?.[1];
    };
    const level = (value: string | undefined) => {
      if (value === undefined) delete process.env[DEB_XZ_LEVEL_VARIABLE];
      else process.env[DEB_XZ_LEVEL_VARIABLE] = value;
    };
    try {
      level(undefined);
      const standard = join(work, 'standard.deb');
      await buildDeb(parseFpmArgs(electronBuilderArgs(app, standard, ['--deb-compression', 'xz'])));
      level('1');
      const quick = join(work, 'quick.deb');
      await buildDeb(parseFpmArgs(electronBuilderArgs(app, quick, ['--deb-compression', 'xz'])));
      expect(dictionary(standard)).toBe('8MiB');
      expect(dictionary(quick)).toBe('1MiB');
      level('fast');
      await expect(buildDeb(parseFpmArgs(electronBuilderArgs(app, join(work, 'bad.deb'), ['--deb-compression', 'xz'])))).rejects.toThrow(/LESMODUS_DEB_XZ_LEVEL must be a level 0–9, not 'fast'/);
    } finally {
      level(undefined);
    }
  });
});
