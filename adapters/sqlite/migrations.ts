export interface Migration {
  readonly version: number;
  readonly name: string;
  readonly sql: string;
}

/** Views for an auditor's SQL over the projections: made by migration 2, made again by 4 over the rebuilt table. */
const auditorViews = `
      CREATE VIEW accounts AS
      SELECT
        json_extract(state, '$.account.id') AS account_id,
        json_extract(state, '$.account.username') AS username,
        json_extract(state, '$.account.mfa') AS mfa,
        json_extract(state, '$.account.totp.status') AS totp,
        json_extract(state, '$.account.lock.status') AS lock,
        json_extract(state, '$.account.lock.until') AS locked_until,
        json_extract(state, '$.account.failures') AS failures,
        json_extract(state, '$.account.lastTotpStep') AS last_totp_step,
        json_extract(state, '$.account.epoch') AS epoch,
        version
      FROM projections
      WHERE kind = 'account' AND json_extract(state, '$.status') = 'registered';

      CREATE VIEW challenges AS
      SELECT
        substr(stream, 11) AS challenge_id,
        json_extract(state, '$.accountId') AS account_id,
        json_extract(state, '$.status') AS status,
        json_extract(state, '$.reason') AS reason,
        json_extract(state, '$.attempts') AS attempts,
        json_extract(state, '$.expiresAt') AS expires_at,
        version
      FROM projections
      WHERE kind = 'challenge';

      CREATE VIEW sessions AS
      SELECT
        substr(stream, 9) AS session_id,
        json_extract(state, '$.accountId') AS account_id,
        json_extract(state, '$.status') AS status,
        json_extract(state, '$.aal') AS aal,
        json_extract(state, '$.expiresAt') AS expires_at,
        version
      FROM projections
      WHERE kind = 'session';

      CREATE VIEW devices AS
      SELECT
        substr(stream, 8) AS selector,
        json_extract(state, '$.accountId') AS account_id,
        json_extract(state, '$.status') AS status,
        json_extract(state, '$.rotations') AS rotations,
        json_extract(state, '$.expiresAt') AS expires_at,
        version
      FROM projections
      WHERE kind = 'device';
`;

/**
 * The schema, as numbered steps applied in order at open (see `migrate`). Append new steps; never edit one that
 * has shipped: databases in the field have already run it.
 */
export const migrations: readonly Migration[] = [
  {
    version: 1,
    name: 'events log, projections, usernames',
    sql: `
      CREATE TABLE schema_migrations (
        version INTEGER PRIMARY KEY,
        name TEXT NOT NULL,
        applied_at INTEGER NOT NULL
      );

      -- One row per event; seq is the rowid (no AUTOINCREMENT: the chain, not sqlite_sequence, makes gaps visible).
      -- UNIQUE(stream, version) is the database's own optimistic-concurrency check (docs/style.md §13).
      CREATE TABLE events (
        seq INTEGER PRIMARY KEY,
        id TEXT NOT NULL UNIQUE,
        stream TEXT NOT NULL,
        version INTEGER NOT NULL,
        type TEXT NOT NULL,
        schema INTEGER NOT NULL,
        data TEXT NOT NULL,
        meta TEXT NOT NULL,
        at INTEGER NOT NULL,
        hash BLOB NOT NULL,
        UNIQUE (stream, version)
      );

      -- docs/security.md §31: the log is append-only, whoever holds a connection.
      CREATE TRIGGER events_refuse_update BEFORE UPDATE ON events
      BEGIN SELECT RAISE(ABORT, 'events are append-only'); END;
      CREATE TRIGGER events_refuse_delete BEFORE DELETE ON events
      BEGIN SELECT RAISE(ABORT, 'events are append-only'); END;

      -- The decider state of every stream after its last event (JSON), rebuilt by \`latchkey replay\`.
      CREATE TABLE projections (
        stream TEXT PRIMARY KEY,
        kind TEXT NOT NULL,
        version INTEGER NOT NULL,
        state TEXT NOT NULL
      );

      -- Canonical username → account, from AccountRegistered; the primary key makes a name taken once.
      CREATE TABLE usernames (
        username TEXT PRIMARY KEY,
        account_id TEXT NOT NULL
      ) WITHOUT ROWID;
    `,
  },
  {
    version: 2,
    name: 'auditor views over the projections',
    sql: auditorViews,
  },
  {
    version: 3,
    name: 'events: refuse REPLACE',
    // docs/security.md §31. INSERT OR REPLACE (and REPLACE INTO) deletes the row it collides with without firing
    // DELETE triggers unless recursive_triggers is on, which no other connection is bound to set (sqlite.org
    // lang_conflict.html). Refuse any insert that collides with a row on one of the unique keys, before the
    // conflict resolution can run. The store never makes such an insert (seq follows max(seq) under the write lock,
    // versions follow the projections), so its appends are unchanged; each check is an index lookup. Another writer's
    // event at the same stream version now raises this instead of UNIQUE: storageError reads both as 'stream_moved'.
    sql: `
      CREATE TRIGGER events_refuse_replace BEFORE INSERT ON events
      WHEN EXISTS (SELECT 1 FROM events WHERE seq = NEW.seq)
        OR EXISTS (SELECT 1 FROM events WHERE id = NEW.id)
        OR EXISTS (SELECT 1 FROM events WHERE stream = NEW.stream AND version = NEW.version)
      BEGIN SELECT RAISE(ABORT, 'events are append-only: the event exists'); END;
    `,
  },
  {
    version: 4,
    name: 'projections keyed by stream alone (WITHOUT ROWID)',
    // `stream TEXT PRIMARY KEY` on a rowid table is two b-trees: the rows by rowid and an index from stream to
    // rowid. Every read went down both and every upsert wrote both (2.5 of the ~21 WAL pages a login wrote, issue 5).
    // Keyed by stream alone, a read is one descent and an upsert one b-tree. States stay well under the ~1 KB a
    // WITHOUT ROWID row keeps on its own page (an account is ~550 bytes), so no row spills to overflow pages.
    // The views name the table, so they are dropped first and made again over the new one.
    sql: `
      DROP VIEW accounts;
      DROP VIEW challenges;
      DROP VIEW sessions;
      DROP VIEW devices;
      CREATE TABLE projections_by_stream (
        stream TEXT PRIMARY KEY,
        kind TEXT NOT NULL,
        version INTEGER NOT NULL,
        state TEXT NOT NULL
      ) WITHOUT ROWID;
      INSERT INTO projections_by_stream (stream, kind, version, state) SELECT stream, kind, version, state FROM projections;
      DROP TABLE projections;
      ALTER TABLE projections_by_stream RENAME TO projections;
      ${auditorViews}
    `,
  },
  {
    version: 5,
    name: 'events: indexes for audit history (owner of a stream, account by username)',
    // `latchkey audit history` and /v1/admin/audit/history read an account's streams from the log, not the
    // projections. Partial indexes over the few rows that name an owner: one per account (AccountRegistered) and per
    // challenge, session and remembered device (their first event), so a login's append writes two small entries
    // more (ChallengeIssued, SessionIssued) and the other events none. With them a history is index lookups, never a
    // scan. A query must repeat the WHERE list for SQLite to use an index (sqlite-audit-log.ts). No index on `at`:
    // every time-range query is a pass in seq order already, and it would cost every event an entry.
    sql: `
      CREATE INDEX events_owner ON events (json_extract(data, '$.accountId'))
      WHERE type IN ('AccountRegistered', 'SessionIssued', 'ChallengeIssued', 'DeviceRemembered');
      CREATE INDEX events_username ON events (json_extract(data, '$.username')) WHERE type = 'AccountRegistered';
    `,
  },
  {
    version: 6,
    name: 'username skeletons (look-alike names)',
    // docs/security.md §36: the UTS #39 skeleton of every claimed name, so a registration finds a look-alike by an
    // index lookup. Names claimed before this step may look alike already: the index is not UNIQUE, and they keep
    // working. `latchkey_skeleton` is registered by `migrate` for this step alone (no index or view uses it, so other
    // tools and an auditor's sqlite3 never need it).
    sql: `
      CREATE TABLE username_skeletons (
        username TEXT PRIMARY KEY,
        skeleton TEXT NOT NULL
      ) WITHOUT ROWID;
      CREATE INDEX username_skeletons_by_skeleton ON username_skeletons (skeleton);
      INSERT INTO username_skeletons (username, skeleton) SELECT username, latchkey_skeleton(username) FROM usernames;
    `,
  },
  {
    version: 7,
    name: 'events: the owner index also over TokenGranted (TrueNAS auth.generate_token streams)',
    // An account's history reads its streams through this partial index (migration 5); a TrueNAS token's stream
    // starts with TokenGranted, which names the account, so it belongs to the history too. The list must stay the
    // one sqlite-audit-log.ts queries with, or SQLite would not use the index.
    sql: `
      DROP INDEX events_owner;
      CREATE INDEX events_owner ON events (json_extract(data, '$.accountId'))
      WHERE type IN ('AccountRegistered', 'SessionIssued', 'ChallengeIssued', 'DeviceRemembered', 'TokenGranted');
    `,
  },
];
