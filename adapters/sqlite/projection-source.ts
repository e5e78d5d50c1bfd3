import type Database from 'better-sqlite3';
import type { ProjectionSource } from '../../core/projector.js';
import { uts39UsernameLooks } from '../unicode/uts39-username-looks.js';
import { hasTable } from './has-table.js';

/**
 * The projection rows as they stand on `db`: what the loop's store loads and what the writer folds new events
 * onto. Statements are prepared once per connection (better-sqlite3 docs/performance.md).
 */
export const sqliteProjectionSource = (db: Database.Database): ProjectionSource => {
  const projectionByStream = db.prepare<[string], { version: number; state: string }>('SELECT version, state FROM projections WHERE stream = ?');
  const ownerOf = db.prepare<[string], { account_id: string }>('SELECT account_id FROM usernames WHERE username = ?');
  // A schema older than migration 6 (the migration tests' old databases) has no skeletons to look in.
  const lookalike = hasTable(db, 'username_skeletons') ? db.prepare<[string, string], string>('SELECT username FROM username_skeletons WHERE skeleton = ? AND username <> ? LIMIT 1').pluck() : null;
  return {
    projection: (stream) => {
      const row = projectionByStream.get(stream);
      return row && { version: row.version, state: JSON.parse(row.state) as unknown };
    },
    usernameOwner: (username) => ownerOf.get(username)?.account_id,
    lookalikeOf: (username) => lookalike?.get(uts39UsernameLooks.skeleton(username), username),
  };
};
