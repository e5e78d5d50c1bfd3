import { copyFileSync } from 'node:fs';
import Database from 'better-sqlite3';

/** A copy of a log at `copy`, edited behind the store's back: triggers dropped, then `edit` run on a plain connection. */
export const tamperedCopy = (path: string, copy: string, edit: (db: Database.Database) => void): string => {
  copyFileSync(path, copy);
  const db = new Database(copy);
  for (const name of db.prepare("SELECT name FROM sqlite_master WHERE type = 'trigger'").pluck().all() as string[]) db.exec(`DROP TRIGGER "${name}"`);
  edit(db);
  db.close();
  return copy;
};
