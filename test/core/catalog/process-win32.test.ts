import { describe, expect, it } from 'vitest';
import { shippedIndex } from './fixtures.ts';

const index = shippedIndex();
const win = (facts: Parameters<typeof index.classifyProcess>[1]) => index.classifyProcess('win32', facts);

describe('classifyProcess on Windows', () => {
  it.each([
    ['obs64.exe', 'obs-studio', 'screen-recording'],
    ['OBS64.EXE', 'obs-studio', 'screen-recording'],
    ['obs64', 'obs-studio', 'screen-recording'],
    ['Discord.exe', 'discord', 'social'],
    ['WhatsApp.Root.exe', 'whatsapp', 'social'],
    ['Telegram.exe', 'telegram', 'social'],
    ['WindowsCamera.exe', 'windows-camera', 'camera'],
    ['SoundRec.exe', 'windows-sound-recorder', 'audio-recording'],
    ['Audacity.exe', 'audacity', 'audio-recording'],
    ['ShareX.exe', 'sharex', 'screen-recording'],
    ['GameBar.exe', 'xbox-game-bar', 'screen-recording'],
  ])('knows %s as %s', (name, service, category) => {
    expect(win({ name })).toMatchObject({ kind: 'process', service, category, neverBlock: false, evidence: 'process-name' });
  });

  it('matches the file name of the exe path too', () => {
    expect(win({ name: '', exePath: 'C:\\Program Files\\obs-studio\\bin\\64bit\\obs64.exe' })).toMatchObject({
      service: 'obs-studio',
      evidence: 'exe-path',
      matched: 'obs64.exe',
    });
  });

  it('matches Store apps by package family, whatever the exe is called', () => {
    expect(win({ name: 'App.exe', packageFamily: 'Microsoft.WindowsCamera_8wekyb3d8bbwe' })).toMatchObject({
      kind: 'package',
      input: 'Microsoft.WindowsCamera_8wekyb3d8bbwe',
      service: 'windows-camera',
      evidence: 'store-package',
    });
    expect(win({ name: '', packageFamily: 'bytedancepte.ltd.tiktok_6yccndn6064se' }).service).toBe('tiktok');
    expect(win({ name: '', packageFamily: 'Microsoft.XboxGamingOverlay_8wekyb3d8bbwe' }).category).toBe('screen-recording');
  });

  describe('a renamed copy', () => {
    it('is still recognised by its PE original name', () => {
      expect(win({ name: 'rekenmachine.exe', originalName: 'obs' })).toMatchObject({
        service: 'obs-studio',
        evidence: 'original-name',
        input: 'obs',
      });
      expect(win({ name: 'notes.exe', originalName: 'Discord.exe' }).service).toBe('discord');
    });

    it('cannot hide behind a never-block file name', () => {
      expect(win({ name: 'chrome.exe', exePath: 'C:\\Users\\leerling\\chrome.exe', originalName: 'obs' })).toMatchObject({
        service: 'obs-studio',
        neverBlock: false,
        evidence: 'original-name',
      });
    });

    it('of a never-block program stays never-blocked under a blocked name', () => {
      expect(win({ name: 'Discord.exe', originalName: 'msedge.exe' })).toMatchObject({ neverBlock: true, neverBlockEntry: 'web-browsers' });
    });
  });

  describe('never-block', () => {
    it.each([
      [{ name: 'ms-teams.exe' }, 'microsoft-teams'],
      [{ name: 'Teams.exe' }, 'microsoft-teams'],
      [{ name: 'x.exe', packageFamily: 'MSTeams_8wekyb3d8bbwe' }, 'microsoft-teams'],
      [{ name: 'msedgewebview2.exe' }, 'microsoft-edge-webview2'],
      [{ name: 'firefox.exe' }, 'web-browsers'],
      [{ name: 'WINWORD.EXE' }, 'microsoft-office'],
      [{ name: 'olk.exe' }, 'microsoft-office'],
      [{ name: 'SafeExamBrowser.exe' }, 'safe-exam-browser'],
      [{ name: 'nvda.exe' }, 'nvda'],
      [{ name: 'Narrator.exe' }, 'windows-accessibility'],
      [{ name: 'Kurzweil 3000.exe' }, 'kurzweil-3000'],
    ])('%o is never blocked (%s)', (facts, entry) => {
      expect(win(facts)).toMatchObject({ neverBlock: true, neverBlockEntry: entry, category: null, service: null });
    });

    it('wins for a shared runtime that runs under a blocked app\'s package', () => {
      // WebView2 processes of the WhatsApp app carry WhatsApp's package identity;
      // they end with WhatsApp.Root.exe, and other apps' WebView2 must live.
      expect(win({ name: 'msedgewebview2.exe', packageFamily: '5319275A.WhatsAppDesktop_cv1g1gvanyjgm' })).toMatchObject({
        neverBlock: true,
        neverBlockEntry: 'microsoft-edge-webview2',
      });
      expect(win({ name: 'WhatsApp.Root.exe', packageFamily: '5319275A.WhatsAppDesktop_cv1g1gvanyjgm' })).toMatchObject({
        service: 'whatsapp',
        kind: 'package',
      });
    });

    it('wins for a browser hosting a Store web app (Facebook installed as PWA)', () => {
      expect(win({ name: 'msedge.exe', packageFamily: 'Facebook.Facebook_8xx8rvfyw5nnt' }).neverBlock).toBe(true);
      expect(win({ name: 'msedge.exe', originalName: 'msedge.exe', packageFamily: 'Facebook.Facebook_8xx8rvfyw5nnt' }).neverBlock).toBe(true);
    });
  });

  it('leaves unknown processes alone', () => {
    expect(win({ name: 'explorer.exe' })).toMatchObject({ kind: 'process', input: 'explorer.exe', host: null, category: null, service: null, neverBlock: false, evidence: null });
    expect(win({ name: '' })).toMatchObject({ category: null, neverBlock: false });
    expect(win({ name: '.exe' })).toMatchObject({ category: null, neverBlock: false });
  });

  it('does not use the macOS or Linux names', () => {
    expect(win({ name: 'cheese' }).service).toBeNull();
    expect(win({ name: 'x.exe', bundleId: 'com.hnc.Discord' }).service).toBeNull();
    expect(win({ name: 'x.exe', flatpakAppId: 'com.obsproject.Studio' }).service).toBeNull();
  });
});
