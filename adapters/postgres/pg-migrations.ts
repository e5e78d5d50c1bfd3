import type { Migration } from '../sqlite/migrations.js';

const ownerTypes = `('AccountRegistered', 'SessionIssued', 'ChallengeIssued', 'DeviceRemembered')`;

/**
 * The PostgreSQL schema, as numbered steps (migrate-postgres.ts). The same tables as the SQLite log
 * (docs/design.md "Event rows"), plus the chain head that orders appends from several nodes and the throttle's
 * shared buckets (docs/design.md "PostgreSQL"). Append new steps; never edit one that has shipped.
 */
export const pgMigrations: readonly Migration[] = [
  {
    version: 1,
    name: 'events log, chain head, projections, usernames, throttle buckets, auditor views',
    sql: `
      CREATE TABLE schema_migrations (
        version integer PRIMARY KEY,
        name text NOT NULL,
        applied_at bigint NOT NULL
      );

      -- data and meta are the exact JSON text the chain hashes (text, not jsonb, which would reformat it).
      -- UNIQUE (stream, version) is the database's own optimistic-concurrency check, across every node.
      CREATE TABLE events (
        seq bigint PRIMARY KEY,
        id text NOT NULL UNIQUE,
        stream text NOT NULL,
        version integer NOT NULL,
        type text NOT NULL,
        schema integer NOT NULL,
        data text NOT NULL,
        meta text NOT NULL,
        at bigint NOT NULL,
        hash bytea NOT NULL,
        UNIQUE (stream, version)
      );

      -- docs/security.md §31: the log is append-only, whoever holds a connection.
      CREATE FUNCTION events_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN RAISE EXCEPTION 'events are append-only'; END $$;
      CREATE TRIGGER events_refuse_update_delete BEFORE UPDATE OR DELETE ON events FOR EACH ROW EXECUTE FUNCTION events_refuse_change();
      CREATE TRIGGER events_refuse_truncate BEFORE TRUNCATE ON events FOR EACH STATEMENT EXECUTE FUNCTION events_refuse_change();

      -- The last seq and hash of the chain: one row, locked FOR UPDATE by every append transaction, so appends
      -- from every node take seq numbers, and chain their hashes, in one order (their commit order).
      CREATE TABLE chain_head (
        only_row boolean PRIMARY KEY DEFAULT true CHECK (only_row),
        seq bigint NOT NULL,
        hash bytea NOT NULL
      );
      INSERT INTO chain_head (seq, hash) VALUES (0, decode(repeat('00', 32), 'hex'));

      CREATE TABLE projections (
        stream text PRIMARY KEY,
        kind text NOT NULL,
        version integer NOT NULL,
        state text NOT NULL
      );

      CREATE TABLE usernames (
        username text PRIMARY KEY,
        account_id text NOT NULL
      );

      -- docs/security.md §36: the UTS #39 skeleton of every claimed name, so a registration finds a look-alike by an
      -- index. Not unique: names that already looked alike before the check existed keep working.
      CREATE TABLE username_skeletons (
        username text PRIMARY KEY,
        skeleton text NOT NULL
      );
      CREATE INDEX username_skeletons_by_skeleton ON username_skeletons (skeleton);

      -- The per-address and per-account failure budgets of the whole cluster (docs/security.md §21). UNLOGGED: a
      -- short-window rate that a database crash may forget (as a restart forgets the in-memory one), and no WAL.
      CREATE UNLOGGED TABLE throttle_buckets (
        scope text NOT NULL,
        key text NOT NULL,
        tokens double precision NOT NULL,
        at bigint NOT NULL,
        held integer NOT NULL,
        held_until bigint NOT NULL,
        rev bigint NOT NULL,
        PRIMARY KEY (scope, key)
      );

      -- Audit history reads an account's streams from the log (as SQLite migration 5 does).
      CREATE INDEX events_owner ON events ((data::jsonb ->> 'accountId')) WHERE type IN ${ownerTypes};
      CREATE INDEX events_username ON events ((data::jsonb ->> 'username')) WHERE type = 'AccountRegistered';

      CREATE VIEW accounts AS
      SELECT
        state::jsonb #>> '{account,id}' AS account_id,
        state::jsonb #>> '{account,username}' AS username,
        state::jsonb #>> '{account,mfa}' AS mfa,
        state::jsonb #>> '{account,totp,status}' AS totp,
        state::jsonb #>> '{account,lock,status}' AS lock,
        state::jsonb #>> '{account,lock,until}' AS locked_until,
        state::jsonb #>> '{account,failures}' AS failures,
        state::jsonb #>> '{account,lastTotpStep}' AS last_totp_step,
        state::jsonb #>> '{account,epoch}' AS epoch,
        version
      FROM projections
      WHERE kind = 'account' AND state::jsonb ->> 'status' = 'registered';
      CREATE VIEW challenges AS
      SELECT substr(stream, 11) AS challenge_id, state::jsonb ->> 'accountId' AS account_id, state::jsonb ->> 'status' AS status,
        state::jsonb ->> 'reason' AS reason, state::jsonb ->> 'attempts' AS attempts, state::jsonb ->> 'expiresAt' AS expires_at, version
      FROM projections WHERE kind = 'challenge';
      CREATE VIEW sessions AS
      SELECT substr(stream, 9) AS session_id, state::jsonb ->> 'accountId' AS account_id, state::jsonb ->> 'status' AS status,
        state::jsonb ->> 'aal' AS aal, state::jsonb ->> 'expiresAt' AS expires_at, version
      FROM projections WHERE kind = 'session';
      CREATE VIEW devices AS
      SELECT substr(stream, 8) AS selector, state::jsonb ->> 'accountId' AS account_id, state::jsonb ->> 'status' AS status,
        state::jsonb ->> 'rotations' AS rotations, state::jsonb ->> 'expiresAt' AS expires_at, version
      FROM projections WHERE kind = 'device';
    `,
  },
  {
    version: 2,
    name: 'latchkey_append: a batch of appends in one statement, the chain hashed under the head lock',
    sql: `
      -- One group commit of a node's writer (postgres-event-writer.ts), as one statement: its own transaction, one
      -- round trip, the chain head's row lock held only while it runs. The writer read the rows it folded without a
      -- lock (r_streams at r_versions, 0 for absent); under the head lock (every append of every node takes it) it
      -- checks that none has moved and that no name it claims has a look-alike now (docs/security.md §36), else
      -- raises LKSTL and the writer reads and folds again. Each row's hash is SHA-256(previous hash || the
      -- length-prefixed seq || e_tails[i]), e_tails being the row's canonical bytes after seq (chain-hash.ts), so
      -- seq numbers are given here, in commit order, and no node has to know the head before it locks it.
      CREATE FUNCTION latchkey_append(
        e_ids text[], e_streams text[], e_versions integer[], e_types text[], e_schemas integer[], e_data text[], e_meta text[], e_at bigint[], e_tails bytea[],
        r_streams text[], r_versions integer[],
        p_streams text[], p_kinds text[], p_versions integer[], p_states text[],
        u_names text[], u_accounts text[], u_skeletons text[],
        OUT first_seq bigint, OUT head_hash bytea
      ) LANGUAGE plpgsql AS $$
      DECLARE
        head bigint;
        hashes bytea[] := '{}';
        digits text;
        seen integer;
      BEGIN
        SELECT c.seq, c.hash INTO head, head_hash FROM chain_head c FOR UPDATE;
        -- One index probe a row (a join over the arrays would be planned as a scan of the whole table).
        FOR i IN 1 .. coalesce(array_length(r_streams, 1), 0) LOOP
          SELECT p.version INTO seen FROM projections p WHERE p.stream = r_streams[i];
          IF coalesce(seen, 0) <> r_versions[i] THEN
            RAISE EXCEPTION 'a row the batch read has moved' USING ERRCODE = 'LKSTL';
          END IF;
        END LOOP;
        FOR i IN 1 .. coalesce(array_length(u_skeletons, 1), 0) LOOP
          IF EXISTS (SELECT 1 FROM username_skeletons k WHERE k.skeleton = u_skeletons[i]) THEN
            RAISE EXCEPTION 'a name the batch claims has a look-alike now' USING ERRCODE = 'LKSTL';
          END IF;
        END LOOP;
        FOR i IN 1 .. coalesce(array_length(e_ids, 1), 0) LOOP
          digits := (head + i)::text;
          head_hash := sha256(head_hash || int4send(octet_length(digits)) || convert_to(digits, 'UTF8') || e_tails[i]);
          hashes := hashes || head_hash;
        END LOOP;
        INSERT INTO events (seq, id, stream, version, type, schema, data, meta, at, hash)
        SELECT head + e.n, e.id, e.stream, e.version, e.type, e.schema, e.data, e.meta, e.at, hashes[e.n]
        FROM unnest(e_ids, e_streams, e_versions, e_types, e_schemas, e_data, e_meta, e_at) WITH ORDINALITY AS e(id, stream, version, type, schema, data, meta, at, n);
        INSERT INTO projections (stream, kind, version, state) SELECT * FROM unnest(p_streams, p_kinds, p_versions, p_states)
        ON CONFLICT (stream) DO UPDATE SET kind = excluded.kind, version = excluded.version, state = excluded.state;
        INSERT INTO usernames (username, account_id) SELECT * FROM unnest(u_names, u_accounts);
        INSERT INTO username_skeletons (username, skeleton) SELECT * FROM unnest(u_names, u_skeletons);
        UPDATE chain_head SET seq = head + coalesce(array_length(e_ids, 1), 0), hash = head_hash;
        first_seq := head + 1;
      END $$;
    `,
  },
];
