import { describe, expect, it } from 'vitest';
import { shippedIndex } from './fixtures.ts';

const index = shippedIndex();
const mac = (facts: Parameters<typeof index.classifyProcess>[1]) => index.classifyProcess('darwin', facts);

describe('classifyProcess on macOS', () => {
  it.each([
    ['com.obsproject.obs-studio', 'obs-studio', 'screen-recording'],
    ['com.apple.PhotoBooth', 'photo-booth', 'camera'],
    ['com.apple.VoiceMemos', 'voice-memos', 'audio-recording'],
    ['com.hnc.Discord', 'discord', 'social'],
    ['net.whatsapp.WhatsApp', 'whatsapp', 'social'],
    ['ru.keepcoder.Telegram', 'telegram', 'social'],
    ['org.audacityteam.audacity', 'audacity', 'audio-recording'],
  ])('knows bundle id %s as %s', (bundleId, service, category) => {
    expect(mac({ name: 'whatever', bundleId })).toMatchObject({ kind: 'bundle-id', input: bundleId, service, category, evidence: 'bundle-id' });
  });

  it('compares bundle ids case-insensitively', () => {
    expect(mac({ name: '', bundleId: 'COM.APPLE.PHOTOBOOTH' }).service).toBe('photo-booth');
  });

  it("matches an app's helpers and extensions by their sub-ids", () => {
    expect(mac({ name: 'Discord Helper (Renderer)', bundleId: 'com.hnc.Discord.helper.Renderer' })).toMatchObject({
      service: 'discord',
      matched: 'com.hnc.Discord',
    });
    expect(mac({ name: 'OBS Camera', bundleId: 'com.obsproject.obs-studio.mac-camera-extension' }).service).toBe('obs-studio');
  });

  it('does not match look-alike ids or bare parents', () => {
    expect(mac({ name: '', bundleId: 'com.hnc.Discordant' }).service).toBeNull();
    expect(mac({ name: '', bundleId: 'com.hnc' }).service).toBeNull();
    expect(mac({ name: '', bundleId: 'com.apple' }).neverBlock).toBe(false);
  });

  it('recognises a renamed app by its bundle id, even under a never-block name', () => {
    expect(mac({ name: 'Safari', exePath: '/Applications/Safari 2.app/Contents/MacOS/Safari', bundleId: 'com.hnc.Discord' })).toMatchObject({
      service: 'discord',
      neverBlock: false,
      evidence: 'bundle-id',
    });
  });

  it('falls back to the executable name when there is no bundle id', () => {
    expect(mac({ name: 'OBS' })).toMatchObject({ service: 'obs-studio', evidence: 'process-name' });
    expect(mac({ name: 'obs' }).service).toBe('obs-studio');
    expect(mac({ name: 'Photo Booth' }).service).toBe('photo-booth');
    expect(mac({ name: '', exePath: '/Applications/Telegram.app/Contents/MacOS/Telegram' })).toMatchObject({ service: 'telegram', evidence: 'exe-path' });
  });

  describe('never-block', () => {
    it.each([
      ['com.microsoft.teams2', 'microsoft-teams'],
      ['com.microsoft.teams', 'microsoft-teams'],
      ['com.apple.Safari', 'web-browsers'],
      ['org.mozilla.firefox', 'web-browsers'],
      ['org.chromium.Chromium', 'web-browsers'],
      ['com.microsoft.Word', 'microsoft-office'],
      ['com.apple.VoiceOver', 'voiceover'],
      ['org.safeexambrowser.SafeExamBrowser', 'safe-exam-browser'],
    ])('%s is never blocked (%s)', (bundleId, entry) => {
      expect(mac({ name: '', bundleId })).toMatchObject({ neverBlock: true, neverBlockEntry: entry });
    });

    it('knows Teams by its executable and app name when there is no bundle id', () => {
      for (const name of ['MSTeams', 'Teams', 'Microsoft Teams']) expect(mac({ name }).neverBlockEntry, name).toBe('microsoft-teams');
    });

    it("covers browsers' helpers and web-app shims", () => {
      expect(mac({ name: 'Google Chrome Helper (GPU)', bundleId: 'com.google.Chrome.helper' }).neverBlock).toBe(true);
      expect(mac({ name: 'app_mode_loader', bundleId: 'com.google.Chrome.app.agimnkijcaahngcdmfeangaknmldooml' }).neverBlock).toBe(true);
      expect(mac({ name: 'WebApp', bundleId: 'com.apple.Safari.WebApp.1C2B3A4D-0000-4000-8000-000000000000' }).neverBlock).toBe(true);
    });
  });

  it('leaves unknown processes alone', () => {
    expect(mac({ name: 'Finder', bundleId: 'com.apple.finder' })).toMatchObject({ category: null, service: null, neverBlock: false });
    expect(mac({ name: 'obs64.exe' }).service).toBeNull();
  });
});
