import { z } from 'zod';
import { SchoolNetworkConfigSchema } from '../network/school-network.ts';

/**
 * Every Ed25519 public key in SPKI PEM starts with these DER bytes (the
 * algorithm identifier 1.3.101.112), base64-encoded; the 32 key bytes follow.
 * Checking the text here keeps src/core free of node:crypto; the agent still
 * loads the key with node:crypto before it trusts anything with it.
 */
const ED25519_SPKI_BASE64 = /^MCowBQYDK2VwAyEA[A-Za-z0-9+/]{43}=$/;
const PEM = /^-----BEGIN PUBLIC KEY-----\s+([A-Za-z0-9+/=\s]+?)\s*-----END PUBLIC KEY-----\s*$/;

function pemBody(text: string): string | undefined {
  return PEM.exec(text.trim())?.[1]?.replace(/\s+/g, '');
}

function isEd25519PublicKeyPem(text: string): boolean {
  const body = pemBody(text);
  return body !== undefined && ED25519_SPKI_BASE64.test(body);
}

/**
 * The key as node:crypto reads it. A registry text value or a profile field
 * holds the PEM on one line ("-----BEGIN PUBLIC KEY----- MCow… -----END…"),
 * which OpenSSL refuses; the lines are put back here, once, for every source.
 */
function canonicalPem(text: string): string {
  return `-----BEGIN PUBLIC KEY-----\n${pemBody(text)}\n-----END PUBLIC KEY-----\n`;
}

function serverUrlProblem(text: string): string | null {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return 'must be an absolute URL such as https://lesmodus.school.example';
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') return `must be http(s), not ${url.protocol}`;
  // The URL sits in a world-readable MDM profile and in logs: a password in it would leak.
  if (url.username !== '' || url.password !== '') return 'must not contain a user name or password';
  if (url.search !== '' || url.hash !== '') return 'must not contain a query or fragment';
  return null;
}

/** The school server this agent syncs with; all three keys come from MDM, never from the server itself. */
export const ServerConfigSchema = z.object({
  /** Base URL of the school server, e.g. "https://lesmodus.school.example" (a path prefix is kept). */
  url: z.string().superRefine((text, ctx) => {
    const problem = serverUrlProblem(text);
    if (problem !== null) ctx.addIssue({ code: 'custom', message: problem });
  }).transform((text) => text.replace(/\/+$/, '')),
  /**
   * The secret from `lesmodus server enroll-secret`; used once, to enroll. Taken
   * only from a file no student can read (see ROOT_ONLY_KEYS); a laptop that has
   * enrolled needs it no more, so a profile may leave it out.
   */
  enrollmentSecret: z.string().min(16, 'must be the secret from "lesmodus server enroll-secret" (at least 16 characters)').max(256).optional(),
  /** The server's Ed25519 public key (PEM): the pinned key every schedule and grant must be signed with. */
  publicKey: z.string()
    .refine(isEd25519PublicKeyPem, { message: 'must be an Ed25519 public key in PEM ("-----BEGIN PUBLIC KEY-----"), as "lesmodus server init" prints it' })
    .transform(canonicalPem),
});
export type ServerConfig = z.infer<typeof ServerConfigSchema>;

/**
 * The agent's configuration as MDM delivers it (`--config FILE`, or
 * /etc/lesmodus/config.json). Unknown keys are reported, not fatal: one
 * mistyped key must not stop enforcement on every laptop of a school.
 */
export const AgentConfigSchema = z.object({
  /** How the agent recognises the school's premises (art. III.A.2). */
  schoolNetwork: SchoolNetworkConfigSchema.default({ cidrs: [], gateways: [], ssids: [] }),
  /** Without it the agent runs standalone (a local timetable, no grants from teachers). */
  server: ServerConfigSchema.optional(),
});
export type AgentConfig = z.infer<typeof AgentConfigSchema>;

/**
 * Keys that hold a secret: the agent takes them only from a file that only
 * root/SYSTEM can read, never from a store every user of the laptop can read
 * (the Windows policy key, macOS managed preferences), so no template for
 * those stores offers them. A student holding the school's enrollment secret
 * could enroll fake laptops in any student's name.
 */
export const ROOT_ONLY_KEYS: readonly (readonly [section: keyof AgentConfig, key: string])[] = [['server', 'enrollmentSecret']];

export function isRootOnlyKey(section: string, key: string): boolean {
  return ROOT_ONLY_KEYS.some(([s, k]) => s === section && k === key);
}

const NESTED_SHAPES: Readonly<Record<string, readonly string[]>> = {
  schoolNetwork: Object.keys(SchoolNetworkConfigSchema.shape),
  server: Object.keys(ServerConfigSchema.shape),
};

/** Keys in `input` that the schema does not know, as dotted paths, for a warning. */
export function unknownConfigKeys(input: unknown): string[] {
  if (typeof input !== 'object' || input === null || Array.isArray(input)) return [];
  const known = new Set(Object.keys(AgentConfigSchema.shape));
  const unknown: string[] = [];
  for (const [key, value] of Object.entries(input)) {
    if (!known.has(key)) unknown.push(key);
    const nested = NESTED_SHAPES[key];
    if (nested === undefined || typeof value !== 'object' || value === null) continue;
    for (const inner of Object.keys(value)) if (!nested.includes(inner)) unknown.push(`${key}.${inner}`);
  }
  return unknown;
}

export interface ConfigReading {
  readonly config: AgentConfig;
  /** What was wrong and left out, each naming its key, for the log; the rest of the config holds. */
  readonly problems: readonly string[];
  /** Sections present but refused whole (e.g. "server"): the agent must say what it cannot do without them. */
  readonly refused: readonly (keyof AgentConfig)[];
}

function issuesText(error: z.ZodError, prefix: string): string[] {
  return error.issues.map((i) => `${[prefix, ...i.path.map(String)].join('.')}: ${i.message}`);
}

/**
 * Reads a configuration the way a school's laptops need it read: one mistyped
 * value must not stop enforcement on every laptop. A bad entry in a list of
 * the school network (one CIDR, one gateway) is left out and the others kept;
 * a bad section is refused whole and the rest kept; unknown keys are named.
 * Every problem is returned for the log, in words that name the key.
 */
export function readAgentConfig(input: unknown): ConfigReading {
  if (typeof input !== 'object' || input === null || Array.isArray(input)) {
    return { config: AgentConfigSchema.parse({}), problems: ['the configuration must be a JSON object such as {"server": {…}}; using none'], refused: [] };
  }
  const raw = input as Record<string, unknown>;
  const problems = unknownConfigKeys(raw).map((key) => `${key}: unknown key, ignored`);
  const refused: (keyof AgentConfig)[] = [];

  let schoolNetwork = SchoolNetworkConfigSchema.safeParse(raw.schoolNetwork ?? {});
  if (!schoolNetwork.success) {
    problems.push(...issuesText(schoolNetwork.error, 'schoolNetwork').map((p) => `${p}; left out`));
    const kept = validEntriesOnly(raw.schoolNetwork);
    schoolNetwork = SchoolNetworkConfigSchema.safeParse(kept ?? {});
    if (kept === null || !schoolNetwork.success) refused.push('schoolNetwork');
  }
  let server: ServerConfig | undefined;
  if (raw.server !== undefined) {
    const parsed = ServerConfigSchema.safeParse(raw.server);
    if (parsed.success) server = parsed.data;
    else {
      problems.push(...issuesText(parsed.error, 'server').map((p) => `${p}; the server section is ignored`));
      refused.push('server');
    }
  }
  return {
    config: { schoolNetwork: schoolNetwork.success ? schoolNetwork.data : { cidrs: [], gateways: [], ssids: [] }, ...(server ? { server } : {}) },
    problems,
    refused,
  };
}

/** The school network section with each list reduced to the entries that are valid on their own; null when it is no section at all. */
function validEntriesOnly(section: unknown): Record<string, unknown[]> | null {
  if (typeof section !== 'object' || section === null || Array.isArray(section)) return null;
  const shape = SchoolNetworkConfigSchema.shape;
  const kept: Record<string, unknown[]> = {};
  for (const key of Object.keys(shape) as (keyof typeof shape)[]) {
    const list = (section as Record<string, unknown>)[key];
    if (!Array.isArray(list)) continue;
    const entry = shape[key].unwrap().element;
    kept[key] = list.filter((value) => entry.safeParse(value).success);
  }
  return kept;
}
