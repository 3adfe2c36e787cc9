import { randomUUID } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { readAgentConfig, type AgentConfig } from '../../core/config/agent-config.ts';
import { adml, admx, regFile } from '../../core/config/mdm/admx.ts';
import { configJsonSchema } from '../../core/config/mdm/json-schema.ts';
import { mobileconfig } from '../../core/config/mdm/mobileconfig.ts';
import { MACOS_DOMAIN } from '../../core/config/mdm/names.ts';
import { posixSecretScript, windowsSecretScript } from '../../core/config/mdm/secret-file.ts';
import { ensureDataDir } from '../../server/app/data-dir.ts';
import { EnrollmentSecretFile } from '../../server/auth/enrollment-secrets.ts';
import { UsageError, type Command } from '../command.ts';
import { chooseSchool, dataDirOf, noPositionals, SCHOOL_OPTION, STORE_OPTIONS, withStore, type StoreValues } from './server-options.ts';

interface Values extends StoreValues {
  school?: string;
  os?: string;
  url?: string;
  out?: string;
  cidr?: string[];
  gateway?: string[];
  ssid?: string[];
  'enrollment-secret'?: string;
}

const OSES = ['linux', 'macos', 'windows'] as const;

/**
 * `lesmodus server mdm-profile`: the one file (or folder) IT puts in its MDM,
 * with this server's URL and public key and a new enrollment secret, made
 * from the agent's own config schema. Written owner-only: it holds a secret.
 */
export const serverMdmProfile: Command<Values> = {
  path: ['server', 'mdm-profile'],
  summary: 'Write the MDM profile for a school (Linux config.json, macOS .mobileconfig + secret script, Windows ADMX/ADML + .reg + secret script) with this server\'s URL, key and an enrollment secret.',
  options: {
    ...STORE_OPTIONS,
    school: SCHOOL_OPTION,
    os: { type: 'string', valueName: '<linux|macos|windows>', help: 'Which MDM the profile is for (required).' },
    url: { type: 'string', valueName: '<https://…>', help: 'The address laptops reach this server at (required).' },
    out: { type: 'string', valueName: '<dir>', help: 'The folder to write to (default: the current one).' },
    cidr: { type: 'string', multiple: true, valueName: '<range>', help: 'The school network\'s address range (repeat for more), e.g. 10.20.0.0/16.' },
    gateway: { type: 'string', multiple: true, valueName: '<address>', help: 'The school network\'s default gateway (repeat for more).' },
    ssid: { type: 'string', multiple: true, valueName: '<name>', help: 'The school\'s Wi-Fi name (repeat for more).' },
    'enrollment-secret': { type: 'string', valueName: '<lme1.…>', help: 'Use this secret (from \'lesmodus server enroll-secret\', for this school, not revoked) instead of making a new one.' },
  },
  details: [
    'Each run makes a new enrollment secret unless --enrollment-secret gives one; revoke an old one with \'lesmodus server enroll-secret revoke <id>\' once the new profile is out.',
    'The secret is only ever in a root-only file: config.json on Linux; on macOS and Windows a script the MDM runs once as root/SYSTEM writes it',
    '(every user can read managed preferences and the policy key, so the agent refuses a secret there).',
    'Example:',
    '  lesmodus server mdm-profile --data-dir /var/lib/lesmodus-server --school kl --os macos --url https://lesmodus.kl.example --ssid KL-Wifi',
  ].join('\n'),
  async run(values, positionals, io) {
    noPositionals(positionals);
    const os = OSES.find((o) => o === values.os);
    if (os === undefined) throw new UsageError(`--os must be one of ${OSES.join(', ')}`);
    if (values.url === undefined) throw new UsageError('--url is required: the address laptops reach this server at, e.g. https://lesmodus.school.example');
    const dir = dataDirOf(values);
    await ensureDataDir(dir);
    const publicKey = await readFile(dir.publicKey, 'utf8').catch(() => {
      throw new UsageError(`no server key in ${dir.root}: run 'lesmodus server init' first`);
    });
    const school = await withStore(values, (store) => chooseSchool(store, values.school));
    // Checked as the agent will read it, before a secret is made for it.
    const draft = readAgentConfig({
      schoolNetwork: { cidrs: values.cidr ?? [], gateways: values.gateway ?? [], ssids: values.ssid ?? [] },
      server: { url: values.url, enrollmentSecret: 'lme1.placeholder-checked-below', publicKey },
    });
    if (draft.problems.length > 0) throw new UsageError(`the profile would not work: ${draft.problems.join('; ')}`);
    const { secret, record } = await enrollmentSecretFor(new EnrollmentSecretFile(dir.enrollmentSecrets), school.id, values['enrollment-secret']);
    const config: AgentConfig = { ...draft.config, server: { ...draft.config.server!, enrollmentSecret: secret } };
    const out = values.out ?? '.';
    await mkdir(out, { recursive: true });
    const written = await writeProfile(os, config, out, school);
    io.err(`Enrollment secret ${record.id} for ${school.id} is in the profile (revoke it with 'lesmodus server enroll-secret revoke ${record.id.slice(0, 8)}').`);
    for (const file of written) io.out(file);
    return 0;
  },
};

/** The given secret when it is this school's and not revoked (a profile with a dead secret enrolls nothing); otherwise a new one. */
async function enrollmentSecretFor(file: EnrollmentSecretFile, schoolId: string, given: string | undefined) {
  if (given === undefined) return file.create(schoolId, Date.now());
  const record = await file.match(given);
  if (record === null) throw new UsageError('--enrollment-secret is not a secret of this server, or it was revoked: leave it out to make a new one');
  if (record.schoolId !== null && record.schoolId !== schoolId) throw new UsageError(`--enrollment-secret belongs to school ${record.schoolId}, not ${schoolId}`);
  return { secret: given, record };
}

async function writeProfile(os: (typeof OSES)[number], config: AgentConfig, out: string, school: { id: string; name: string }): Promise<string[]> {
  const write = async (name: string, text: string, mode = 0o600) => {
    const path = join(out, name);
    await mkdir(join(path, '..'), { recursive: true });
    await writeFile(path, text, { mode });
    return path;
  };
  const schema = await write('lesmodus-config.schema.json', `${JSON.stringify(configJsonSchema(), null, 2)}\n`, 0o644);
  if (os === 'linux') {
    return [await write('config.json', `${JSON.stringify(config, null, 2)}\n`), schema];
  }
  if (os === 'macos') {
    const uuids = { profile: randomUUID(), settings: randomUUID(), loginItems: randomUUID(), notifications: randomUUID() };
    return [
      await write(`lesmodus-${school.id}.mobileconfig`, mobileconfig(config, { identifier: `${MACOS_DOMAIN}.profile.${school.id}`, uuids, organization: school.name })),
      await write(`lesmodus-${school.id}-secret.sh`, posixSecretScript(config)),
      schema,
    ];
  }
  return [
    await write('lesmodus.admx', admx(), 0o644),
    await write(join('nl-NL', 'lesmodus.adml'), adml('nl-NL'), 0o644),
    await write(join('en-US', 'lesmodus.adml'), adml('en-US'), 0o644),
    await write(`lesmodus-${school.id}.reg`, regFile(config)),
    await write(`lesmodus-${school.id}-secret.ps1`, windowsSecretScript(config)),
    schema,
  ];
}

