import { describe, expect, it } from 'vitest';
import { exePathName, flatpakRunAppId, interpretedScriptNames, isInterpreter, snapNamesOf } from '../../../src/core/catalog/linux-cmdline.ts';

describe('Linux command lines', () => {
  it.each(['python', 'python3', '/usr/bin/python3.12', 'pypy3', 'node', 'gjs', '/usr/bin/gjs-console', 'perl', 'perl5.36', 'ruby3.1', 'bash', 'sh', 'java'])(
    'treats %s as an interpreter',
    (argv0) => expect(isInterpreter(argv0)).toBe(true),
  );

  it.each(['vim', 'obs', 'pythonista', 'nodejs-helper', 'shx'])('does not treat %s as an interpreter', (argv0) => {
    expect(isInterpreter(argv0)).toBe(false);
  });

  it.each([
    [['python3', '/usr/bin/kazam'], ['kazam']],
    [['python3', '-u', '-O', 'kazam.py', '--x'], ['kazam.py', 'kazam']],
    [['python3', '-X', 'dev', '/opt/app/main.py'], ['main.py', 'main']],
    [['python3', '-m', 'kazam'], ['kazam']],
    [['node', '--require', 'ts-node/register', 'server.js'], ['server.js', 'server']],
    [['java', '-Xmx1g', '-jar', '/opt/rec/recorder.jar'], ['recorder.jar', 'recorder']],
    [['bash', '--', '/usr/bin/run'], ['run']],
    [['bash', '-o', 'pipefail', '/usr/bin/run'], ['run']],
    // -I is a flag for Python but takes a folder for gjs.
    [['python3', '-I', '/usr/bin/kazam'], ['kazam']],
    [['gjs', '-I', '/usr/share/gsr/js', '/usr/bin/gnome-sound-recorder'], ['gnome-sound-recorder']],
    [['python3', '-c', 'print(1)'], []],
    [['perl', '-e', 'print 1'], []],
    [['python3'], []],
    [['python3', '-m'], []],
    [[], []],
    [['obs', '/usr/bin/kazam'], []],
  ])('reads the script of %j as %j', (cmdline, names) => {
    expect(interpretedScriptNames(cmdline)).toEqual(names);
  });

  it('reads the app id of a flatpak launcher', () => {
    expect(flatpakRunAppId(['/usr/bin/flatpak', 'run', '--branch=stable', 'org.gnome.Cheese'])).toBe('org.gnome.Cheese');
    expect(flatpakRunAppId(['flatpak', 'run', 'com.obsproject.Studio//beta', '--verbose'])).toBe('com.obsproject.Studio');
    expect(flatpakRunAppId(['flatpak', 'update'])).toBeUndefined();
    expect(flatpakRunAppId(['bwrap', 'run', 'com.obsproject.Studio'])).toBeUndefined();
  });

  it('reads snap names from /snap paths', () => {
    expect(snapNamesOf('/snap/obs-studio/1302/usr/bin/obs', undefined)).toEqual(['obs-studio']);
    expect(snapNamesOf(undefined, '/snap/bin/discord.canary')).toEqual(['discord']);
    expect(snapNamesOf('/snap/core22/1033/usr/bin/python3', '/snap/bin/kazam')).toEqual(['core22', 'kazam']);
    expect(snapNamesOf('/usr/bin/obs', 'obs')).toEqual([]);
  });

  it('strips the " (deleted)" mark of a replaced binary', () => {
    expect(exePathName('/usr/lib/firefox/firefox (deleted)')).toBe('firefox');
    expect(exePathName('/usr/bin/obs')).toBe('obs');
  });
});
