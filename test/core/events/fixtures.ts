import type { DeviceEvent, PayloadOf } from '../../../src/core/events/schema.ts';

/** One valid stored event of every type, for tests that change one field at a time. */
const envelope = { id: '00000000-0000-4000-8000-000000000001', seq: 1, occurredAt: 1_757_000_000_000, policyVersion: '2025.1' };
const lesson = { uid: 'zermelo-123456@school.example', start: 1_756_990_800_000 };
const allowed: PayloadOf<'exception.expired'>['allowed'] = { categories: ['video'], services: ['youtube'], capture: [] };

export const VALID_EVENTS = {
  'exception.applied': { ...envelope, type: 'exception.applied', payload: { grantId: 'g-42', articles: ['III.A.1'], allowed, lesson, until: 1_757_003_600_000 } },
  'exception.expired': { ...envelope, type: 'exception.expired', payload: { grantId: 'g-42', articles: ['III.A.1'], allowed, lesson } },
  'exception.revoked': { ...envelope, type: 'exception.revoked', payload: { grantId: 'g-42', articles: ['III.A.1', 'III.A.3'], allowed, lesson: null } },
  'app.blocked': {
    ...envelope, type: 'app.blocked',
    payload: { service: 'tiktok', category: 'social', os: 'win32', rule: 'social-media', article: 'III.A.1', lesson, count: 3, lastOccurredAt: 1_757_000_120_000 },
  },
  'site.blocked': {
    ...envelope, type: 'site.blocked',
    payload: { service: 'instagram', category: 'social', rule: 'social-media', article: 'III.A.1', lesson: null, count: 1, lastOccurredAt: 1_757_000_000_000 },
  },
  'capture.blocked': {
    ...envelope, type: 'capture.blocked',
    payload: { capture: 'camera', rule: 'recording', article: 'III.A.2', lesson, count: 1, lastOccurredAt: 1_757_000_000_000 },
  },
  'enforcement.started': { ...envelope, type: 'enforcement.started', payload: { reason: 'lesson-started', lesson } },
  'enforcement.stopped': { ...envelope, type: 'enforcement.stopped', payload: { reason: 'lesson-ended', lesson: null } },
  tamper: { ...envelope, type: 'tamper', payload: { kind: 'clock-jump', detail: 'clock moved back 3 h 12 min' } },
} satisfies { [T in DeviceEvent['type']]: Extract<DeviceEvent, { type: T }> };

export const APP_BLOCKED = VALID_EVENTS['app.blocked'];
