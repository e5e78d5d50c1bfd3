import { readlinkSync } from 'node:fs';

/** This worker's OS thread id (Linux), so the server can leave its priority alone; null elsewhere. */
export const threadId = (): number | null => {
  try {
    return Number(readlinkSync('/proc/thread-self').split('/').pop());
  } catch {
    return null;
  }
};
