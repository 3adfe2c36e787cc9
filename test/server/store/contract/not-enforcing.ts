import { describe, expect, it } from 'vitest';
import type { ServerStore } from '../../../../src/server/store/index.ts';
import { DAY, device, HOUR, LESSON_V4A, LESSON_V4B, lesson, MINUTE, MONDAY_0830, SCHOOL, seedSchool, tamperEvent } from '../fixtures.ts';
import type { Harness } from '../harness.ts';

/** A heartbeat every minute from `from` to `to`, as the agent sends them. */
async function heartbeats(store: ServerStore, deviceId: string, from: number, to: number): Promise<void> {
  for (let at = from; at <= to; at += MINUTE) await store.recordDeviceContact(deviceId, at);
}

const MONDAY = { from: MONDAY_0830 - 2 * HOUR, to: MONDAY_0830 + DAY };

export function notEnforcingContract(h: Harness): void {
  describe('devices not enforcing during a lesson', () => {
    it('reports expected devices that were silent for longer than the contact gap or tampered, and no others', async () => {
      const store = await h.fresh();
      await seedSchool(store);
      // The cancelled lesson expects nobody.
      const cancelled = lesson({ uid: 'cancelled', start: MONDAY_0830 + 2 * HOUR, groups: ['v4a'], cancelled: true });
      await store.replaceLessons(SCHOOL.id, { from: MONDAY_0830 - HOUR, to: MONDAY_0830 + DAY }, [LESSON_V4A, LESSON_V4B, cancelled]);
      await heartbeats(store, 'd1', LESSON_V4A.start - 5 * MINUTE, LESSON_V4A.end + 5 * MINUTE);
      await heartbeats(store, 'd2', LESSON_V4A.start - 5 * MINUTE, LESSON_V4A.start + 20 * MINUTE);
      await heartbeats(store, 'd3', LESSON_V4B.start - 5 * MINUTE, LESSON_V4B.end + 5 * MINUTE);
      await store.ingestEvents('d3', [tamperEvent(1, 1, LESSON_V4B.start + 15 * MINUTE)], LESSON_V4B.end);

      const report = await store.devicesNotEnforcing(SCHOOL.id, MONDAY);
      expect(report.map((r) => [r.lesson.uid, r.deviceId, r.coveredMs, r.silentMs, r.tamperEvents])).toEqual([
        [LESSON_V4A.uid, 'd2', 20 * MINUTE, 30 * MINUTE, 0],
        [LESSON_V4B.uid, 'd3', 50 * MINUTE, 0, 1],
        [LESSON_V4B.uid, 'd4', 0, 50 * MINUTE, 0],
      ]);
      expect(report.map((r) => r.silent)).toEqual([true, false, true]);
      expect(report[0]).toMatchObject({ hostname: 'laptop-d2', studentId: 's2', studentName: 'Student 2', lastSeenAt: LESSON_V4A.start + 20 * MINUTE,
        lesson: { start: LESSON_V4A.start, end: LESSON_V4A.end, subject: 'ne', groups: ['v4a'], teachers: ['JNS'] } });
    });

    it('rides out a silence shorter than the contact gap', async () => {
      const store = await h.fresh();
      await seedSchool(store);
      for (const deviceId of ['d1', 'd2']) {
        await heartbeats(store, deviceId, LESSON_V4A.start - 5 * MINUTE, LESSON_V4A.start + 10 * MINUTE);
        await heartbeats(store, deviceId, LESSON_V4A.start + 13 * MINUTE, LESSON_V4A.end + 5 * MINUTE);
      }
      const report = await store.devicesNotEnforcing(SCHOOL.id, { from: LESSON_V4A.start, to: LESSON_V4A.end });
      expect(report).toEqual([]);
    });

    it('counts a lesson for a laptop only from when it was enrolled and assigned to that student', async () => {
      const store = await h.fresh();
      await seedSchool(store);
      for (const deviceId of ['d1', 'd2', 'd3']) await heartbeats(store, deviceId, MONDAY_0830 - 5 * MINUTE, LESSON_V4B.end + 5 * MINUTE);
      // A second laptop for s1, enrolled twenty minutes into v4a's lesson and silent since: silent for the last 30 of its 50 minutes.
      await store.enrollDevice(device('late', { loginName: null }), LESSON_V4A.start + 20 * MINUTE);
      await store.assignDevice('late', { schoolId: SCHOOL.id, studentId: 's1' }, LESSON_V4A.start + 20 * MINUTE);
      // One enrolled after the lesson ended: that lesson is none of its business.
      await store.enrollDevice(device('after'), LESSON_V4A.end + MINUTE);
      await store.assignDevice('after', { schoolId: SCHOOL.id, studentId: 's2' }, LESSON_V4A.end + MINUTE);
      // s4's laptop handed to s1 after v4a's lesson: silent in neither s1's earlier lesson nor s4's later one.
      await store.assignDevice('d4', { schoolId: SCHOOL.id, studentId: 's1' }, LESSON_V4A.end + MINUTE);
      // Assigning it to the same student again does not move the time.
      await store.assignDevice('late', { schoolId: SCHOOL.id, studentId: 's1' }, LESSON_V4B.end);

      const report = await store.devicesNotEnforcing(SCHOOL.id, MONDAY);
      expect(report.map((r) => [r.lesson.uid, r.deviceId, r.coveredMs, r.silentMs, r.silent])).toEqual([
        [LESSON_V4A.uid, 'late', 0, 30 * MINUTE, true],
      ]);
    });

    it("expects a student in two of a lesson's groups once", async () => {
      const store = await h.fresh();
      await seedSchool(store);
      await store.replaceGroups(SCHOOL.id, [
        { code: 'v4a', name: 'V4 A', studentIds: ['s1', 's2'] },
        { code: 'v4b', name: 'V4 B', studentIds: ['s1', 's3', 's4'] },
      ]);
      const both = lesson({ uid: 'both', start: MONDAY_0830, groups: ['v4a', 'v4b'] });
      await store.replaceLessons(SCHOOL.id, { from: MONDAY_0830 - HOUR, to: MONDAY_0830 + DAY }, [both]);
      const report = await store.devicesNotEnforcing(SCHOOL.id, MONDAY);
      expect(report.map((r) => r.deviceId)).toEqual(['d1', 'd2', 'd3', 'd4']);
    });

    it('counts a laptop matched to its student by a device rule at a later heartbeat from that heartbeat on', async () => {
      const store = await h.fresh();
      await seedSchool(store);
      for (const deviceId of ['d1', 'd2']) await heartbeats(store, deviceId, MONDAY_0830 - 5 * MINUTE, LESSON_V4A.end + 5 * MINUTE);
      // Enrolled before the lesson but nobody's; the school's rule names it s1's from 08:50 on, when it next reports.
      await store.enrollDevice(device('unmatched', { hostname: 'll-s1' }), MONDAY_0830 - DAY);
      await store.replaceDeviceRules(SCHOOL.id, [{ kind: 'hostname', value: 'll-s1', studentId: 's1' }], LESSON_V4A.start + 20 * MINUTE);
      const report = { hostname: 'll-s1', serial: null, os: 'win32' as const, agentVersion: '0.1.0', loginName: null };
      await store.updateDeviceReport('unmatched', report, LESSON_V4A.start + 20 * MINUTE);
      expect((await store.device('unmatched'))?.studentId).toBe('s1');
      const found = await store.devicesNotEnforcing(SCHOOL.id, MONDAY);
      expect(found.filter((r) => r.lesson.uid === LESSON_V4A.uid).map((r) => [r.deviceId, r.silentMs])).toEqual([['unmatched', 30 * MINUTE]]);
    });
  });
}
