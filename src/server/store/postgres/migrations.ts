import type { Migration } from '../migrate.ts';

/**
 * The PostgreSQL schema: the same tables, columns, keys and constraints as
 * sqlite/migrations.ts (keep them in step). Differences are only of type:
 * BIGINT for epoch ms and counts, an identity column for the audit log id,
 * COLLATE "C" on keys so they sort bytewise as in SQLite, and a trigger
 * function for the append-only tables. Text stays TEXT, not jsonb: a signed
 * grant must come back byte for byte, and jsonb would reorder its keys.
 */
const V1 = `
CREATE TABLE schools (
  id         TEXT COLLATE "C" PRIMARY KEY,
  name       TEXT    NOT NULL,
  time_zone  TEXT    NOT NULL,
  created_at BIGINT NOT NULL
);

CREATE TABLE users (
  username      TEXT COLLATE "C" PRIMARY KEY,
  role          TEXT    NOT NULL CHECK (role IN ('admin', 'leader', 'teacher')),
  display_name  TEXT,
  teacher_code  TEXT COLLATE "C",
  school_id     TEXT COLLATE "C" REFERENCES schools (id),
  password_hash TEXT    NOT NULL,
  created_at    BIGINT NOT NULL,
  CHECK (role <> 'teacher' OR (teacher_code IS NOT NULL AND school_id IS NOT NULL))
);
CREATE UNIQUE INDEX users_by_teacher_code ON users (school_id, teacher_code) WHERE teacher_code IS NOT NULL;

CREATE TABLE sessions (
  token_hash TEXT COLLATE "C" PRIMARY KEY,
  username   TEXT COLLATE "C" NOT NULL REFERENCES users (username) ON DELETE CASCADE,
  created_at BIGINT NOT NULL,
  expires_at BIGINT NOT NULL
);
CREATE INDEX sessions_by_expiry ON sessions (expires_at);

CREATE TABLE students (
  school_id  TEXT COLLATE "C" NOT NULL REFERENCES schools (id),
  id         TEXT COLLATE "C" NOT NULL,
  name       TEXT,
  login_name TEXT,
  PRIMARY KEY (school_id, id)
);
CREATE UNIQUE INDEX students_by_login_name ON students (school_id, login_name) WHERE login_name IS NOT NULL;
CREATE INDEX students_by_login_name_any_school ON students (login_name) WHERE login_name IS NOT NULL;

CREATE TABLE groups (
  school_id TEXT COLLATE "C" NOT NULL REFERENCES schools (id),
  code      TEXT COLLATE "C" NOT NULL,
  name      TEXT,
  PRIMARY KEY (school_id, code)
);

CREATE TABLE group_members (
  school_id  TEXT COLLATE "C" NOT NULL,
  group_code TEXT COLLATE "C" NOT NULL,
  student_id TEXT COLLATE "C" NOT NULL,
  PRIMARY KEY (school_id, group_code, student_id),
  FOREIGN KEY (school_id, group_code) REFERENCES groups (school_id, code) ON DELETE CASCADE,
  FOREIGN KEY (school_id, student_id) REFERENCES students (school_id, id)
);
CREATE INDEX group_members_by_student ON group_members (school_id, student_id);

-- One row per lesson occurrence. groups and teachers are JSON for reading the
-- lesson whole; lesson_groups and lesson_teachers index them for filtering.
-- The child tables carry starts_at so a range replace deletes them directly.
CREATE TABLE lessons (
  school_id TEXT COLLATE "C" NOT NULL REFERENCES schools (id),
  uid       TEXT COLLATE "C" NOT NULL,
  starts_at BIGINT NOT NULL,
  ends_at   BIGINT NOT NULL CHECK (ends_at > starts_at),
  subject   TEXT,
  location  TEXT,
  groups    TEXT    NOT NULL,
  teachers  TEXT    NOT NULL,
  cancelled SMALLINT NOT NULL CHECK (cancelled IN (0, 1)),
  online    SMALLINT NOT NULL CHECK (online IN (0, 1)),
  PRIMARY KEY (school_id, uid, starts_at)
);
CREATE INDEX lessons_by_start ON lessons (school_id, starts_at);

CREATE TABLE lesson_groups (
  school_id  TEXT COLLATE "C" NOT NULL,
  starts_at  BIGINT NOT NULL,
  uid        TEXT COLLATE "C" NOT NULL,
  group_code TEXT COLLATE "C" NOT NULL,
  PRIMARY KEY (school_id, starts_at, uid, group_code),
  FOREIGN KEY (school_id, uid, starts_at) REFERENCES lessons (school_id, uid, starts_at)
);
CREATE INDEX lesson_groups_by_group ON lesson_groups (school_id, group_code, starts_at);

CREATE TABLE lesson_teachers (
  school_id    TEXT COLLATE "C" NOT NULL,
  starts_at    BIGINT NOT NULL,
  uid          TEXT COLLATE "C" NOT NULL,
  teacher_code TEXT COLLATE "C" NOT NULL,
  PRIMARY KEY (school_id, starts_at, uid, teacher_code),
  FOREIGN KEY (school_id, uid, starts_at) REFERENCES lessons (school_id, uid, starts_at)
);
CREATE INDEX lesson_teachers_by_teacher ON lesson_teachers (school_id, teacher_code, starts_at);

CREATE TABLE devices (
  id              TEXT COLLATE "C" PRIMARY KEY,
  credential_hash TEXT    NOT NULL,
  school_id       TEXT COLLATE "C" REFERENCES schools (id),
  student_id      TEXT COLLATE "C",
  hostname        TEXT    NOT NULL,
  serial          TEXT,
  os              TEXT    NOT NULL,
  agent_version   TEXT    NOT NULL,
  login_name      TEXT,
  enrolled_at     BIGINT NOT NULL,
  reported_at     BIGINT NOT NULL,
  last_seen_at    BIGINT,
  last_event_seq  BIGINT,
  FOREIGN KEY (school_id, student_id) REFERENCES students (school_id, id),
  CHECK (student_id IS NULL OR school_id IS NOT NULL)
);
CREATE INDEX devices_by_student ON devices (school_id, student_id);

-- When a device was in contact: one row per stretch of heartbeats no further
-- apart than the contact gap. A device online all day is a handful of rows.
CREATE TABLE device_contact (
  device_id TEXT COLLATE "C" NOT NULL REFERENCES devices (id),
  from_at   BIGINT NOT NULL,
  until_at  BIGINT NOT NULL CHECK (until_at >= from_at),
  PRIMARY KEY (device_id, from_at)
);
CREATE INDEX device_contact_by_end ON device_contact (device_id, until_at);

-- Events as the devices pushed them, each exactly once per (device, event id).
-- payload is the event's payload as JSON; grant_id and the lesson are copied
-- out of it so an exception's lifecycle and a lesson's events can be found.
CREATE TABLE device_events (
  device_id      TEXT COLLATE "C" NOT NULL REFERENCES devices (id),
  event_id       TEXT COLLATE "C" NOT NULL,
  seq            BIGINT NOT NULL,
  type           TEXT    NOT NULL,
  occurred_at    BIGINT NOT NULL,
  received_at    BIGINT NOT NULL,
  policy_version TEXT    NOT NULL,
  payload        TEXT    NOT NULL,
  grant_id       TEXT COLLATE "C",
  lesson_uid     TEXT,
  lesson_start   BIGINT,
  PRIMARY KEY (device_id, event_id)
);
CREATE INDEX device_events_by_device_time ON device_events (device_id, occurred_at);
CREATE INDEX device_events_by_grant ON device_events (grant_id, device_id) WHERE grant_id IS NOT NULL;

-- The event log is evidence: no statement may change or remove a row.
CREATE FUNCTION lesmodus_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION '% is append-only', TG_TABLE_NAME USING ERRCODE = 'restrict_violation';
END
$$;
CREATE TRIGGER device_events_append_only BEFORE UPDATE OR DELETE ON device_events
FOR EACH ROW EXECUTE FUNCTION lesmodus_append_only();
CREATE TRIGGER device_events_no_truncate BEFORE TRUNCATE ON device_events
FOR EACH STATEMENT EXECUTE FUNCTION lesmodus_append_only();

-- Exceptions. grant_json is the grant the columns were taken from; signed is
-- what devices receive, verbatim. starts_at: when it took effect; week_start:
-- the Monday (school's zone) of that, for the weekly chart.
CREATE TABLE grants (
  id                  TEXT COLLATE "C" PRIMARY KEY,
  school_id           TEXT COLLATE "C" NOT NULL REFERENCES schools (id),
  issuer_username     TEXT    NOT NULL,
  issuer_role         TEXT    NOT NULL CHECK (issuer_role IN ('teacher', 'leader')),
  issuer_teacher_code TEXT,
  scope_kind          TEXT    NOT NULL CHECK (scope_kind IN ('lesson', 'window')),
  lesson_uid          TEXT,
  lesson_start        BIGINT,
  audience_kind       TEXT    NOT NULL CHECK (audience_kind IN ('lesson', 'groups', 'student', 'device')),
  audience_student_id TEXT,
  audience_device_id  TEXT,
  issued_at           BIGINT NOT NULL,
  starts_at           BIGINT NOT NULL,
  expires_at          BIGINT NOT NULL CHECK (expires_at > issued_at),
  week_start          TEXT    NOT NULL,
  revoked_at          BIGINT,
  revoked_by          TEXT,
  grant_json          TEXT    NOT NULL,
  signed              TEXT    NOT NULL,
  created_at          BIGINT NOT NULL,
  CHECK ((scope_kind = 'lesson') = (lesson_uid IS NOT NULL AND lesson_start IS NOT NULL))
);
CREATE INDEX grants_by_school_start ON grants (school_id, starts_at);
CREATE INDEX grants_by_start ON grants (starts_at);
CREATE INDEX grants_by_lesson ON grants (school_id, lesson_uid, lesson_start) WHERE lesson_uid IS NOT NULL;
CREATE INDEX grants_by_expiry ON grants (school_id, expires_at);

CREATE TABLE grant_groups (
  grant_id   TEXT COLLATE "C" NOT NULL REFERENCES grants (id),
  group_code TEXT COLLATE "C" NOT NULL,
  PRIMARY KEY (grant_id, group_code)
);
CREATE INDEX grant_groups_by_group ON grant_groups (group_code);

CREATE TABLE grant_articles (
  grant_id TEXT COLLATE "C" NOT NULL REFERENCES grants (id),
  article  TEXT NOT NULL,
  PRIMARY KEY (grant_id, article)
);
CREATE INDEX grant_articles_by_article ON grant_articles (article);

-- What a grant allows, one row per category, service or capture kind.
CREATE TABLE grant_allow (
  grant_id TEXT COLLATE "C" NOT NULL REFERENCES grants (id),
  kind     TEXT NOT NULL CHECK (kind IN ('category', 'service', 'capture')),
  value    TEXT NOT NULL,
  PRIMARY KEY (grant_id, kind, value)
);
CREATE INDEX grant_allow_by_value ON grant_allow (kind, value);

-- A device applied a grant (its acknowledgement or its exception.applied event).
CREATE TABLE grant_acks (
  grant_id   TEXT COLLATE "C" NOT NULL REFERENCES grants (id),
  device_id  TEXT COLLATE "C" NOT NULL REFERENCES devices (id),
  applied_at BIGINT NOT NULL,
  PRIMARY KEY (grant_id, device_id)
);

-- Who looked at what, when. Append-only like the event log.
CREATE TABLE audit_log (
  id           BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  at           BIGINT NOT NULL,
  username     TEXT COLLATE "C" NOT NULL,
  action       TEXT    NOT NULL,
  subject_kind TEXT    NOT NULL,
  subject_id   TEXT    NOT NULL,
  school_id    TEXT COLLATE "C",
  detail       TEXT
);
CREATE INDEX audit_log_by_time ON audit_log (at);
CREATE TRIGGER audit_log_append_only BEFORE UPDATE OR DELETE ON audit_log
FOR EACH ROW EXECUTE FUNCTION lesmodus_append_only();
CREATE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON audit_log
FOR EACH STATEMENT EXECUTE FUNCTION lesmodus_append_only();
`;

/** Retention, as sqlite/migrations.ts V2: only the store's prune may delete, and only rows older than its cut-off. */
const V2 = `
CREATE TABLE retention_cutoffs (
  table_name TEXT COLLATE "C" PRIMARY KEY CHECK (table_name IN ('device_events', 'audit_log')),
  before_at  BIGINT NOT NULL
);

CREATE INDEX device_events_by_time ON device_events (occurred_at);

CREATE FUNCTION lesmodus_device_events_retention() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF EXISTS (SELECT 1 FROM retention_cutoffs r WHERE r.table_name = 'device_events' AND OLD.occurred_at < r.before_at) THEN
    RETURN OLD;
  END IF;
  RAISE EXCEPTION 'device_events is append-only: only retention removes events past their retention period' USING ERRCODE = 'restrict_violation';
END
$$;
CREATE FUNCTION lesmodus_audit_log_retention() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF EXISTS (SELECT 1 FROM retention_cutoffs r WHERE r.table_name = 'audit_log' AND OLD.at < r.before_at) THEN
    RETURN OLD;
  END IF;
  RAISE EXCEPTION 'audit_log is append-only: only retention removes entries past their retention period' USING ERRCODE = 'restrict_violation';
END
$$;

DROP TRIGGER device_events_append_only ON device_events;
CREATE TRIGGER device_events_no_update BEFORE UPDATE ON device_events
FOR EACH ROW EXECUTE FUNCTION lesmodus_append_only();
CREATE TRIGGER device_events_no_delete BEFORE DELETE ON device_events
FOR EACH ROW EXECUTE FUNCTION lesmodus_device_events_retention();

DROP TRIGGER audit_log_append_only ON audit_log;
CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
FOR EACH ROW EXECUTE FUNCTION lesmodus_append_only();
CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
FOR EACH ROW EXECUTE FUNCTION lesmodus_audit_log_retention();
`;

/** The consent register, as sqlite/migrations.ts V3. */
const V3 = `
CREATE TABLE consents (
  school_id     TEXT COLLATE "C" NOT NULL,
  student_id    TEXT COLLATE "C" NOT NULL,
  register      TEXT COLLATE "C" NOT NULL,
  school_year   TEXT COLLATE "C" NOT NULL,
  given_by      TEXT    NOT NULL CHECK (given_by IN ('student', 'parent')),
  registered_at BIGINT  NOT NULL,
  source        TEXT    NOT NULL,
  ends_at       BIGINT  NOT NULL,
  PRIMARY KEY (school_id, student_id, register, school_year),
  FOREIGN KEY (school_id, student_id) REFERENCES students (school_id, id)
);
CREATE INDEX consents_by_year ON consents (school_id, school_year, register);
CREATE INDEX consents_by_end ON consents (ends_at);
`;

/** Idempotency keys and revoked devices, as sqlite/migrations.ts V4. */
const V4 = `
CREATE TABLE grant_idempotency (
  username        TEXT COLLATE "C" NOT NULL,
  idempotency_key TEXT COLLATE "C" NOT NULL,
  request_hash    TEXT    NOT NULL,
  grant_id        TEXT COLLATE "C" NOT NULL,
  created_at      BIGINT  NOT NULL,
  PRIMARY KEY (username, idempotency_key)
);
CREATE INDEX grant_idempotency_by_time ON grant_idempotency (created_at);
CREATE INDEX grant_idempotency_by_grant ON grant_idempotency (grant_id);

ALTER TABLE devices ADD COLUMN revoked_at BIGINT;
ALTER TABLE devices ADD COLUMN revoked_by TEXT COLLATE "C";
`;

/** Device assignment rules and rate limit counters, as sqlite/migrations.ts V5. */
const V5 = `
CREATE TABLE device_rules (
  school_id   TEXT COLLATE "C" NOT NULL REFERENCES schools (id),
  kind        TEXT    NOT NULL CHECK (kind IN ('serial', 'hostname', 'hostname-pattern')),
  value       TEXT COLLATE "C" NOT NULL,
  student_id  TEXT COLLATE "C",
  recorded_at BIGINT  NOT NULL,
  PRIMARY KEY (school_id, kind, value),
  FOREIGN KEY (school_id, student_id) REFERENCES students (school_id, id),
  CHECK ((kind = 'hostname-pattern') = (student_id IS NULL))
);
CREATE INDEX devices_by_serial ON devices (upper(serial)) WHERE serial IS NOT NULL;
CREATE INDEX devices_by_hostname ON devices (school_id, lower(hostname));

CREATE TABLE rate_limit_hits (
  limiter TEXT COLLATE "C" NOT NULL,
  key     TEXT COLLATE "C" NOT NULL,
  at      BIGINT NOT NULL
);
CREATE INDEX rate_limit_hits_by_key ON rate_limit_hits (limiter, key, at);
CREATE INDEX rate_limit_hits_by_time ON rate_limit_hits (at);
`;

const V6 = `
-- Since when the device belongs to its current student: device health counts its lessons from then
-- (not the student's lessons before the laptop was theirs). Until now enrollment was the best guess.
ALTER TABLE devices ADD COLUMN assigned_at BIGINT;
UPDATE devices SET assigned_at = enrolled_at WHERE student_id IS NOT NULL;
`;

export const POSTGRES_MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    description: 'schools, users, sessions, roster, lessons, devices and contact, device events, grants, audit log',
    sql: V1,
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
