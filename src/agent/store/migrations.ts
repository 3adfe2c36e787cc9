import type { Database } from 'better-sqlite3';

/**
 * The store's schema, as an ordered list of migrations. Migration N takes a
 * file from user_version N-1 to N; `PRAGMA user_version` records the last one
 * applied. Never edit a migration that has shipped: add the next one.
 *
 * A migration that adds a column to `events` must also recreate the
 * `events_update_only_sync_marker` trigger so the new column is protected too.
 */
export interface Migration {
  readonly version: number;
  readonly description: string;
  readonly sql: string;
}

/** "LMDS": marks a file as a Lesmodus device store (`PRAGMA application_id`, header offset 68). */
export const LESMODUS_APPLICATION_ID = 0x4c4d4453;

const V1_EVENT_LOG = `
-- The append-only event log. seq is INTEGER PRIMARY KEY AUTOINCREMENT, so
-- SQLite never hands out a seq again, even after the highest rows are pruned
-- (sqlite_sequence remembers the largest one ever used).
CREATE TABLE events (
  seq            INTEGER PRIMARY KEY AUTOINCREMENT,
  id             TEXT    NOT NULL UNIQUE,
  type           TEXT    NOT NULL,
  occurred_at    INTEGER NOT NULL,
  policy_version TEXT    NOT NULL,
  payload        TEXT    NOT NULL CHECK (json_valid(payload)),
  -- The device clock when the row was written (not part of the event); helps
  -- tell a clock jump from a late write when investigating.
  recorded_at    INTEGER NOT NULL,
  -- The sync marker: when the school server acknowledged the event. The only
  -- column that may ever change, and only once, from NULL.
  synced_at      INTEGER
) STRICT;

CREATE INDEX events_unsynced ON events (seq) WHERE synced_at IS NULL;
CREATE INDEX events_synced_by_age ON events (occurred_at) WHERE synced_at IS NOT NULL;

-- The triggers guard against our own bugs and careless tooling (a support
-- script, a hand-run sqlite3 shell): they are not a defence against someone
-- with administrator rights over the file, who can drop them.

-- A new row must be new: no reused id, no reused or back-dated seq. This also
-- stops INSERT OR REPLACE, whose implicit delete does not fire delete
-- triggers (unless recursive_triggers is on, which we cannot rely on).
-- NEW.seq is -1 here when SQLite is about to assign it.
CREATE TRIGGER events_insert_is_new BEFORE INSERT ON events
WHEN EXISTS (SELECT 1 FROM events WHERE id = NEW.id)
  OR (NEW.seq > 0 AND NEW.seq <= coalesce((SELECT seq FROM sqlite_sequence WHERE name = 'events'), 0))
BEGIN
  SELECT RAISE(ABORT, 'events are append-only: an event id or seq is never stored twice or reused');
END;

CREATE TRIGGER events_update_only_sync_marker BEFORE UPDATE ON events
WHEN NEW.seq IS NOT OLD.seq
  OR NEW.id IS NOT OLD.id
  OR NEW.type IS NOT OLD.type
  OR NEW.occurred_at IS NOT OLD.occurred_at
  OR NEW.policy_version IS NOT OLD.policy_version
  OR NEW.payload IS NOT OLD.payload
  OR NEW.recorded_at IS NOT OLD.recorded_at
  OR (OLD.synced_at IS NOT NULL AND NEW.synced_at IS NOT OLD.synced_at)
BEGIN
  SELECT RAISE(ABORT, 'events are append-only: only synced_at may be set, and only once');
END;

CREATE TRIGGER events_keep_unsynced BEFORE DELETE ON events
WHEN OLD.synced_at IS NULL
BEGIN
  SELECT RAISE(ABORT, 'an event the school server has not acknowledged is never deleted');
END;

-- What still has to go to the school server, oldest first.
CREATE VIEW outbox AS
  SELECT seq, id, type, occurred_at, policy_version, payload
  FROM events
  WHERE synced_at IS NULL
  ORDER BY seq;

-- Repeated blocks being counted before they become one event (see
-- block-coalescer.ts). Mutable by design; rows leave when they are flushed
-- into the event log, in the same transaction.
CREATE TABLE pending_blocks (
  key            TEXT    PRIMARY KEY,
  type           TEXT    NOT NULL,
  policy_version TEXT    NOT NULL,
  payload        TEXT    NOT NULL CHECK (json_valid(payload)),
  first_at       INTEGER NOT NULL,
  last_at        INTEGER NOT NULL,
  count          INTEGER NOT NULL CHECK (count >= 1),
  window_ends_at INTEGER NOT NULL
) STRICT;

CREATE INDEX pending_blocks_by_window_end ON pending_blocks (window_ends_at);
`;

const V1_SCHEDULE_AND_GRANTS = `
-- The cached timetable: replaced whole by replaceSchedule, in one transaction.
CREATE TABLE lessons (
  uid       TEXT    NOT NULL,
  starts_at INTEGER NOT NULL,
  ends_at   INTEGER NOT NULL CHECK (ends_at > starts_at),
  subject   TEXT,
  groups    TEXT    NOT NULL CHECK (json_valid(groups)),
  teachers  TEXT    NOT NULL CHECK (json_valid(teachers)),
  location  TEXT,
  cancelled INTEGER NOT NULL CHECK (cancelled IN (0, 1)),
  online    INTEGER NOT NULL CHECK (online IN (0, 1)),
  PRIMARY KEY (uid, starts_at)
) STRICT;

CREATE INDEX lessons_by_start ON lessons (starts_at);

-- Where the cached timetable came from; one row at most.
CREATE TABLE schedule_meta (
  singleton   INTEGER PRIMARY KEY CHECK (singleton = 1),
  source      TEXT    NOT NULL,
  fetched_at  INTEGER NOT NULL,
  valid_until INTEGER NOT NULL,
  -- For signed timetables (a later issue); null until then.
  signature   TEXT,
  key_id      TEXT
) STRICT;

-- Teachers' exceptions. The grant itself is kept as the JSON the server sent
-- (validated by the caller); the columns are what the store queries on.
-- revoked_at is the store's own record of a revocation and wins over the JSON.
CREATE TABLE grants (
  id         TEXT    PRIMARY KEY,
  issued_at  INTEGER NOT NULL,
  expires_at INTEGER NOT NULL CHECK (expires_at > issued_at),
  revoked_at INTEGER,
  raw        TEXT    NOT NULL CHECK (json_valid(raw)),
  stored_at  INTEGER NOT NULL
) STRICT;

CREATE INDEX grants_by_expiry ON grants (expires_at);
`;

const V3_EXCEPTION_LIFECYCLE = `
-- Each exception's lifecycle on this laptop: logged applied, and whether it
-- was logged expired or revoked since. The agent reads it at start, so a
-- restart (kill -9, crash, reboot) never logs a grant applied twice. It is
-- kept apart from the event log because synced events are pruned after 30
-- days while a leader's window grant may last 120. Written by triggers in
-- the same transaction as the event itself, so the two never disagree.
CREATE TABLE exception_lifecycle (
  grant_id    TEXT    PRIMARY KEY,
  applied_seq INTEGER NOT NULL,
  -- The exception.applied payload (articles, what it allowed, lesson, until).
  applied     TEXT    NOT NULL CHECK (json_valid(applied)),
  ended_seq   INTEGER
) STRICT;

CREATE TRIGGER events_record_exception_applied AFTER INSERT ON events
WHEN NEW.type = 'exception.applied'
BEGIN
  INSERT INTO exception_lifecycle (grant_id, applied_seq, applied) VALUES (json_extract(NEW.payload, '$.grantId'), NEW.seq, NEW.payload)
    ON CONFLICT (grant_id) DO UPDATE SET applied_seq = excluded.applied_seq, applied = excluded.applied, ended_seq = NULL;
END;

CREATE TRIGGER events_record_exception_ended AFTER INSERT ON events
WHEN NEW.type IN ('exception.expired', 'exception.revoked')
BEGIN
  UPDATE exception_lifecycle SET ended_seq = NEW.seq WHERE grant_id = json_extract(NEW.payload, '$.grantId') AND ended_seq IS NULL;
END;

-- What the event log still holds of earlier runs: each grant's last applied, ended if an expiry or revocation followed it.
INSERT INTO exception_lifecycle (grant_id, applied_seq, applied, ended_seq)
SELECT json_extract(a.payload, '$.grantId'), a.seq, a.payload,
  (SELECT min(e.seq) FROM events e WHERE e.seq > a.seq AND e.type IN ('exception.expired', 'exception.revoked')
     AND json_extract(e.payload, '$.grantId') = json_extract(a.payload, '$.grantId'))
FROM events a
WHERE a.type = 'exception.applied'
  AND NOT EXISTS (SELECT 1 FROM events b WHERE b.type = 'exception.applied' AND b.seq > a.seq
    AND json_extract(b.payload, '$.grantId') = json_extract(a.payload, '$.grantId'));
`;

const V4_RESEND = `
-- A school server restored from a backup no longer holds events it once
-- acknowledged. The laptop still has them (synced events stay 30 days); this
-- marker puts the synced ones after a seq back in the outbox, without
-- touching the events themselves (synced_at is still set only once). At most
-- one row; gone when the server holds them again. The server stores each
-- event id once, so sending one again never doubles it.
CREATE TABLE resend (
  one       INTEGER PRIMARY KEY CHECK (one = 1),
  after_seq INTEGER NOT NULL CHECK (after_seq >= 0)
) STRICT;

DROP VIEW outbox;
CREATE VIEW outbox AS
  SELECT seq, id, type, occurred_at, policy_version, payload
  FROM events
  WHERE synced_at IS NULL OR seq > (SELECT after_seq FROM resend)
  ORDER BY seq;
`;

const V5_SIGNED_GRANTS = `
-- Each grant as the server signed it for this laptop (the envelope, verbatim;
-- its revocation's once one came). A server restored from a backup lost the
-- grants issued after it: the laptop gives these back, and the server believes
-- them by its own signature. NULL for grants stored before this column.
ALTER TABLE grants ADD COLUMN signed TEXT CHECK (signed IS NULL OR json_valid(signed));

-- Grants still to offer to a server found restored from a backup; at most one
-- row, written with the resend marker (event-log.ts) and deleted when the
-- server answered for every grant. The round grows with each restore found, so
-- finishing an earlier offer never clears a later one.
CREATE TABLE grant_offer (
  one   INTEGER PRIMARY KEY CHECK (one = 1),
  round INTEGER NOT NULL CHECK (round >= 1)
) STRICT;
`;

export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    description: 'event log with outbox and append-only triggers, pending blocks, schedule cache, grants',
    sql: `PRAGMA application_id = ${LESMODUS_APPLICATION_ID};\n${V1_EVENT_LOG}\n${V1_SCHEDULE_AND_GRANTS}`,
  },
  {
    version: 2,
    description: "the student's registered consents (III.B.9), signed with the schedule",
    // JSON array of {register, from, to}; NULL: the timetable's source keeps no consent register.
    sql: 'ALTER TABLE schedule_meta ADD COLUMN consents TEXT CHECK (consents IS NULL OR json_valid(consents));',
  },
  {
    version: 3,
    description: "each exception's lifecycle on this laptop (applied, ended), kept through event pruning",
    sql: V3_EXCEPTION_LIFECYCLE,
  },
  {
    version: 4,
    description: 'events to send again to a school server restored from a backup',
    sql: V4_RESEND,
  },
  {
    version: 5,
    description: 'grants kept as the server signed them, to give back to a school server restored from a backup',
    sql: V5_SIGNED_GRANTS,
  },
];

export const LATEST_SCHEMA_VERSION = MIGRATIONS.length;

export function schemaVersionOf(db: Database): number {
  return db.pragma('user_version', { simple: true }) as number;
}

/**
 * Applies every migration newer than the file, each in its own IMMEDIATE
 * transaction together with the user_version bump (user_version lives in the
 * database header, so it rolls back with the rest). If a migration fails, the
 * file stays at the previous version, whole, and the error is rethrown. The
 * version is read again inside the write lock, so two processes opening the
 * same new file cannot both apply a migration.
 */
export function runMigrations(db: Database, migrations: readonly Migration[] = MIGRATIONS): number {
  for (const migration of migrations) {
    db.transaction(() => {
      if (schemaVersionOf(db) >= migration.version) return;
      db.exec(migration.sql);
      db.pragma(`user_version = ${migration.version}`);
    }).immediate();
  }
  return schemaVersionOf(db);
}
