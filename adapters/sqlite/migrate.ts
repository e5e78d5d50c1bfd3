import type Database from 'better-sqlite3';
import { uts39UsernameLooks } from '../unicode/uts39-username-looks.js';
import { type Migration, migrations as defaultMigrations } from './migrations.js';

/**
 * Brings the schema to the last migration. `user_version` says how far a database is; each pending step runs
 * in one IMMEDIATE transaction with its `schema_migrations` row, so a crash leaves the schema at a numbered step.
 * A database newer than this code is refused rather than written with an older idea of the schema.
 */
export const migrate = (db: Database.Database, migrations: readonly Migration[] = defaultMigrations): number => {
  migrations.forEach((m, i) => {
    if (m.version !== i + 1) throw new Error(`migration ${m.name} is numbered ${m.version}, expected ${i + 1}`);
  });
  const latest = migrations.length;
  const versionNow = () => db.pragma('user_version', { simple: true }) as number;
  const seen = versionNow();
  if (seen > latest) throw new Error(`database schema version ${seen} is newer than this build (${latest})`);
  if (seen === latest) return 0;
  let applied = 0;
  db.function('latchkey_skeleton', { deterministic: true }, (username) => uts39UsernameLooks.skeleton(String(username)));
  db.transaction(() => {
    // Another process may have migrated while we waited for the write lock.
    for (const m of migrations.slice(versionNow())) {
      db.exec(m.sql);
      db.prepare('INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)').run(m.version, m.name, Date.now());
      db.pragma(`user_version = ${m.version}`);
      applied++;
    }
  }).immediate();
  return applied;
};
