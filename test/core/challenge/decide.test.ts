import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import type { ChallengeCommand } from '../../../core/challenge/commands.js';
import { challengeDecider } from '../../../core/challenge/decider.js';
import type { ChallengeEvent } from '../../../core/challenge/events.js';
import { defaultPolicy } from '../../../core/policy.js';
import { specification } from '../given-when-then.js';

/** One pending second step: TTL 300 s, exclusive at expiresAt; dead after 5 wrong codes or an epoch change. */
const t = suite('challenge decider');
const given = specification(challengeDecider);

const t0 = 1_736_154_000_000;
const ttl = 300_000;
const expiresAt = t0 + ttl;
const epoch = 3;

const issued: ChallengeEvent = {
  type: 'ChallengeIssued',
  data: { challengeId: 'ch-1', accountId: 'acc-1', tokenHash: 'h', expiresAt, epoch, methods: ['totp'], dialect: 'native' },
};
const attempt = (result: 'accepted' | 'rejected', now: number, accountEpoch = epoch): ChallengeCommand => ({
  type: 'RecordAttempt',
  result,
  sessionId: result === 'accepted' ? 'ses-1' : null,
  accountEpoch,
  now,
});
const close = (now: number, accountEpoch = epoch): ChallengeCommand => ({ type: 'Close', accountEpoch, now });
const rejected = (attempts: number): ChallengeEvent => ({ type: 'ChallengeOtpRejected', data: { attempts } });
const ended = (reason: 'expired' | 'exhausted' | 'credentials_changed'): ChallengeEvent => ({ type: 'ChallengeEnded', data: { reason } });
const refused = (reason: 'finished' | 'exhausted' | 'expired' | 'credentials_changed' | 'foreign_user' | 'bad_token'): ChallengeEvent => ({ type: 'ChallengeRefused', data: { reason } });

t('Issue: expires 300 s after issue, with the account epoch it was issued under', () => {
  assert.is(defaultPolicy.challenge.ttlMs, ttl);
  given([])
    .when({ type: 'Issue', challengeId: 'ch-1', accountId: 'acc-1', tokenHash: 'h', epoch, methods: ['totp'], dialect: 'native', now: t0 })
    .then([issued]);
});

t('Issue twice under one id is an id collision', () => {
  given([issued])
    .when({ type: 'Issue', challengeId: 'ch-1', accountId: 'acc-1', tokenHash: 'h', epoch, methods: ['totp'], dialect: 'native', now: t0 })
    .thenThrows('id_collision');
});

t('expiresAt−1 ms: still usable, a right code completes it', () => {
  const s = given([issued]).when(attempt('accepted', expiresAt - 1)).then([{ type: 'ChallengeCompleted', data: { sessionId: 'ses-1' } }]);
  assert.is(s.status, 'completed');
  given([issued]).when(attempt('rejected', expiresAt - 1)).then([rejected(1)]);
  given([issued]).when(close(expiresAt - 1)).then([]);
});

t('expiresAt: dead, an attempt is an invalid token, Close records the expiry', () => {
  given([issued]).when(attempt('accepted', expiresAt)).thenThrows('invalid_token');
  given([issued]).when(attempt('rejected', expiresAt)).thenThrows('invalid_token');
  given([issued]).when(close(expiresAt)).then([ended('expired')]);
});

t('expiresAt+1 ms: dead', () => {
  given([issued]).when(attempt('accepted', expiresAt + 1)).thenThrows('invalid_token');
  given([issued]).when(close(expiresAt + 1)).then([ended('expired')]);
});

t('wrong codes 1–4 are recorded; the 5th ends the challenge as exhausted in the same decision', () => {
  given([issued, rejected(1), rejected(2), rejected(3)]).when(attempt('rejected', t0 + 1)).then([rejected(4)]);
  const s = given([issued, rejected(1), rejected(2), rejected(3), rejected(4)]).when(attempt('rejected', t0 + 1)).then([rejected(5), ended('exhausted')]);
  assert.equal(s, { status: 'ended', id: 'ch-1', accountId: 'acc-1', reason: 'exhausted', refusals: 0 });
});

t('after 4 wrong codes a right one still completes it', () => {
  given([issued, rejected(1), rejected(2), rejected(3), rejected(4)])
    .when(attempt('accepted', t0 + 1))
    .then([{ type: 'ChallengeCompleted', data: { sessionId: 'ses-1' } }]);
});

t('an exhausted challenge refuses even the right code; Close records the refused presentation', () => {
  const history = [issued, rejected(1), rejected(2), rejected(3), rejected(4), rejected(5), ended('exhausted')];
  given(history).when(attempt('accepted', t0 + 1)).thenThrows('invalid_token');
  given(history).when(close(t0 + 1)).then([refused('exhausted')]);
});

t('a completed challenge cannot be used again (docs/security.md §9)', () => {
  const history: ChallengeEvent[] = [issued, { type: 'ChallengeCompleted', data: { sessionId: 'ses-1' } }];
  given(history).when(attempt('accepted', t0 + 1)).thenThrows('invalid_token');
  given(history).when(close(t0 + 1)).then([refused('finished')]);
});

t('refused presentations are recorded up to the bound, then no more (a spent token cannot grow the log)', () => {
  const done: ChallengeEvent = { type: 'ChallengeCompleted', data: { sessionId: 'ses-1' } };
  const nine = Array.from({ length: 9 }, () => refused('finished'));
  given([issued, done, ...nine]).when(close(t0 + 1)).then([refused('finished')]);
  given([issued, done, ...nine, refused('finished')]).when(close(t0 + 1)).then([]);
  given([issued, ...nine, refused('foreign_user')]).when({ type: 'Refuse', reason: 'bad_token', now: t0 + 1 }).then([]);
});

t('a token of another user than the caller named, or not the challenge\'s validator, is refused and recorded; the challenge stays usable', () => {
  const s = given([issued]).when({ type: 'Refuse', reason: 'foreign_user', now: t0 + 1 }).then([refused('foreign_user')]);
  assert.is(s.status === 'pending' && s.refusals, 1);
  given([issued, refused('foreign_user')]).when(attempt('accepted', t0 + 2)).then([{ type: 'ChallengeCompleted', data: { sessionId: 'ses-1' } }]);
  given([]).when({ type: 'Refuse', reason: 'bad_token', now: t0 + 1 }).then([]);
});

t('an account epoch change (password, factor, lock) kills it: credentials_changed (docs/security.md §11)', () => {
  given([issued]).when(attempt('accepted', t0 + 1, epoch + 1)).thenThrows('invalid_token');
  given([issued]).when(close(t0 + 1, epoch + 1)).then([ended('credentials_changed')]);
  given([issued, ended('credentials_changed')]).when(attempt('accepted', t0 + 2)).thenThrows('invalid_token');
});

t('expired and epoch-changed at once: recorded as expired', () => {
  given([issued]).when(close(expiresAt, epoch + 1)).then([ended('expired')]);
});

t('no challenge: an attempt is an invalid token; Close adds nothing', () => {
  given([]).when(attempt('accepted', t0)).thenThrows('invalid_token');
  given([]).when(close(t0)).then([]);
});

t.run();
