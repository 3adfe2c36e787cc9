import { describe, expect, it } from 'vitest';
import { shippedIndex, indexOf } from './fixtures.ts';

const index = shippedIndex();
const linux = (facts: Parameters<typeof index.classifyProcess>[1]) => index.classifyProcess('linux', facts);

describe('classifyProcess on Linux', () => {
  it.each([
    ['obs', 'obs-studio'],
    ['cheese', 'cheese'],
    ['guvcview', 'guvcview'],
    ['kamoso', 'kamoso'],
    ['snapshot', 'gnome-camera'],
    ['vokoscreenNG', 'vokoscreen-ng'],
    ['peek', 'peek'],
    ['kooha', 'kooha'],
    ['recordmydesktop', 'recordmydesktop'],
    ['audacity', 'audacity'],
    ['audio-recorder', 'audio-recorder'],
    ['Discord', 'discord'],
    ['discord', 'discord'],
    ['Telegram', 'telegram'],
  ])('knows comm %s as %s', (name, service) => {
    expect(linux({ name })).toMatchObject({ kind: 'process', service, neverBlock: false });
  });

  describe('comm cut to 15 characters', () => {
    it.each([
      ['simplescreenrec', 'simplescreenrecorder'],
      ['gnome-sound-rec', 'gnome-sound-recorder'],
      ['telegram-deskto', 'telegram'],
      ['whatsapp-for-li', 'whatsapp'],
      ['gtk-recordmydes', 'recordmydesktop'],
    ])('reads %s as the start of a longer name (%s)', (name, service) => {
      expect(linux({ name })).toMatchObject({ service, evidence: 'truncated-name' });
    });

    it('matches a name of exactly 15 characters as itself', () => {
      expect(linux({ name: 'teams-for-linux' })).toMatchObject({ neverBlock: true, neverBlockEntry: 'microsoft-teams', evidence: 'process-name' });
      expect(linux({ name: 'recordmydesktop' })).toMatchObject({ service: 'recordmydesktop', evidence: 'process-name' });
    });

    it('does not stretch shorter names', () => {
      expect(linux({ name: 'teams-for-linu' })).toMatchObject({ neverBlock: false, service: null });
      expect(linux({ name: 'simplescreenre' }).service).toBeNull();
      expect(linux({ name: 'gnome-sound' }).service).toBeNull();
    });

    it('lets never-block win when the cut name could be either', () => {
      const ambiguous = indexOf({
        version: 't',
        services: [{ id: 'class-recorder', name: 'Recorder', category: 'screen-recording', match: { linux: { binaries: ['classroom-recorder'] } } }],
        neverBlock: [{ id: 'class-reader', name: 'Reader', reason: 'a11y', match: { linux: { binaries: ['classroom-recorder-reader'] } } }],
      });
      expect(ambiguous.classifyProcess('linux', { name: 'classroom-recor' })).toMatchObject({ neverBlock: true, neverBlockEntry: 'class-reader' });
      // The exe path names the binary in full: the guess is not needed.
      expect(ambiguous.classifyProcess('linux', { name: 'classroom-recor', exePath: '/usr/bin/classroom-recorder' })).toMatchObject({
        service: 'class-recorder',
        evidence: 'exe-path',
      });
      expect(ambiguous.classifyProcess('linux', { name: 'classroom-recor', exePath: '/opt/reader/classroom-recorder-reader' }).neverBlock).toBe(true);
    });
  });

  it('matches the exe path, also after the binary was replaced on disk', () => {
    expect(linux({ name: 'x', exePath: '/usr/bin/simplescreenrecorder' })).toMatchObject({ service: 'simplescreenrecorder', evidence: 'exe-path' });
    expect(linux({ name: 'firefox-bin', exePath: '/usr/lib/firefox/firefox-bin (deleted)' })).toMatchObject({ neverBlock: true, evidence: 'exe-path' });
  });

  it('judges by the file the kernel runs, not by a never-block name a link or argv[0] gives it', () => {
    for (const alias of ['firefox', 'chromium', 'teams']) {
      expect(linux({ name: alias, cmdline: [`/home/sanne/${alias}`], exePath: '/home/sanne/discord' }), alias).toMatchObject({ service: 'discord', evidence: 'exe-path' });
    }
    // Without the exe path (not readable), the name is all there is.
    expect(linux({ name: 'firefox', cmdline: ['/home/sanne/firefox'] })).toMatchObject({ neverBlock: true });
  });

  it('sees the program behind the dynamic loader, skipping the loader\'s own options', () => {
    expect(linux({ name: 'ld-linux-x86-64', cmdline: ['/lib64/ld-linux-x86-64.so.2', '/home/sanne/discord'], exePath: '/usr/lib/x86_64-linux-gnu/ld-linux-x86-64.so.2' }))
      .toMatchObject({ service: 'discord', evidence: 'exe-path' });
    expect(linux({ name: 'ld-linux-x86-64', cmdline: ['/lib64/ld-linux-x86-64.so.2', '--argv0', 'firefox', '--library-path', '/x', '/home/sanne/Discord'], exePath: '/usr/lib/x86_64-linux-gnu/ld-linux-x86-64.so.2' }))
      .toMatchObject({ service: 'discord' });
    // A program whose first argument happens to be a blocked name is not the loader.
    expect(linux({ name: 'cat', cmdline: ['cat', 'discord'], exePath: '/usr/bin/cat' }).service).toBeNull();
  });

  describe('scripts run by an interpreter', () => {
    it.each([
      [['python3', '/usr/bin/kazam'], 'kazam'],
      [['/usr/bin/python3.11', '-u', '/usr/bin/kazam', '--nosound'], 'kazam'],
      [['python3', '-m', 'kazam'], 'kazam'],
      [['python3', '-W', 'ignore', '/usr/bin/kazam'], 'kazam'],
      [['python3', './kazam.py'], 'kazam'],
      [['/usr/bin/gjs-console', '/usr/bin/gnome-sound-recorder'], 'gnome-sound-recorder'],
      [['gjs', '-m', '/usr/bin/gnome-sound-recorder'], 'gnome-sound-recorder'],
      [['/usr/bin/python3', '/usr/bin/gtk-recordmydesktop'], 'recordmydesktop'],
      [['python3', '/usr/bin/zapzap'], 'whatsapp'],
    ])('%j is %s', (cmdline, service) => {
      const argv0 = cmdline[0]!;
      expect(linux({ name: argv0.split('/').pop()!, cmdline, exePath: '/usr/bin/python3.11' })).toMatchObject({ service, evidence: 'script' });
    });

    it('sees the script name in comm when the kernel ran the #! line', () => {
      expect(linux({ name: 'kazam', cmdline: ['/usr/bin/python3', '/usr/bin/kazam'] }).service).toBe('kazam');
      expect(linux({ name: 'gnome-sound-rec', cmdline: ['/usr/bin/gjs-console', '/usr/bin/gnome-sound-recorder'] })).toMatchObject({
        service: 'gnome-sound-recorder',
        evidence: 'script',
      });
    });

    it('never blocks the Orca screen reader, a Python script', () => {
      expect(linux({ name: 'orca', cmdline: ['/usr/bin/python3', '/usr/bin/orca', '--replace'], exePath: '/usr/bin/python3.11' })).toMatchObject({
        neverBlock: true,
        neverBlockEntry: 'orca',
      });
    });

    it('ignores inline code, non-interpreters, and interpreters running nothing known', () => {
      expect(linux({ name: 'python3', cmdline: ['python3', '-c', 'import kazam'] }).service).toBeNull();
      expect(linux({ name: 'vim', cmdline: ['vim', '/usr/bin/kazam'] }).service).toBeNull();
      expect(linux({ name: 'python3', cmdline: ['python3', '/home/l/huiswerk.py'] }).service).toBeNull();
      expect(linux({ name: 'python3', cmdline: ['python3'] }).service).toBeNull();
      expect(linux({ name: 'bash', cmdline: ['bash', '-c', 'kazam'] }).service).toBeNull();
    });
  });

  describe('flatpak and snap', () => {
    it('matches a sandboxed app by its flatpak id', () => {
      expect(linux({ name: 'obs', flatpakAppId: 'com.obsproject.Studio' })).toMatchObject({ kind: 'package', service: 'obs-studio', evidence: 'flatpak' });
      expect(linux({ name: 'firefox', flatpakAppId: 'org.mozilla.firefox' })).toMatchObject({ neverBlock: true, evidence: 'flatpak' });
    });

    it('trusts the flatpak id over a never-block process name inside the sandbox', () => {
      expect(linux({ name: 'chrome', flatpakAppId: 'com.discordapp.Discord' })).toMatchObject({ service: 'discord', evidence: 'flatpak' });
    });

    it('reads the app id from the flatpak launcher command line', () => {
      const cmdline = ['/usr/bin/flatpak', 'run', '--branch=stable', '--arch=x86_64', '--command=obs', 'com.obsproject.Studio//stable', '--startreplaybuffer'];
      expect(linux({ name: 'flatpak', cmdline })).toMatchObject({ service: 'obs-studio', evidence: 'flatpak', input: 'com.obsproject.Studio' });
      expect(linux({ name: 'flatpak', cmdline: ['flatpak', 'list'] }).service).toBeNull();
    });

    it('matches snaps by their /snap path or name', () => {
      expect(linux({ name: 'obs', exePath: '/snap/obs-studio/1302/usr/bin/obs' })).toMatchObject({ service: 'obs-studio', evidence: 'snap' });
      expect(linux({ name: 'telegram-deskto', cmdline: ['/snap/bin/telegram-desktop'] })).toMatchObject({ service: 'telegram', evidence: 'snap' });
      expect(linux({ name: 'python3', exePath: '/snap/core22/1033/usr/bin/python3.10', cmdline: ['/snap/bin/discord.canary'] }).service).toBe('discord');
      expect(linux({ name: 'firefox', snapName: 'firefox' })).toMatchObject({ neverBlock: true, evidence: 'snap' });
    });
  });

  describe('never-block', () => {
    it.each([
      ['teams-for-linux', 'microsoft-teams'],
      ['firefox', 'web-browsers'],
      ['firefox-esr', 'web-browsers'],
      ['chromium', 'web-browsers'],
      ['chromium-browse', 'web-browsers'],
      ['chrome', 'web-browsers'],
      ['google-chrome-s', 'web-browsers'],
    ])('%s is never blocked (%s)', (name, entry) => {
      expect(linux({ name })).toMatchObject({ neverBlock: true, neverBlockEntry: entry });
    });
  });

  it('leaves unknown processes alone and ignores Windows names', () => {
    expect(linux({ name: 'gnome-shell' })).toMatchObject({ category: null, neverBlock: false });
    expect(linux({ name: 'obs64.exe' }).service).toBeNull();
    expect(linux({ name: '' }).service).toBeNull();
  });
});
