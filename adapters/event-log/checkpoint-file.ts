import { closeSync, existsSync, fsyncSync, openSync, readFileSync, renameSync, writeSync } from 'node:fs';
import { open, rename } from 'node:fs/promises';
import { dirname } from 'node:path';
import { type Checkpoint, checkpointLine, parseCheckpoint } from './checkpoint.js';

/**
 * In the data dir, next to where the SQLite database is: `data/latchkey.db` → `data/latchkey.checkpoint.json`. A
 * PostgreSQL node keeps its own there too, outside the database it anchors.
 */
export const checkpointPath = (databasePath: string): string => `${databasePath.replace(/\.db$/, '')}.checkpoint.json`;

/** The checkpoint at `path`, null when there is none, an Error when the file is there but unreadable as one. */
export const readCheckpoint = (path: string): Checkpoint | null | Error => {
  if (!existsSync(path)) return null;
  return parseCheckpoint(readFileSync(path, 'utf8'));
};

const fsyncDirectory = (path: string): void => {
  const fd = openSync(dirname(path), 'r');
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
};

/** This process's temporary file: two processes on one data dir (nodes of a cluster) never write into each other's. */
const temporaryPath = (path: string): string => `${path}.${process.pid}.tmp`;

/**
 * Written atomically: a temporary file, fsync, rename over the old one, fsync of the directory (so the rename itself
 * survives a power cut). A crash leaves the old checkpoint or the new one, never half of one. Off the writer thread's
 * loop: the file work runs on libuv's pool.
 */
export const writeCheckpoint = async (path: string, checkpoint: Checkpoint): Promise<void> => {
  const temporary = temporaryPath(path);
  const file = await open(temporary, 'w', 0o600);
  try {
    await file.writeFile(checkpointLine(checkpoint), 'utf8');
    await file.sync();
  } finally {
    await file.close();
  }
  await rename(temporary, path);
  const directory = await open(dirname(path), 'r');
  try {
    await directory.sync();
  } finally {
    await directory.close();
  }
};

/** `writeCheckpoint` in the calling thread: the writer's last checkpoint as it closes. */
export const writeCheckpointSync = (path: string, checkpoint: Checkpoint): void => {
  const temporary = temporaryPath(path);
  const fd = openSync(temporary, 'w', 0o600);
  try {
    writeSync(fd, checkpointLine(checkpoint));
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  renameSync(temporary, path);
  fsyncDirectory(path);
};
