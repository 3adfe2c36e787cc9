import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { allCommands, COMMAND_PATHS, exportedPaths, findCommand } from '../../src/cli/command-table.ts';

/** Which heavy packages a process had loaded after running `args` through the CLI's main, in-process, without printing its output. */
function loadedAfter(args: string[]): string[] {
  const main = fileURLToPath(new URL('../../src/cli/main.ts', import.meta.url));
  const script = `
    const { createRequire } = await import('node:module');
    const { main } = await import(${JSON.stringify(main)});
    await main(${JSON.stringify(args)}, { out: () => {}, err: () => {} });
    const loaded = Object.keys(createRequire(import.meta.url).cache);
    console.log(JSON.stringify(['pg', 'better-sqlite3', 'systeminformation', 'node-cron'].filter((p) => loaded.some((f) => f.includes('/node_modules/' + p + '/')))));`;
  return JSON.parse(execFileSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8' })) as string[];
}

describe('the command table', () => {
  it('names exactly the commands its modules export, each once', async () => {
    expect(new Set(COMMAND_PATHS).size).toBe(COMMAND_PATHS.length);
    expect([...COMMAND_PATHS].sort()).toEqual((await exportedPaths()).sort());
    expect((await allCommands()).map((c) => c.path.join(' '))).toEqual(COMMAND_PATHS);
  });

  it('finds the longest matching path: `agent status` is not `agent` with an argument', async () => {
    expect((await findCommand(['agent', 'status', '--json']))?.path).toEqual(['agent', 'status']);
    expect((await findCommand(['agent', '--dry-run']))?.path).toEqual(['agent']);
    expect((await findCommand(['server', 'device', 'rules', 'list']))?.path).toEqual(['server', 'device', 'rules', 'list']);
    expect((await findCommand(['server', 'frobnicate']))?.path).toEqual(['server']);
    expect(await findCommand(['frobnicate'])).toBeUndefined();
    expect(await findCommand([])).toBeUndefined();
  });

  it("loads only the command's own code: explaining the policy needs no database driver or hardware probe", () => {
    expect(loadedAfter(['policy', 'explain', '--help'])).toEqual([]);
    // The server's own commands do load the store's drivers: the check above is not vacuous.
    expect(loadedAfter(['server', 'school', 'list', '--help'])).toEqual(expect.arrayContaining(['pg', 'better-sqlite3']));
  });
});
