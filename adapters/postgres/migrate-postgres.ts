import type pg from 'pg';
import type { Migration } from '../sqlite/migrations.js';
import { pgMigrations } from './pg-migrations.js';

/** The advisory lock key of migrations (any constant: every node and `latchkey migrate` takes the same one). */
const migrationLock = 0x6c61_7463;

/**
 * Brings the schema to the last migration, under a session advisory lock, so two nodes starting at once cannot race:
 * the second waits, then finds nothing left to do. Each step runs in one transaction with its `schema_migrations`
 * row. A database newer than this code is refused. Returns the number of steps applied.
 */
export const migratePostgres = async (pool: pg.Pool, migrations: readonly Migration[] = pgMigrations, now: () => number = Date.now): Promise<number> => {
  migrations.forEach((m, i) => {
    if (m.version !== i + 1) throw new Error(`migration ${m.name} is numbered ${m.version}, expected ${i + 1}`);
  });
  const client = await pool.connect();
  try {
    await client.query('SELECT pg_advisory_lock($1)', [migrationLock]);
    try {
      const exists = await client.query<{ t: string | null }>(`SELECT to_regclass('schema_migrations')::text AS t`);
      const seen =
        exists.rows[0]?.t == null ? 0 : ((await client.query<{ v: number | null }>('SELECT max(version) AS v FROM schema_migrations')).rows[0]?.v ?? 0);
      if (seen > migrations.length) throw new Error(`database schema version ${seen} is newer than this build (${migrations.length})`);
      let applied = 0;
      for (const m of migrations.slice(seen)) {
        await client.query('BEGIN');
        try {
          await client.query(m.sql);
          await client.query('INSERT INTO schema_migrations (version, name, applied_at) VALUES ($1, $2, $3)', [m.version, m.name, now()]);
          await client.query('COMMIT');
        } catch (err) {
          await client.query('ROLLBACK');
          throw err;
        }
        applied++;
      }
      return applied;
    } finally {
      await client.query('SELECT pg_advisory_unlock($1)', [migrationLock]);
    }
  } finally {
    client.release();
  }
};
