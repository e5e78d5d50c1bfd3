import { closeSync, openSync, writeSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { exportLog } from '../adapters/sqlite/export-log.js';
import { openDatabase } from '../adapters/sqlite/open-database.js';

/**
 * The export's memory, in a process of its own started as `latchkey audit export` is (node's default heap settings,
 * not the bench's larger young generation, which lets garbage pile up before a scavenge): the log exported to
 * /dev/null back to back until `target` rows have gone out, RSS read after every page. Prints
 * `{rssAfter1M, rssPeak}` in bytes: memory that grew with the rows exported would show between the two.
 */
export const exportMemory = async (dbPath: string, target = 3_000_000): Promise<{ rssAfter1M: number; rssPeak: number }> => {
  const db = openDatabase(dbPath, { readonly: true, fileMustExist: true });
  const nul = openSync('/dev/null', 'w');
  let exported = 0;
  let rssAfter1M = 0;
  let rssPeak = 0;
  try {
    while (exported < target) {
      const before = exported;
      const rows = await exportLog(db, { range: {}, format: 'ndjson', onProgress: (n) => {
        if (rssAfter1M === 0 && before + n >= 1_000_000) rssAfter1M = process.memoryUsage.rss();
        if (rssAfter1M !== 0) rssPeak = Math.max(rssPeak, process.memoryUsage.rss());
      } }, (chunk) => {
        writeSync(nul, chunk);
      });
      if (rows === 0) break;
      exported += rows;
    }
  } finally {
    closeSync(nul);
    db.close();
  }
  return { rssAfter1M, rssPeak };
};

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  process.stdout.write(`${JSON.stringify(await exportMemory(process.argv[2]!))}\n`);
}
