import { readRosterCsv, type RosterFormat, type RosterSource } from '../app/roster-import.ts';
import type { LineError } from '../app/csv-columns.ts';
import { ServerStoreError, type GroupInput, type School, type StudentInput } from '../store/index.ts';
import { audit, type Actor, type Services } from './service.ts';

/**
 * The school's students and their groups: uploaded as JSON over the API
 * (`PUT /api/v1/roster`) or imported from the administration system's export
 * (CLI and admin page). Students are created or updated, never removed; the
 * groups are replaced whole. Audited, and every laptop of the school pulls
 * its schedule again (whose lessons a student has follows their groups).
 */

export interface Roster {
  readonly students: readonly StudentInput[];
  readonly groups: readonly GroupInput[];
}

/** Stores a roster; `source` says where it came from in the audit log. */
export async function putRoster(services: Services, actor: Actor, school: School, roster: Roster, at: number, source = 'api'): Promise<{ students: number; groups: number }> {
  // Students first (repeating an upload is harmless), then the groups that name them.
  await services.store.putStudents(school.id, roster.students);
  await services.store.replaceGroups(school.id, roster.groups);
  await audit(services, actor, at, {
    action: 'put-roster', subject: { kind: 'roster', id: school.id }, schoolId: school.id,
    detail: `${source}: ${roster.students.length} students, ${roster.groups.length} groups`,
  });
  services.laptops.refresh({ schoolId: school.id }, 'roster');
  return { students: roster.students.length, groups: roster.groups.length };
}

/** What an import would change, against what the server has now. */
export interface RosterChanges {
  readonly newStudents: number;
  readonly changedStudents: number;
  readonly unchangedStudents: number;
  /** Group codes the file adds, and those it drops (their members lose them). */
  readonly groupsAdded: readonly string[];
  readonly groupsRemoved: readonly string[];
}

export type RosterImportResult =
  | { readonly ok: false; readonly source: RosterSource | null; readonly lines: number; readonly errors: readonly LineError[] }
  | {
    readonly ok: true; readonly source: RosterSource; readonly lines: number; readonly roster: Roster;
    readonly changes: RosterChanges;
    /** False for a dry run. */
    readonly stored: boolean;
  };

export interface RosterImportOptions {
  readonly format: RosterFormat;
  readonly dryRun: boolean;
  readonly now: number;
}

async function changesOf(services: Services, school: School, roster: Roster): Promise<RosterChanges> {
  let newStudents = 0;
  let changedStudents = 0;
  for (const student of roster.students) {
    const now = await services.store.student(school.id, student.id);
    if (now === null) newStudents++;
    else if (now.name !== student.name || now.loginName !== student.loginName) changedStudents++;
  }
  const before = new Set((await services.store.groups(school.id)).map((g) => g.code));
  const after = new Set(roster.groups.map((g) => g.code));
  return {
    newStudents, changedStudents, unchangedStudents: roster.students.length - newStudents - changedStudents,
    groupsAdded: [...after].filter((code) => !before.has(code)),
    groupsRemoved: [...before].filter((code) => !after.has(code)),
  };
}

/** Reads and checks an export, and (unless a dry run, or any line is bad) stores it as the school's roster. */
export async function importRoster(services: Services, actor: Actor, school: School, text: string, options: RosterImportOptions): Promise<RosterImportResult> {
  const reading = await readRosterCsv(text, {
    format: options.format,
    loginOwner: async (login) => (await services.store.studentByLoginName(school.id, login))?.id ?? null,
  });
  if (reading.errors.length > 0 || reading.source === null) return { ok: false, source: reading.source, lines: reading.lines, errors: reading.errors };
  const roster = { students: reading.students, groups: reading.groups };
  const changes = await changesOf(services, school, roster);
  if (options.dryRun) return { ok: true, source: reading.source, lines: reading.lines, roster, changes, stored: false };
  try {
    await putRoster(services, actor, school, roster, options.now, reading.source);
  } catch (error) {
    // Someone took a login name between the check and the write: refused whole, said like a bad line.
    if (!(error instanceof ServerStoreError)) throw error;
    return { ok: false, source: reading.source, lines: reading.lines, errors: [{ line: 0, message: { nl: error.message, en: error.message } }] };
  }
  return { ok: true, source: reading.source, lines: reading.lines, roster, changes, stored: true };
}
