import { join } from 'node:path';
import { readAgentConfig, type ConfigReading } from '../../core/config/agent-config.ts';
import { POSIX_CONFIG_PATH, WINDOWS_CONFIG_PATH } from '../../core/config/mdm/names.ts';
import type { Os } from '../../core/categories.ts';
import type { Logger } from '../runtime/logger.ts';
import type { CommandRunner } from './command-runner.ts';
import { mergeLayers, type ConfigSource } from './config-source.ts';
import { windowsAclExposure } from './file-acl.win32.ts';
import { posixExposure } from './file-exposure.ts';
import { managedPreferencesSource } from './managed-preferences.darwin.ts';
import { registrySource } from './registry.win32.ts';
import { rootOnlyFileSource } from './root-only-file.ts';

/**
 * Where this OS's agent reads its settings, in order of precedence: the MDM's
 * managed store first (the Windows policy key, macOS managed preferences),
 * then the root-only JSON file, which alone may hold the enrollment secret.
 * `--config FILE` replaces them all with that one file.
 */
export interface ConfigPlatform {
  readonly os: Os;
  readonly run: CommandRunner;
  /** The agent's own uid (root for the service); the config file must be its. Null on Windows. */
  readonly agentUid: number | null;
  /** %ProgramData% on Windows. */
  readonly programData?: string;
}

export interface ConfigSources {
  readonly sources: readonly ConfigSource[];
  /** The file a secret belongs in, named when one is refused elsewhere. */
  readonly rootOnlyFile: string;
}

export function configSources(configPath: string | undefined, platform: ConfigPlatform): ConfigSources {
  const exposure = platform.os === 'win32' ? windowsAclExposure(platform.run) : posixExposure(platform.agentUid);
  const rootOnlyFile = configPath
    ?? (platform.os === 'win32' ? (platform.programData ? join(platform.programData, 'Lesmodus', 'config.json') : WINDOWS_CONFIG_PATH) : POSIX_CONFIG_PATH);
  const file = rootOnlyFileSource(rootOnlyFile, exposure);
  if (configPath !== undefined || platform.os === 'linux') return { sources: [file], rootOnlyFile };
  const managed = platform.os === 'win32' ? registrySource(platform.run) : managedPreferencesSource(platform.run, exposure);
  return { sources: [managed, file], rootOnlyFile };
}

export interface LoadedConfig extends ConfigReading {
  /** Where the settings were read from, for the log. */
  readonly origins: string;
  /** Secrets found where others can read them, and so not used. */
  readonly secretsRefused: readonly string[];
}

/**
 * Reads every store and lays them over each other; one bad value (or one
 * unreadable store) costs only itself, as readAgentConfig does for values.
 */
export async function loadConfig({ sources, rootOnlyFile }: ConfigSources): Promise<LoadedConfig> {
  const layers = await Promise.all(sources.map((source) => source.read()));
  const merged = mergeLayers(layers, rootOnlyFile);
  const reading = readAgentConfig(merged.raw);
  return {
    ...reading,
    problems: [...merged.problems, ...reading.problems],
    secretsRefused: merged.secretsRefused,
    origins: sources.map((s) => s.origin).join(' + '),
  };
}

/** Says in the service log what the config costs: each problem, a refused secret loudly, a refused server section. */
export function logConfig(loaded: LoadedConfig, log: Logger): void {
  for (const problem of loaded.problems) log.warn(`config: ${problem}`);
  for (const refusal of loaded.secretsRefused) log.error(`config: ENROLLMENT SECRET REFUSED: ${refusal}`);
  if (loaded.secretsRefused.length > 0) {
    log.error('config: this laptop keeps enforcing, and keeps syncing if it has enrolled before; it cannot enroll until the secret is root-only.');
  }
  if (loaded.refused.includes('server')) {
    log.error(`config (${loaded.origins}): the server section is not valid, so this laptop neither syncs nor takes new exceptions; it keeps enforcing its cached schedule. Fix the MDM profile.`);
  }
}
