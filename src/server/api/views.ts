import { DEVICE_GRANT_TYPE } from '../../core/protocol/index.ts';
import type { Device, GrantRecord, User } from '../store/index.ts';
import { statusAt } from '../store/queries/grant-records.ts';
import type { z } from 'zod';
import type { DeviceViewSchema } from './schemas/devices.ts';
import type { GrantView } from './schemas/grants.ts';
import type { UserViewSchema } from './schemas/people.ts';

/**
 * Store records as the API shows them. Written out field by field, so a
 * secret added to a record later (a hash, a credential) is not shown until
 * someone decides it should be; the answer schemas strip unknown fields too.
 */

export function userView(user: User): z.infer<typeof UserViewSchema> {
  return {
    username: user.username,
    role: user.role,
    displayName: user.displayName,
    teacherCode: user.teacherCode,
    schoolId: user.schoolId,
    createdAt: user.createdAt,
  };
}

export function deviceView(device: Device): z.infer<typeof DeviceViewSchema> {
  return {
    id: device.id,
    schoolId: device.schoolId,
    studentId: device.studentId,
    hostname: device.hostname,
    serial: device.serial,
    os: device.os,
    agentVersion: device.agentVersion,
    loginName: device.loginName,
    enrolledAt: device.enrolledAt,
    lastSeenAt: device.lastSeenAt,
    lastEventSeq: device.lastEventSeq,
    revokedAt: device.revokedAt,
    revokedBy: device.revokedBy,
  };
}

/** The store's own rule, so a grant's status reads the same in the log and in a single view. */
export function grantStatus(record: GrantRecord, at: number): GrantView['status'] {
  return statusAt({ revoked_at: record.revokedAt, starts_at: record.startsAt, expires_at: record.grant.expiresAt }, at);
}

export function grantView(record: GrantRecord, at: number): GrantView {
  const signed = JSON.parse(record.signed) as GrantView['signed'];
  return {
    id: record.grant.id,
    schoolId: record.schoolId,
    grant: record.grant,
    articles: [...record.articles],
    audience: record.audience.kind === 'groups' ? { kind: 'groups', groups: [...record.audience.groups] } : record.audience,
    groups: [...record.groups],
    startsAt: record.startsAt,
    revokedAt: record.revokedAt,
    revokedBy: record.revokedBy,
    createdAt: record.createdAt,
    status: grantStatus(record, at),
    signed,
    restoredFrom: signed.payload.type === DEVICE_GRANT_TYPE ? signed.payload.deviceId : null,
  };
}
