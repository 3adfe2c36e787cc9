import { DebugLogger } from 'builder-util';
import { getConfig, validateConfiguration } from 'app-builder-lib/out/util/config/config.js';
import type { Configuration } from 'electron-builder';

/**
 * electron-builder.yml as electron-builder itself reads it (merged with
 * package.json) and checked against electron-builder's own schema, so a
 * misspelled or misplaced option fails here, on Linux, before a Windows or
 * macOS runner ever builds with it.
 */
export async function loadBuilderConfig(projectDir: string): Promise<Configuration> {
  const config = await getConfig(projectDir, null, null);
  await validateConfiguration(config, new DebugLogger(false));
  return config;
}
