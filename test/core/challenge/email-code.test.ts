import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import type { ChallengeCommand } from '../../../core/challenge/commands.js';
import { challengeDecider } from '../../../core/challenge/decider.js';
import type { ChallengeEvent } from '../../../core/challenge/events.js';
import { defaultPolicy } from '../../../core/policy.js';
import { at, specification } from '../given-when-then.js';

/** docs/security.md §38–§39: one live e-mail code per challenge, its delivery recorded once, dead with its challenge. */
const t = suite('challenge decider: e-mail codes');
const given = specification(challengeDecider);

const t0 = 1_736_154_000_000;
const expiresAt = t0 + defaultPolicy.challenge.ttlMs;
const epoch = 2;
const issued: ChallengeEvent = {
  type: 'ChallengeIssued',
  data: { challengeId: 'ch-1', accountId: 'acc-1', tokenHash: 'h', expiresAt, epoch, methods: ['email'], dialect: 'native' },
};
const issue = (now: number, codeId = 'code-1', ttlMs = 60_000, outbox: string | null = 'node-a'): ChallengeCommand => ({
  type: 'IssueEmailCode',
  codeId,
  codeMac: `mac-${codeId}`,
  ttlMs,
  outbox,
  accountEpoch: epoch,
  now,
});
const codeIssued = (codeId: string, codeExpiresAt: number, outbox: string | null = 'node-a'): ChallengeEvent => ({
  type: 'EmailCodeIssued',
  data: { codeId, codeMac: `mac-${codeId}`, expiresAt: codeExpiresAt, outbox },
});
const deliver = (codeId: string, now: number, outcome: Extract<ChallengeCommand, { type: 'RecordEmailDelivery' }>['outcome']): ChallengeCommand => ({
  type: 'RecordEmailDelivery',
  codeId,
  outcome,
  now,
});

t('a code expires after its TTL, and never after its challenge', () => {
  given([issued]).when(issue(t0)).then([codeIssued('code-1', t0 + 60_000)]);
  given([issued]).when(issue(t0, 'code-1', 3600_000)).then([codeIssued('code-1', expiresAt)]);
});

t('a resend is refused while the code is live, at its last millisecond too; allowed once it expired', () => {
  const history = [issued, at(t0, codeIssued('code-1', t0 + 60_000))];
  given(history).when(issue(t0 + 59_999, 'code-2')).then([{ type: 'ChallengeRefused', data: { reason: 'email_pending' } }]);
  given(history).when(issue(t0 + 60_000, 'code-2')).then([codeIssued('code-2', t0 + 60_000 + 60_000)]);
});

t('a code withheld (no address) blocks a resend exactly as a sent one does', () => {
  given([issued, codeIssued('code-1', t0 + 60_000, null)]).when(issue(t0 + 1000, 'code-2')).then([{ type: 'ChallengeRefused', data: { reason: 'email_pending' } }]);
});

t('a code whose delivery failed for good, or was abandoned, may be replaced at once', () => {
  const failed: ChallengeEvent = { type: 'EmailDeliveryFailed', data: { codeId: 'code-1', attempt: 5, smtpCode: 550, final: true } };
  given([issued, codeIssued('code-1', t0 + 60_000), failed]).when(issue(t0 + 1000, 'code-2')).then([codeIssued('code-2', t0 + 61_000)]);
  const abandoned: ChallengeEvent = { type: 'EmailCodeAbandoned', data: { codeId: 'code-1', reason: 'restart' } };
  given([issued, codeIssued('code-1', t0 + 60_000), abandoned]).when(issue(t0 + 1000, 'code-2')).then([codeIssued('code-2', t0 + 61_000)]);
});

t('a retryable failure keeps the code owed; a delivery is recorded once, and nothing after it', () => {
  const retry: ChallengeEvent = { type: 'EmailDeliveryFailed', data: { codeId: 'code-1', attempt: 1, smtpCode: 451, final: false } };
  const history = [issued, codeIssued('code-1', t0 + 60_000)];
  given(history).when(deliver('code-1', t0, { kind: 'failed', attempt: 1, smtpCode: 451, final: false })).then([retry]);
  const delivered: ChallengeEvent = { type: 'EmailCodeDelivered', data: { codeId: 'code-1', attempt: 2 } };
  given([...history, retry]).when(deliver('code-1', t0, { kind: 'delivered', attempt: 2 })).then([delivered]);
  given([...history, retry, delivered]).when(deliver('code-1', t0, { kind: 'delivered', attempt: 2 })).then([]);
  given([...history, retry, delivered]).when(deliver('code-1', t0, { kind: 'abandoned', reason: 'restart' })).then([]);
});

t('an outcome about a replaced code records nothing', () => {
  const history = [issued, codeIssued('code-1', t0 + 60_000), { type: 'EmailCodeAbandoned', data: { codeId: 'code-1', reason: 'restart' } } as ChallengeEvent, codeIssued('code-2', t0 + 60_000)];
  given(history).when(deliver('code-1', t0, { kind: 'delivered', attempt: 1 })).then([]);
});

t('no code for a challenge that is no longer usable', () => {
  given([issued]).when(issue(expiresAt)).thenThrows('invalid_token');
  given([issued]).when({ ...issue(t0), accountEpoch: epoch + 1 } as ChallengeCommand).thenThrows('invalid_token');
  given([issued, { type: 'ChallengeCompleted', data: { sessionId: 's' } }]).when(issue(t0)).thenThrows('invalid_token');
  given([]).when(issue(t0)).thenThrows('invalid_token');
});

t('the code is folded with its delivery status', () => {
  const state = given([issued]).when(issue(t0)).then([codeIssued('code-1', t0 + 60_000)]);
  assert.is(state.status === 'pending' ? state.email?.delivery : null, 'sending');
});

t.run();
