import type { SqlDriver } from '../driver.ts';
import { RangeSchema, validate } from '../inputs.ts';
import { sql } from '../sql.ts';
import type { NotEnforcingDevice, TimeRange } from '../types.ts';
import { LONGEST_LESSON_MS } from './lessons.ts';

interface Row {
  uid: string;
  starts_at: number;
  ends_at: number;
  subject: string | null;
  groups: string;
  teachers: string;
  device_id: string;
  hostname: string;
  student_id: string;
  student_name: string | null;
  last_seen_at: number | null;
  counted_from: number;
  covered_ms: number;
  tamper_events: number;
}

/**
 * For every lesson of the range that took place (not cancelled), every device
 * of every student in its groups: how much of the lesson its contact
 * intervals cover, and how many tamper events it logged during the lesson.
 * A lesson counts for a laptop only from when it was enrolled and assigned to
 * that student (its `counted_from`): before then it could not enforce, and the
 * student's lessons on another laptop are not this one's silence.
 * A device is reported when it was silent for longer than `contactGapMs` —
 * shorter silences are just the time between two heartbeats — or tampered.
 * Revoked devices are left out: school IT cut them off.
 */
export async function devicesNotEnforcing(db: SqlDriver, schoolId: string, rangeInput: TimeRange, contactGapMs: number): Promise<NotEnforcingDevice[]> {
  const range = validate(RangeSchema, rangeInput, 'the range of lessons');
  const since = sql`CASE WHEN d.assigned_at > d.enrolled_at THEN d.assigned_at ELSE d.enrolled_at END`;
  const rows = await db.all<Row>(sql`SELECT * FROM (
      SELECT c.*,
        COALESCE((SELECT sum(
            CASE WHEN k.until_at < c.ends_at THEN k.until_at ELSE c.ends_at END
            - CASE WHEN k.from_at > c.counted_from THEN k.from_at ELSE c.counted_from END)
          FROM device_contact k WHERE k.device_id = c.device_id AND k.from_at < c.ends_at AND k.until_at > c.counted_from), 0) AS covered_ms,
        (SELECT count(*) FROM device_events e WHERE e.device_id = c.device_id AND e.type = 'tamper'
          AND e.occurred_at >= c.counted_from AND e.occurred_at < c.ends_at) AS tamper_events
      FROM (
        -- From the lessons of the range through their groups' members to those students' laptops: every step an index.
        -- DISTINCT: a student in two of a lesson's groups is expected once.
        SELECT DISTINCT l.uid, l.starts_at, l.ends_at, l.subject, l.groups, l.teachers,
          d.id AS device_id, d.hostname, d.student_id, s.name AS student_name, d.last_seen_at,
          CASE WHEN l.starts_at > ${since} THEN l.starts_at ELSE ${since} END AS counted_from
        FROM lessons l
          JOIN lesson_groups g ON g.school_id = l.school_id AND g.starts_at = l.starts_at AND g.uid = l.uid
          JOIN group_members m ON m.school_id = g.school_id AND m.group_code = g.group_code
          JOIN devices d ON d.school_id = m.school_id AND d.student_id = m.student_id
            -- A revoked laptop (lost, stolen) is cut off on purpose: its silence is not a student evading the policy.
            AND d.revoked_at IS NULL
          JOIN students s ON s.school_id = d.school_id AND s.id = d.student_id
        WHERE l.school_id = ${schoolId} AND l.cancelled = 0
          AND l.starts_at < ${range.to} AND l.starts_at > ${range.from - LONGEST_LESSON_MS} AND l.ends_at > ${range.from}
          -- Lessons over before the laptop was enrolled and the student's are none of its business.
          AND l.ends_at > ${since}
      ) c
    ) checked
    WHERE (checked.ends_at - checked.counted_from) - checked.covered_ms > ${contactGapMs} OR checked.tamper_events > 0
    ORDER BY checked.starts_at, checked.uid, checked.device_id`);
  return rows.map((r) => {
    const silentMs = r.ends_at - r.counted_from - r.covered_ms;
    return {
      lesson: {
        uid: r.uid,
        start: r.starts_at,
        end: r.ends_at,
        subject: r.subject,
        groups: JSON.parse(r.groups) as string[],
        teachers: JSON.parse(r.teachers) as string[],
      },
      deviceId: r.device_id,
      hostname: r.hostname,
      studentId: r.student_id,
      studentName: r.student_name,
      coveredMs: r.covered_ms,
      silentMs,
      silent: silentMs > contactGapMs,
      tamperEvents: r.tamper_events,
      lastSeenAt: r.last_seen_at,
    };
  });
}
