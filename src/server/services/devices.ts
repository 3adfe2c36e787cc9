import { readDeviceRulesCsv, type RuleLineError } from '../app/device-rules-import.ts';
import type { Device, DeviceRuleInput, School } from '../store/index.ts';
import { audit, type Actor, type Services } from './service.ts';

/**
 * A lost or stolen laptop cut off, and trusted again once it is back. The
 * portal, the API and `lesmodus server device` all come here, so each is
 * audited once, under the actor's one name.
 */

export interface Revoked {
  readonly device: Device;
  /** It was revoked already: the first revocation (time and who) is kept, nothing is audited again. */
  readonly already: boolean;
  /** Live streams closed now (0 from the command line: the laptop is refused at its next request). */
  readonly streamsClosed: number;
}

export async function revokeDevice(services: Services, actor: Actor, device: Device, at: number): Promise<Revoked> {
  const revoked = (await services.store.revokeDevice(device.id, { at, by: actor.username }))!;
  const streamsClosed = services.laptops.closeDevice(device.id);
  const already = device.revokedAt !== null;
  if (!already) {
    await audit(services, actor, at, {
      action: 'revoke-device', subject: { kind: 'device', id: device.id }, schoolId: device.schoolId,
      detail: `${device.hostname}; ${streamsClosed} live stream(s) closed`,
    });
  }
  return { device: revoked, already, streamsClosed };
}

/** Lifts a revocation; `restored` is false when it was not revoked (nothing audited). */
export async function restoreDevice(services: Services, actor: Actor, device: Device, at: number): Promise<{ device: Device; restored: boolean }> {
  const restored = (await services.store.restoreDevice(device.id))!;
  if (device.revokedAt === null) return { device: restored, restored: false };
  await audit(services, actor, at, {
    action: 'restore-device', subject: { kind: 'device', id: device.id }, schoolId: device.schoolId, detail: device.hostname,
  });
  return { device: restored, restored: true };
}

/** Assigns a laptop to a student (or none); its live stream re-reads whom it reaches and the laptop pulls its new schedule. */
export async function assignDevice(services: Services, actor: Actor, deviceId: string, student: { schoolId: string; studentId: string } | null, at: number): Promise<Device | null> {
  if (!(await services.store.assignDevice(deviceId, student, at))) return null;
  const device = (await services.store.device(deviceId))!;
  await audit(services, actor, at, {
    action: 'assign-device', subject: { kind: 'device', id: device.id }, schoolId: device.schoolId,
    detail: student === null ? `${device.hostname}: no student` : `${device.hostname}: student ${student.studentId}`,
  });
  services.laptops.refresh({ schoolId: device.schoolId ?? '', deviceId: device.id }, 'assigned');
  return device;
}

/**
 * Makes `rules` the school's device rules (what its MDM or roster says of
 * its laptops); laptops not yet assigned are matched at their next report.
 */
export async function replaceDeviceRules(services: Services, actor: Actor, schoolId: string, rules: readonly DeviceRuleInput[], at: number): Promise<{ rules: number }> {
  const result = await services.store.replaceDeviceRules(schoolId, rules, at);
  const counts = ['serial', 'hostname', 'hostname-pattern'].map((kind) => `${rules.filter((r) => r.kind === kind).length} ${kind}`).join(', ');
  await audit(services, actor, at, { action: 'replace-device-rules', subject: { kind: 'school', id: schoolId }, schoolId, detail: counts });
  return result;
}

export type DeviceExportImport =
  | { readonly ok: false; readonly errors: readonly RuleLineError[] }
  | {
    readonly ok: true;
    /** Serial and hostname rules from the file. */
    readonly rules: readonly DeviceRuleInput[];
    /** Lines of devices that are no student's (shared, a teacher's), left out. */
    readonly skipped: readonly RuleLineError[];
    /** Hostname patterns of the school kept beside them. */
    readonly patternsKept: number;
    /** False for a dry run. */
    readonly stored: boolean;
  };

/**
 * The MDM's device export (Intune, Jamf) as the school's serial and hostname
 * rules; its hostname patterns stay. All or nothing; audited.
 */
export async function importDeviceExport(services: Services, actor: Actor, school: School, text: string,
  options: { readonly dryRun: boolean; readonly now: number }): Promise<DeviceExportImport> {
  const reading = await readDeviceRulesCsv(services.store, school.id, text, { mdmExport: true });
  if (!reading.ok) return { ok: false, errors: reading.errors };
  const patterns = (await services.store.deviceRules(school.id)).filter((r) => r.kind === 'hostname-pattern')
    .map((r) => ({ kind: r.kind, value: r.value, studentId: null }));
  if (!options.dryRun) await replaceDeviceRules(services, actor, school.id, [...reading.rules, ...patterns], options.now);
  return { ok: true, rules: reading.rules, skipped: reading.skipped, patternsKept: patterns.length, stored: !options.dryRun };
}
