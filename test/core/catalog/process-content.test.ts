import { describe, expect, it } from 'vitest';
import { interpretedProgram } from '../../../src/core/catalog/linux-cmdline.ts';
import { indexOf, issuesOf, shippedIndex, tinyCatalogJson } from './fixtures.ts';

const SHA = 'a'.repeat(64);
const OTHER = 'b'.repeat(64);

describe('a program recognised by its content (a renamed copy)', () => {
  const index = indexOf(tinyCatalogJson((json) => {
    json.services[1]!.match.linux.contents = [{ sha256: SHA, bytes: 1234 }];
  }));

  it('names the service whose catalog content the file has, whatever the file is called', () => {
    expect(index.classifyProcess('linux', { name: 'notes', exePath: '/home/s/notes', contentSha256: SHA }))
      .toMatchObject({ service: 'obs-studio', evidence: 'content', matched: `sha256:${SHA}` });
    expect(index.classifyProcess('linux', { name: 'notes', contentSha256: OTHER })).toMatchObject({ service: null, evidence: null });
  });

  it('names an installed program the file is a byte-for-byte copy of, by the installed file', () => {
    const shipped = shippedIndex();
    expect(shipped.classifyProcess('linux', { name: 'notes', exePath: '/home/s/notes', sameContentAs: '/usr/share/discord/Discord' }))
      .toMatchObject({ service: 'discord', evidence: 'content' });
  });

  it('outranks a never-block name: a copy of Discord called firefox is Discord', () => {
    const shipped = shippedIndex();
    expect(shipped.classifyProcess('linux', { name: 'firefox', exePath: '/home/s/firefox', sameContentAs: '/usr/bin/discord' }))
      .toMatchObject({ service: 'discord', neverBlock: false, evidence: 'content' });
    expect(shipped.classifyProcess('linux', { name: 'firefox', exePath: '/home/s/firefox' })).toMatchObject({ neverBlock: true });
  });

  it('works on every OS with the hash, and with the installed file on Windows', () => {
    const win = indexOf(tinyCatalogJson((json) => {
      json.services[1]!.match.win32.contents = [{ sha256: SHA, bytes: 99 }];
    }));
    expect(win.classifyProcess('win32', { name: 'chrome.exe', contentSha256: SHA.toUpperCase() })).toMatchObject({ service: 'obs-studio', evidence: 'content' });
    expect(win.classifyProcess('win32', { name: 'notes.exe', sameContentAs: 'C:\\Program Files\\obs-studio\\bin\\64bit\\obs64.exe' }))
      .toMatchObject({ service: 'obs-studio', evidence: 'content' });
  });

  it('tells the agent which sizes are worth hashing', () => {
    expect([...index.contentSizes]).toEqual([1234]);
    expect(shippedIndex().contentSizes.size).toBe(0);
  });

  it('refuses a malformed content, and one content in two entries', () => {
    expect(issuesOf(tinyCatalogJson((json) => {
      json.services[1]!.match.linux.contents = [{ sha256: 'ABC', bytes: 0 }];
    }))).toEqual([
      'services.1.match.linux.contents.0.sha256: a sha256 is 64 lowercase hex digits, as `sha256sum` prints it',
      'services.1.match.linux.contents.0.bytes: bytes is the file size in bytes, as `stat -c %s` prints it',
    ]);
    expect(issuesOf(tinyCatalogJson((json) => {
      json.services[1]!.match.linux.contents = [{ sha256: SHA, bytes: 1 }];
      json.neverBlock[1]!.match.linux = { contents: [{ sha256: SHA, bytes: 1 }] };
    }))).toEqual([`services.1.match.linux.contents.0: "${SHA}" is a program content already matched by never-block entry "browsers"`]);
  });
});

describe('interpretedProgram', () => {
  it.each([
    [['python3', '/home/s/notes.py'], { arg: '/home/s/notes.py', isFile: true }],
    [['python3', '-m', 'kazam'], { arg: 'kazam', isFile: false }],
    [['java', '-jar', 'app.jar'], { arg: 'app.jar', isFile: true }],
    [['python3', '-c', 'print(1)'], undefined],
    [['/usr/bin/cat', 'x'], undefined],
  ] as const)('reads %j', (cmdline, expected) => {
    expect(interpretedProgram(cmdline)).toEqual(expected);
  });
});
