import { readFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import * as assert from 'uvu/assert';
import type { Reply } from '../../helpers/http.js';
import type { TestServer } from '../../helpers/test-server.js';

/** The server log up to and including the line of `last` (polls: the log stream writes asynchronously). */
export const logThrough = async (s: TestServer, last: Reply): Promise<string> => {
  const requestId = last.headers.get('x-request-id');
  if (!requestId) throw new Error('reply without X-Request-Id');
  for (let i = 0; ; i++) {
    const text = readFileSync(s.logPath, 'utf8');
    if (text.includes(requestId) || i >= 100) return text;
    await sleep(20);
  }
};

/** Waits for the server's pino stream to reach the file. */
export const settleLog = (): Promise<void> => sleep(100);

/** Every line of the server log is one JSON object (no forged lines: docs/security.md §28). */
export const logLines = (s: TestServer): Record<string, unknown>[] => {
  const text = readFileSync(s.logPath, 'utf8');
  const lines = text.split('\n');
  assert.is(lines.pop(), '', 'the log ends with a newline');
  return lines.map((line, i) => {
    let parsed: unknown;
    try {
      parsed = JSON.parse(line);
    } catch {
      assert.unreachable(`log line ${i + 1} is not JSON`);
    }
    assert.ok(parsed !== null && typeof parsed === 'object' && !Array.isArray(parsed), `log line ${i + 1} is a JSON object`);
    return parsed as Record<string, unknown>;
  });
};
