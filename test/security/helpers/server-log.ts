import { readFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import * as assert from 'uvu/assert';
import type { Reply } from '../../helpers/http.js';
import type { TestServer } from '../../helpers/test-server.js';

/** How long the server's log stream may take to reach the file before a test fails for it. */
const logTimeoutMs = 5_000;

/**
 * The server log up to and including the access-log line of `last` (the log stream writes asynchronously): polls
 * the file until that line is whole, and fails the test if it is not there within `timeoutMs`.
 */
export const logThrough = async (s: TestServer, last: Reply, timeoutMs = logTimeoutMs): Promise<string> => {
  const requestId = last.headers.get('x-request-id');
  assert.ok(requestId, 'a reply with an X-Request-Id');
  const deadline = performance.now() + timeoutMs;
  for (;;) {
    const text = readFileSync(s.logPath, 'utf8');
    const at = text.indexOf(requestId);
    if (at >= 0 && text.indexOf('\n', at) >= 0) return text;
    if (performance.now() > deadline) assert.unreachable(`the server log did not reach request ${requestId} within ${timeoutMs} ms`);
    await sleep(10);
  }
};

/** Waits until every line the server logged so far is in the file: a fresh request's access-log line is the mark. */
export const settleLog = async (s: TestServer): Promise<void> => {
  await logThrough(s, await s.call('GET', '/healthz'));
};

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
