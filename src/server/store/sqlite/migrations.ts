import type { Migration } from '../migrate.ts';

/**
 * The SQLite schema. Keep it in step with postgres/migrations.ts: same tables,
 * columns, keys and constraints, so both stores behave alike (the shared test
 * suite checks the behaviour, not the text).
 *
 * Instants are INTEGER epoch ms; booleans INTEGER 0/1; lists that are read
 * whole are JSON text, and what is filtered on gets its own table.
 */

/** "LMSV": marks a file as a Lesmodus server store (`PRAGMA application_id`). */
export const SERVER_APPLICATION_ID = 0x4c4d5356;

const V1 = `
CREATE TABLE schools (
  id         TEXT    PRIMARY KEY,
  name       TEXT    NOT NULL,
  time_zone  TEXT    NOT NULL,
  created_at INTEGER NOT NULL
) STRICT;

CREATE TABLE users (
  username      TEXT    PRIMARY KEY,
  role          TEXT    NOT NULL CHECK (role IN ('admin', 'leader', 'teacher')),
  display_name  TEXT,
  teacher_code  TEXT,
  school_id     TEXT    REFERENCES schools (id),
  password_hash TEXT    NOT NULL,
  created_at    INTEGER NOT NULL,
  CHECK (role <> 'teacher' OR (teacher_code IS NOT NULL AND school_id IS NOT NULL))
) STRICT;
CREATE UNIQUE INDEX users_by_teacher_code ON users (school_id, teacher_code) WHERE teacher_code IS NOT NULL;

CREATE TABLE sessions (
  token_hash TEXT    PRIMARY KEY,
  username   TEXT    NOT NULL REFERENCES users (username) ON DELETE CASCADE,
  created_at INTEGER NOT NULL,
  expires_at INTEGER NOT NULL
) STRICT;
CREATE INDEX sessions_by_expiry ON sessions (expires_at);

CREATE TABLE students (
  school_id  TEXT NOT NULL REFERENCES schools (id),
  id         TEXT NOT NULL,
  name       TEXT,
  login_name TEXT,
  PRIMARY KEY (school_id, id)
) STRICT;
CREATE UNIQUE INDEX students_by_login_name ON students (school_id, login_name) WHERE login_name IS NOT NULL;
CREATE INDEX students_by_login_name_any_school ON students (login_name) WHERE login_name IS NOT NULL;

CREATE TABLE groups (
  school_id TEXT NOT NULL REFERENCES schools (id),
  code      TEXT NOT NULL,
  name      TEXT,
  PRIMARY KEY (school_id, code)
) STRICT;

CREATE TABLE group_members (
  school_id  TEXT NOT NULL,
  group_code TEXT NOT NULL,
  student_id TEXT NOT NULL,
  PRIMARY KEY (school_id, group_code, student_id),
  FOREIGN KEY (school_id, group_code) REFERENCES groups (school_id, code) ON DELETE CASCADE,
  FOREIGN KEY (school_id, student_id) REFERENCES students (school_id, id)
) STRICT;
CREATE INDEX group_members_by_student ON group_members (school_id, student_id);

-- One row per lesson occurrence. groups and teachers are JSON for reading the
-- lesson whole; lesson_groups and lesson_teachers index them for filtering.
-- The child tables carry starts_at so a range replace deletes them directly.
CREATE TABLE lessons (
  school_id TEXT    NOT NULL REFERENCES schools (id),
  uid       TEXT    NOT NULL,
  starts_at INTEGER NOT NULL,
  ends_at   INTEGER NOT NULL CHECK (ends_at > starts_at),
  subject   TEXT,
  location  TEXT,
  groups    TEXT    NOT NULL,
  teachers  TEXT    NOT NULL,
  cancelled INTEGER NOT NULL CHECK (cancelled IN (0, 1)),
  online    INTEGER NOT NULL CHECK (online IN (0, 1)),
  PRIMARY KEY (school_id, uid, starts_at)
) STRICT;
CREATE INDEX lessons_by_start ON lessons (school_id, starts_at);

CREATE TABLE lesson_groups (
  school_id  TEXT    NOT NULL,
  starts_at  INTEGER NOT NULL,
  uid        TEXT    NOT NULL,
  group_code TEXT    NOT NULL,
  PRIMARY KEY (school_id, starts_at, uid, group_code),
  FOREIGN KEY (school_id, uid, starts_at) REFERENCES lessons (school_id, uid, starts_at)
) STRICT;
CREATE INDEX lesson_groups_by_group ON lesson_groups (school_id, group_code, starts_at);

CREATE TABLE lesson_teachers (
  school_id    TEXT    NOT NULL,
  starts_at    INTEGER NOT NULL,
  uid          TEXT    NOT NULL,
  teacher_code TEXT    NOT NULL,
  PRIMARY KEY (school_id, starts_at, uid, teacher_code),
  FOREIGN KEY (school_id, uid, starts_at) REFERENCES lessons (school_id, uid, starts_at)
) STRICT;
CREATE INDEX lesson_teachers_by_teacher ON lesson_teachers (school_id, teacher_code, starts_at);

CREATE TABLE devices (
  id              TEXT    PRIMARY KEY,
  credential_hash TEXT    NOT NULL,
  school_id       TEXT    REFERENCES schools (id),
  student_id      TEXT,
  hostname        TEXT    NOT NULL,
  serial          TEXT,
  os              TEXT    NOT NULL,
  agent_version   TEXT    NOT NULL,
  login_name      TEXT,
  enrolled_at     INTEGER NOT NULL,
  reported_at     INTEGER NOT NULL,
  last_seen_at    INTEGER,
  last_event_seq  INTEGER,
  FOREIGN KEY (school_id, student_id) REFERENCES students (school_id, id),
  CHECK (student_id IS NULL OR school_id IS NOT NULL)
) STRICT;
CREATE INDEX devices_by_student ON devices (school_id, student_id);

-- When a device was in contact: one row per stretch of heartbeats no further
-- apart than the contact gap. A device online all day is a handful of rows.
CREATE TABLE device_contact (
  device_id TEXT    NOT NULL REFERENCES devices (id),
  from_at   INTEGER NOT NULL,
  until_at  INTEGER NOT NULL CHECK (until_at >= from_at),
  PRIMARY KEY (device_id, from_at)
) STRICT;
CREATE INDEX device_contact_by_end ON device_contact (device_id, until_at);

-- Events as the devices pushed them, each exactly once per (device, event id).
-- payload is the event's payload as JSON; grant_id and the lesson are copied
-- out of it so an exception's lifecycle and a lesson's events can be found.
CREATE TABLE device_events (
  device_id      TEXT    NOT NULL REFERENCES devices (id),
  event_id       TEXT    NOT NULL,
  seq            INTEGER NOT NULL,
  type           TEXT    NOT NULL,
  occurred_at    INTEGER NOT NULL,
  received_at    INTEGER NOT NULL,
  policy_version TEXT    NOT NULL,
  payload        TEXT    NOT NULL,
  grant_id       TEXT,
  lesson_uid     TEXT,
  lesson_start   INTEGER,
  PRIMARY KEY (device_id, event_id)
) STRICT;
CREATE INDEX device_events_by_device_time ON device_events (device_id, occurred_at);
CREATE INDEX device_events_by_grant ON device_events (grant_id, device_id) WHERE grant_id IS NOT NULL;

-- The event log is evidence: no statement may change or remove a row.
CREATE TRIGGER device_events_no_update BEFORE UPDATE ON device_events
BEGIN SELECT RAISE(ABORT, 'device events are append-only'); END;
CREATE TRIGGER device_events_no_delete BEFORE DELETE ON device_events
BEGIN SELECT RAISE(ABORT, 'device events are append-only'); END;

-- Exceptions. grant_json is the grant the columns were taken from; signed is
-- what devices receive, verbatim. starts_at: when it took effect; week_start:
-- the Monday (school's zone) of that, for the weekly chart.
CREATE TABLE grants (
  id                  TEXT    PRIMARY KEY,
  school_id           TEXT    NOT NULL REFERENCES schools (id),
  issuer_username     TEXT    NOT NULL,
  issuer_role         TEXT    NOT NULL CHECK (issuer_role IN ('teacher', 'leader')),
  issuer_teacher_code TEXT,
  scope_kind          TEXT    NOT NULL CHECK (scope_kind IN ('lesson', 'window')),
  lesson_uid          TEXT,
  lesson_start        INTEGER,
  audience_kind       TEXT    NOT NULL CHECK (audience_kind IN ('lesson', 'groups', 'student', 'device')),
  audience_student_id TEXT,
  audience_device_id  TEXT,
  issued_at           INTEGER NOT NULL,
  starts_at           INTEGER NOT NULL,
  expires_at          INTEGER NOT NULL CHECK (expires_at > issued_at),
  week_start          TEXT    NOT NULL,
  revoked_at          INTEGER,
  revoked_by          TEXT,
  grant_json          TEXT    NOT NULL,
  signed              TEXT    NOT NULL,
  created_at          INTEGER NOT NULL,
  CHECK ((scope_kind = 'lesson') = (lesson_uid IS NOT NULL AND lesson_start IS NOT NULL))
) STRICT;
CREATE INDEX grants_by_school_start ON grants (school_id, starts_at);
CREATE INDEX grants_by_start ON grants (starts_at);
CREATE INDEX grants_by_lesson ON grants (school_id, lesson_uid, lesson_start) WHERE lesson_uid IS NOT NULL;
CREATE INDEX grants_by_expiry ON grants (school_id, expires_at);

CREATE TABLE grant_groups (
  grant_id   TEXT NOT NULL REFERENCES grants (id),
  group_code TEXT NOT NULL,
  PRIMARY KEY (grant_id, group_code)
) STRICT;
CREATE INDEX grant_groups_by_group ON grant_groups (group_code);

CREATE TABLE grant_articles (
  grant_id TEXT NOT NULL REFERENCES grants (id),
  article  TEXT NOT NULL,
  PRIMARY KEY (grant_id, article)
) STRICT;
CREATE INDEX grant_articles_by_article ON grant_articles (article);

-- What a grant allows, one row per category, service or capture kind.
CREATE TABLE grant_allow (
  grant_id TEXT NOT NULL REFERENCES grants (id),
  kind     TEXT NOT NULL CHECK (kind IN ('category', 'service', 'capture')),
  value    TEXT NOT NULL,
  PRIMARY KEY (grant_id, kind, value)
) STRICT;
CREATE INDEX grant_allow_by_value ON grant_allow (kind, value);

-- A device applied a grant (its acknowledgement or its exception.applied event).
CREATE TABLE grant_acks (
  grant_id   TEXT    NOT NULL REFERENCES grants (id),
  device_id  TEXT    NOT NULL REFERENCES devices (id),
  applied_at INTEGER NOT NULL,
  PRIMARY KEY (grant_id, device_id)
) STRICT;

-- Who looked at what, when. Append-only like the event log.
CREATE TABLE audit_log (
  id           INTEGER PRIMARY KEY AUTOINCREMENT,
  at           INTEGER NOT NULL,
  username     TEXT    NOT NULL,
  action       TEXT    NOT NULL,
  subject_kind TEXT    NOT NULL,
  subject_id   TEXT    NOT NULL,
  school_id    TEXT,
  detail       TEXT
) STRICT;
CREATE INDEX audit_log_by_time ON audit_log (at);
CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
`;

/**
 * Retention: the event log and the audit log stay append-only, except that
 * the store's retention prune may delete rows older than the cut-off it
 * writes to retention_cutoffs in its own transaction (and removes again
 * before committing). Any other DELETE, and every UPDATE, is still refused.
 * The index on occurred_at lets the nightly prune find a day's worth of old
 * events without reading the whole table.
 */
const V2 = `
CREATE TABLE retention_cutoffs (
  table_name TEXT    PRIMARY KEY CHECK (table_name IN ('device_events', 'audit_log')),
  before_at  INTEGER NOT NULL
) STRICT;

CREATE INDEX device_events_by_time ON device_events (occurred_at);

DROP TRIGGER device_events_no_delete;
CREATE TRIGGER device_events_no_delete BEFORE DELETE ON device_events
WHEN NOT EXISTS (SELECT 1 FROM retention_cutoffs r WHERE r.table_name = 'device_events' AND OLD.occurred_at < r.before_at)
BEGIN SELECT RAISE(ABORT, 'device events are append-only: only retention removes events past their retention period'); END;

DROP TRIGGER audit_log_no_delete;
CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
WHEN NOT EXISTS (SELECT 1 FROM retention_cutoffs r WHERE r.table_name = 'audit_log' AND OLD.at < r.before_at)
BEGIN SELECT RAISE(ABORT, 'the audit log is append-only: only retention removes entries past their retention period'); END;
`;

/**
 * Consent register (art. III.B.9): per student, register ("social-media") and
 * school year ("2026-2027"), who gave it and when it was registered. ends_at
 * is the end of the school year (1 August, school time) at registration, for
 * retention; the school year's label is what counts everywhere else.
 */
const V3 = `
CREATE TABLE consents (
  school_id     TEXT    NOT NULL,
  student_id    TEXT    NOT NULL,
  register      TEXT    NOT NULL,
  school_year   TEXT    NOT NULL,
  given_by      TEXT    NOT NULL CHECK (given_by IN ('student', 'parent')),
  registered_at INTEGER NOT NULL,
  source        TEXT    NOT NULL,
  ends_at       INTEGER NOT NULL,
  PRIMARY KEY (school_id, student_id, register, school_year),
  FOREIGN KEY (school_id, student_id) REFERENCES students (school_id, id)
) STRICT;
CREATE INDEX consents_by_year ON consents (school_id, school_year, register);
CREATE INDEX consents_by_end ON consents (ends_at);
`;

/**
 * Idempotent exception creation and revoking laptops. grant_idempotency: one
 * row per (user, Idempotency-Key) of POST /api/v1/grants, written in the same
 * transaction as the grant it made, so a repeated or racing request finds it
 * instead of making a second exception; request_hash tells the same request
 * from another one under the same key. Kept 24 hours (retention prunes it).
 * No foreign key to grants: the row is written first, to claim the key.
 * devices.revoked_at/revoked_by: school IT cut the laptop off (lost, stolen);
 * its credential and its enrollment key no longer work until restored.
 */
const V4 = `
CREATE TABLE grant_idempotency (
  username        TEXT    NOT NULL,
  idempotency_key TEXT    NOT NULL,
  request_hash    TEXT    NOT NULL,
  grant_id        TEXT    NOT NULL,
  created_at      INTEGER NOT NULL,
  PRIMARY KEY (username, idempotency_key)
) STRICT;
CREATE INDEX grant_idempotency_by_time ON grant_idempotency (created_at);
CREATE INDEX grant_idempotency_by_grant ON grant_idempotency (grant_id);

ALTER TABLE devices ADD COLUMN revoked_at INTEGER;
ALTER TABLE devices ADD COLUMN revoked_by TEXT;
`;

/**
 * Who a laptop belongs to, and limits that hold across server processes.
 * device_rules: what the school's MDM or roster says about its laptops — a
 * serial number or a hostname that is a student's, or a hostname pattern
 * with the student's login or number in it. A laptop is assigned to a
 * student only by such a rule or by an admin, never by the login name it
 * reports (anyone with the enrollment secret can report any login).
 * recorded_at: a rule older than a revocation of that student's laptop no
 * longer assigns a new one. value is kept normalised (serial upper case,
 * hostname and pattern lower case) so matching is one comparison.
 * rate_limit_hits: failed logins and enrollments per limiter and key, in the
 * database so several server processes (and a restart) count together; rows
 * older than the longest window are pruned.
 */
const V5 = `
CREATE TABLE device_rules (
  school_id   TEXT    NOT NULL REFERENCES schools (id),
  kind        TEXT    NOT NULL CHECK (kind IN ('serial', 'hostname', 'hostname-pattern')),
  value       TEXT    NOT NULL,
  student_id  TEXT,
  recorded_at INTEGER NOT NULL,
  PRIMARY KEY (school_id, kind, value),
  FOREIGN KEY (school_id, student_id) REFERENCES students (school_id, id),
  CHECK ((kind = 'hostname-pattern') = (student_id IS NULL))
) STRICT;
CREATE INDEX devices_by_serial ON devices (upper(serial)) WHERE serial IS NOT NULL;
CREATE INDEX devices_by_hostname ON devices (school_id, lower(hostname));

CREATE TABLE rate_limit_hits (
  limiter TEXT    NOT NULL,
  key     TEXT    NOT NULL,
  at      INTEGER NOT NULL
) STRICT;
CREATE INDEX rate_limit_hits_by_key ON rate_limit_hits (limiter, key, at);
CREATE INDEX rate_limit_hits_by_time ON rate_limit_hits (at);
`;

const V6 = `
-- Since when the device belongs to its current student: device health counts its lessons from then
-- (not the student's lessons before the laptop was theirs). Until now enrollment was the best guess.
ALTER TABLE devices ADD COLUMN assigned_at INTEGER;
UPDATE devices SET assigned_at = enrolled_at WHERE student_id IS NOT NULL;
`;

export const SQLITE_MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    description: 'schools, users, sessions, roster, lessons, devices and contact, device events, grants, audit log',
    sql: `PRAGMA application_id = ${SERVER_APPLICATION_ID};\n${V1}`,
  },
  {
    version: 2,
    description: 'retention: old device events and audit entries may be pruned, nothing else deleted',
    sql: V2,
  },
  {
    version: 3,
    description: 'consent register (art. III.B.9): consents per student, register and school year',
    sql: V3,
  },
  {
    version: 4,
    description: 'idempotency keys of exception creation; revoked devices',
    sql: V4,
  },
  {
    version: 5,
    description: 'device assignment rules (MDM/roster); rate limit counters shared by server processes',
    sql: V5,
  },
  {
    version: 6,
    description: 'when each device was assigned to its student (device health counts lessons from then)',
    sql: V6,
  },
];
