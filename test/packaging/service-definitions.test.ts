import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, posix, win32 } from 'node:path';
import type { Configuration } from 'electron-builder';
import { beforeAll, describe, expect, it } from 'vitest';
import { AGENT_DATA_DIR, AGENT_ENTRY, INSTALLED_RESOURCES, nodeBinaryOf, WINDOWS_SERVICE_EXE, WINDOWS_SERVICE_XML } from '../../scripts/packaging/layout.ts';
import { DARWIN_OWNER_RECORD_DIR } from '../../src/agent/browser/darwin-policy-plan.ts';
import { LINUX_CHROMIUM_MANAGED_DIRS, LINUX_FIREFOX_POLICIES, LINUX_OWNER_RECORD_DIR } from '../../src/agent/browser/linux-policy-plan.ts';
import { DEFAULT_PROXY_ADDRESS } from '../../src/agent/browser/pac-script.ts';
import { OWN_FILE_PREFIX } from '../../src/agent/browser/policy-files.ts';
import { defaultControlSocket } from '../../src/agent/control/protocol.ts';
import { POSIX_CONFIG_PATH as DEFAULT_CONFIG_PATH, MACOS_DOMAIN } from '../../src/core/config/mdm/names.ts';
import { python } from '../helpers/python.ts';
import { loadBuilderConfig } from './builder-config.ts';
import { execStartArgv, parseUnitFile, unitValue } from './unit-file.ts';

/**
 * The service definitions for the three OSes, checked as data: each parsed by
 * a real parser of its format, and the paths they start checked against the
 * package layout electron-builder.yml produces (scripts/packaging/layout.ts)
 * and the paths the agent itself uses. The Linux package is also built and
 * installed for real (deb.test.ts); Windows and macOS are built on their own
 * runners.
 */

const PROJECT = join(import.meta.dirname, '..', '..');
const PACKAGING = join(PROJECT, 'resources', 'packaging');
const read = (...path: string[]) => readFileSync(join(PROJECT, ...path), 'utf8');
const posixResources = (os: 'linux' | 'mac', ...parts: readonly string[]) => posix.join(INSTALLED_RESOURCES[os], ...parts);

let config: Configuration;
beforeAll(async () => {
  config = await loadBuilderConfig(PROJECT);
}, 30_000);

describe('electron-builder.yml', () => {
  it('is valid for electron-builder, names the tray entry that exists, and package.json has the homepage deb needs', () => {
    const main = (config.extraMetadata as { main?: string }).main;
    expect(main).toBe('src/desktop/main.ts');
    expect(existsSync(join(PROJECT, main!))).toBe(true);
    const files = (config.files as ({ filter: string[] } | string)[]).flatMap((f) => (typeof f === 'string' ? [f] : f.filter));
    expect(files).toContain('src/desktop/**/*');
    expect(JSON.parse(read('package.json')).homepage).toMatch(/^https:\/\//);
    expect(config.npmRebuild).toBe(false);
    expect(config.asarUnpack).toContain('**/*.node');
  });

  it('installs silently per machine for Intune: NSIS one-click /S without running the tray as SYSTEM, MSI with a fixed upgrade code', () => {
    expect(config.nsis).toMatchObject({ oneClick: true, perMachine: true, runAfterFinish: false });
    expect(config.msi).toMatchObject({ perMachine: true, runAfterFinish: false });
    expect(config.msi?.upgradeCode).toMatch(/^[0-9A-F]{8}-[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{12}$/);
    expect(existsSync(join(PACKAGING, config.nsis!.include as string))).toBe(true);
  });

  it('gives the pkg its install and launchd scripts, executable, and the deb its maintainer scripts', () => {
    expect(config.pkg).toMatchObject({ installLocation: '/Applications', isRelocatable: false });
    for (const script of ['preinstall', 'postinstall']) {
      expect(statSync(join(PACKAGING, config.pkg!.scripts as string, script)).mode & 0o111, script).not.toBe(0);
    }
    expect(existsSync(join(PROJECT, config.deb!.afterInstall!))).toBe(true);
    expect(existsSync(join(PROJECT, config.deb!.afterRemove!))).toBe(true);
    for (const arg of config.deb!.fpm!) {
      const source = /^--before-remove=(.+)$/.exec(arg)?.[1] ?? (arg.startsWith('-') ? undefined : arg.split('=')[0]);
      if (source !== undefined) expect(existsSync(join(PROJECT, source)), source).toBe(true);
    }
  });
});

describe('the Linux package scripts', () => {
  const template = (name: string) => readFileSync(join(PROJECT, 'node_modules', 'app-builder-lib', 'templates', 'linux', name), 'utf8');
  const commands = (script: string) => script.split('\n').map((l) => l.trim()).filter((l) => l !== '' && !l.startsWith('#'));
  // Replaced on purpose: electron-builder asks as root whether user namespaces work, which
  // root can still make after the package switched them off for students (see after-install.tpl).
  const REPLACED = ['if ! { [[ -L /proc/self/ns/user ]] && unshare --user true; }; then'];

  it("keep every step of electron-builder's default postinst and postrm (a custom script replaces them)", () => {
    const ours = { install: commands(read('resources/packaging/linux/after-install.tpl')), remove: commands(read('resources/packaging/linux/after-remove.tpl')) };
    const missingInstall = commands(template('after-install.tpl')).filter((l) => !ours.install.includes(l) && !REPLACED.includes(l));
    expect(missingInstall).toEqual([]);
    expect(commands(template('after-remove.tpl')).filter((l) => !ours.remove.includes(l))).toEqual([]);
  });

  it('use only the macros electron-builder fills in, and are valid shell', () => {
    for (const name of ['after-install.tpl', 'after-remove.tpl']) {
      const macros = [...read('resources/packaging/linux', name).matchAll(/\$\{([a-zA-Z]+)\}/g)].map((m) => m[1]);
      expect(new Set(macros), name).toEqual(new Set(['executable', 'sanitizedProductName']));
    }
    for (const [shell, file] of [
      ['bash', 'linux/after-install.tpl'], ['bash', 'linux/after-remove.tpl'], ['sh', 'linux/before-remove.sh'], ['sh', 'linux/lesmodus'],
      ['sh', 'macos/pkg-scripts/preinstall'], ['sh', 'macos/pkg-scripts/postinstall'], ['sh', 'macos/uninstall.sh'],
    ] as const) {
      const check = spawnSync(shell, ['-n', join(PACKAGING, file)], { encoding: 'utf8' });
      expect(check.status, `${file}: ${check.stderr}`).toBe(0);
    }
  });

  it('take away on removal every browser policy file the agent owns, and a shared one only by its owner record', () => {
    const prerm = read('resources/packaging/linux/before-remove.sh');
    for (const dir of Object.values(LINUX_CHROMIUM_MANAGED_DIRS)) expect(prerm, dir).toContain(`${dir}/${OWN_FILE_PREFIX}*.json`);
    expect(prerm).toContain(`firefox_policies=${LINUX_FIREFOX_POLICIES}`);
    expect(prerm).toContain(`firefox_record=${LINUX_OWNER_RECORD_DIR}/firefox-policies.json.owner`);
  });

  it('switch off unprivileged user namespaces only with switches that leave root its own', () => {
    const keys = read('resources/packaging/linux/60-lesmodus-userns.conf').split('\n').filter((l) => l !== '' && !l.startsWith('#'));
    expect(keys).toEqual(['-kernel.unprivileged_userns_clone = 0', '-kernel.apparmor_restrict_unprivileged_userns = 1']);
  });
});

describe('the systemd unit', () => {
  const unit = parseUnitFile(read('resources/packaging/linux/lesmodus-agent.service'));
  const service = unit.get('Service')!;

  it('starts the agent on the bundled Node from the package, restarting on failure and never giving up', () => {
    expect(execStartArgv(unit)).toEqual([
      posixResources('linux', ...nodeBinaryOf('linux')), posixResources('linux', ...AGENT_ENTRY), 'agent', '--data-dir', AGENT_DATA_DIR.linux,
    ]);
    expect(unitValue(unit, 'Service', 'Restart')).toBe('on-failure');
    expect(unitValue(unit, 'Unit', 'StartLimitIntervalSec')).toBe('0');
    expect(unitValue(unit, 'Install', 'WantedBy')).toBe('multi-user.target');
    // The /usr/bin/lesmodus command runs the same Node and sources.
    expect(read('resources/packaging/linux/lesmodus')).toContain(`exec ${execStartArgv(unit).slice(0, 2).join(' ')} "$@"`);
  });

  it('keeps the state, config and socket folders the agent uses, root-only where they hold secrets', () => {
    expect(posix.join('/var/lib', unitValue(unit, 'Service', 'StateDirectory'))).toBe(AGENT_DATA_DIR.linux);
    expect(unitValue(unit, 'Service', 'StateDirectoryMode')).toBe('0700');
    expect(posix.join('/etc', unitValue(unit, 'Service', 'ConfigurationDirectory'))).toBe(dirname(DEFAULT_CONFIG_PATH));
    expect(unitValue(unit, 'Service', 'ConfigurationDirectoryMode')).toBe('0700');
    // /var/run is /run: the students' tray and CLI reach the socket there.
    expect(posix.join('/var/run', unitValue(unit, 'Service', 'RuntimeDirectory'))).toBe(dirname(defaultControlSocket('linux')));
    expect(unitValue(unit, 'Service', 'RuntimeDirectoryMode')).toBe('0755');
  });

  it('is hardened but can still see and stop the student\'s processes, read their programs and write every browser policy', () => {
    const caps = unitValue(unit, 'Service', 'CapabilityBoundingSet').split(/\s+/);
    expect(caps).toEqual(expect.arrayContaining(['CAP_KILL', 'CAP_SYS_PTRACE', 'CAP_DAC_READ_SEARCH']));
    if (DEFAULT_PROXY_ADDRESS.port < 1024) expect(caps).toContain('CAP_NET_BIND_SERVICE');
    expect(unitValue(unit, 'Service', 'NoNewPrivileges')).toBe('yes');
    expect(unitValue(unit, 'Service', 'ProtectSystem')).toBe('strict');
    for (const blinding of ['ProtectProc', 'PrivateTmp', 'PrivatePIDs', 'PrivateUsers', 'MemoryDenyWriteExecute']) {
      expect(service.has(blinding), blinding).toBe(false);
    }
    const writable = [...unitValue(unit, 'Service', 'ReadWritePaths').split(/\s+/), AGENT_DATA_DIR.linux];
    for (const path of [...Object.values(LINUX_CHROMIUM_MANAGED_DIRS), LINUX_FIREFOX_POLICIES, LINUX_OWNER_RECORD_DIR]) {
      expect(writable.some((w) => path === w || path.startsWith(`${w}/`)), path).toBe(true);
    }
  });

  it('is started at login as the tray by an autostart entry that runs the packaged binary', () => {
    const exec = /^Exec=(.+)$/m.exec(read('resources/packaging/linux/lesmodus-tray.desktop'))?.[1];
    expect(exec).toBe(posix.join(dirname(INSTALLED_RESOURCES.linux), config.linux!.executableName!));
  });
});

describe('the macOS launchd jobs', () => {
  const plist = (name: string) => python('import json, plistlib, sys; print(json.dumps(plistlib.load(open(sys.argv[1], "rb"))))', join(PACKAGING, 'macos', name)) as Record<string, unknown>;
  const daemon = plist('nl.svok.lesmodus.agent.plist');
  const tray = plist('nl.svok.lesmodus.tray.plist');

  it('are labelled under the app domain the MDM profile manages as login items', () => {
    expect(daemon.Label).toBe(`${MACOS_DOMAIN}.agent`);
    expect(tray.Label).toBe(`${MACOS_DOMAIN}.tray`);
    expect(daemon.AssociatedBundleIdentifiers).toBe(config.appId);
  });

  it('run the agent as a LaunchDaemon on the bundled Node, restarted when it fails', () => {
    expect(daemon.ProgramArguments).toEqual([
      posixResources('mac', ...nodeBinaryOf('mac')), posixResources('mac', ...AGENT_ENTRY), 'agent', '--data-dir', AGENT_DATA_DIR.mac,
    ]);
    expect(INSTALLED_RESOURCES.mac.startsWith(`${config.pkg!.installLocation}/${config.productName}.app/`)).toBe(true);
    expect(daemon).toMatchObject({ RunAtLoad: true, KeepAlive: { SuccessfulExit: false } });
    expect(DARWIN_OWNER_RECORD_DIR.startsWith(`${AGENT_DATA_DIR.mac}/`)).toBe(true);
  });

  it('run the tray per user session as a LaunchAgent, and the postinstall installs both from the app', () => {
    expect(tray.ProgramArguments).toEqual([`${config.pkg!.installLocation}/${config.productName}.app/Contents/MacOS/${config.productName}`]);
    expect(tray).toMatchObject({ RunAtLoad: true, KeepAlive: { SuccessfulExit: false }, LimitLoadToSessionType: 'Aqua' });
    const postinstall = read('resources/packaging/macos/pkg-scripts/postinstall');
    expect(postinstall).toContain(`RESOURCES=${INSTALLED_RESOURCES.mac}`);
    expect(postinstall).toContain('/Library/LaunchDaemons/$DAEMON.plist');
    expect(postinstall).toContain('/Library/LaunchAgents/$TRAY.plist');
    const shipped = config.mac!.extraResources as { from: string; to: string; filter: string[] }[];
    expect(shipped).toContainEqual({ from: 'resources/packaging/macos', to: 'packaging', filter: expect.arrayContaining(['*.plist']) });
  });
});

describe('the Windows service', () => {
  /** What WinSW 1.17 (node-windows 0.1.14's winsw.exe) reads from its XML. */
  const WINSW_1_17_ELEMENTS = new Set([
    'id', 'name', 'description', 'executable', 'argument', 'arguments', 'startargument', 'stopexecutable', 'stopargument',
    'startmode', 'depend', 'logpath', 'logmode', 'log', 'onfailure', 'resetfailure', 'stoptimeout', 'stopparentprocessfirst',
    'env', 'workingdirectory', 'serviceaccount', 'interactive', 'beeponshutdown', 'priority', 'waithint', 'sleeptime', 'download',
  ]);
  const xml = python(`import json, sys, xml.etree.ElementTree as ET
root = ET.parse(sys.argv[1]).getroot()
print(json.dumps({"root": root.tag, "children": [{"tag": c.tag, "text": (c.text or "").strip(), "attrib": c.attrib} for c in root]}))`,
  join(PACKAGING, 'windows', 'lesmodus-agent.xml')) as { root: string; children: { tag: string; text: string; attrib: Record<string, string> }[] };
  const texts = (tag: string) => xml.children.filter((c) => c.tag === tag).map((c) => c.text);

  it('uses only what WinSW 1.17 reads', () => {
    expect(xml.root).toBe('service');
    expect(xml.children.map((c) => c.tag).filter((t) => !WINSW_1_17_ELEMENTS.has(t))).toEqual([]);
  });

  it('runs the agent on the bundled Node from beside the service wrapper, starting with Windows and restarting on failure', () => {
    const serviceDir = win32.join(...WINDOWS_SERVICE_EXE.slice(0, -1));
    // Not win32.join: it would fold %BASE%\.. away.
    const fromService = (...parts: readonly string[]) => `%BASE%\\${win32.relative(serviceDir, win32.join(...parts))}`;
    expect(texts('executable')).toEqual([fromService(...nodeBinaryOf('win'))]);
    expect(texts('argument')).toEqual([fromService(...AGENT_ENTRY), 'agent', '--data-dir', AGENT_DATA_DIR.win.replace('C:\\ProgramData', '%ProgramData%')]);
    expect(texts('startmode')).toEqual(['Automatic']);
    const failures = xml.children.filter((c) => c.tag === 'onfailure').map((c) => c.attrib.action);
    expect(failures.length).toBeGreaterThan(0);
    expect(new Set(failures)).toEqual(new Set(['restart']));
    expect(WINDOWS_SERVICE_XML.at(-1)).toBe(`${win32.parse(WINDOWS_SERVICE_EXE.at(-1)!).name}.xml`);
  });

  it('is registered and started by the NSIS installer, with the tray in HKLM Run, and both removed by the uninstaller', () => {
    const nsh = read('resources/packaging/windows/installer.nsh');
    const exe = `$INSTDIR\\resources\\${win32.join(...WINDOWS_SERVICE_EXE)}`;
    expect(nsh).toContain(`nsExec::ExecToLog '"${exe}" \${command}'`);
    const install = /!macro customInstall([\s\S]*?)!macroend/.exec(nsh)![1]!;
    const uninstall = /!macro customUnInstall([\s\S]*?)!macroend/.exec(nsh)![1]!;
    expect(install).toMatch(/lesmodusService "install"[\s\S]*lesmodusService "start"/);
    expect(install).toContain('WriteRegStr HKLM "Software\\Microsoft\\Windows\\CurrentVersion\\Run" "Lesmodus"');
    expect(uninstall).toMatch(/lesmodusService "stop"[\s\S]*lesmodusService "uninstall"/);
    expect(uninstall).toContain('DeleteRegValue HKLM "Software\\Microsoft\\Windows\\CurrentVersion\\Run" "Lesmodus"');
    const shipped = config.win!.extraResources as { from: string; to: string }[];
    expect(shipped).toContainEqual(expect.objectContaining({ from: 'resources/packaging/windows/lesmodus-agent.xml', to: win32.join(...WINDOWS_SERVICE_XML).replace('\\', '/') }));
  });
});
