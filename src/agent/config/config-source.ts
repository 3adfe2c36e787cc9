import { isRootOnlyKey } from '../../core/config/agent-config.ts';

/**
 * One place MDM puts the agent's settings (the root-only JSON file, the
 * Windows policy key, macOS managed preferences), read into the config's
 * JSON shape. Each OS reads a list of these; the first that sets a key wins.
 */
export interface ConfigSource {
  /** Where it reads from, for the log: a path or a registry key. */
  readonly origin: string;
  /** Paths whose change means the settings may have changed (watched); none for the registry. */
  readonly watchPaths: readonly string[];
  read(): Promise<ConfigLayer>;
}

export interface ConfigLayer {
  readonly origin: string;
  /** The settings in the agent config's JSON shape; null when this store holds none. */
  readonly values: Record<string, unknown> | null;
  /**
   * Who besides root/SYSTEM can read this store ("readable by group/others (mode 0644)");
   * null when nobody can. A secret found in a store others can read is refused.
   */
  readonly readableByOthers: string | null;
  /** What was wrong with the store itself, naming it; the rest of it is used. */
  readonly problems: readonly string[];
}

export interface MergedLayers {
  /** The settings as the agent config reader takes them. */
  readonly raw: Record<string, unknown>;
  readonly problems: readonly string[];
  /** Secrets refused because others can read where they were found; each names where to put it instead. */
  readonly secretsRefused: readonly string[];
}

const isRecord = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

/**
 * Lays the stores over each other, key by key: the first store (in the OS's
 * order, managed policy before the file) that sets a key decides it. A
 * root-only key (the enrollment secret) is taken only from a store that no
 * one but root/SYSTEM can read; found elsewhere it is refused and named.
 */
export function mergeLayers(layers: readonly ConfigLayer[], rootOnlyFile: string): MergedLayers {
  const raw: Record<string, unknown> = {};
  const problems: string[] = [];
  const secretsRefused: string[] = [];
  for (const layer of layers) {
    problems.push(...layer.problems.map((p) => `${layer.origin}: ${p}`));
    if (layer.values === null) continue;
    for (const [section, value] of Object.entries(layer.values)) {
      if (!isRecord(value)) {
        if (!(section in raw)) raw[section] = value; // the config reader names what is wrong with it
        continue;
      }
      const into = raw[section] ?? (raw[section] = {});
      if (!isRecord(into)) continue;
      for (const [key, inner] of Object.entries(value)) {
        if (isRootOnlyKey(section, key) && layer.readableByOthers !== null) {
          secretsRefused.push(`${layer.origin}: ${section}.${key} is not used: this store is ${layer.readableByOthers}, so a student could read it and enroll fake laptops. Treat it as known: revoke it on the server (lesmodus server enroll-secret revoke), and put a new one in ${rootOnlyFile} readable by root/SYSTEM only (chmod 600).`);
          continue;
        }
        if (!(key in into)) into[key] = inner;
      }
    }
  }
  return { raw, problems, secretsRefused };
}
