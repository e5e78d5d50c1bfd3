import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import type { SessionCommand } from '../../../core/session/commands.js';
import { sessionDecider } from '../../../core/session/decider.js';
import type { SessionEvent } from '../../../core/session/events.js';
import { sessionAccepts } from '../../../core/session/state.js';
import { specification } from '../given-when-then.js';

/** Sessions keep only the current jti: a refresh replaces it, so an older token is stale. Exclusive at expiresAt. */
const t = suite('session decider');
const given = specification(sessionDecider);

const t0 = 1_736_154_000_000;
const ttl = 900_000;
const expiresAt = t0 + ttl;

const issued: SessionEvent = {
  type: 'SessionIssued',
  data: { sessionId: 'ses-1', accountId: 'acc-1', jti: 'jti-1', aal: 'aal2', method: 'password+totp', expiresAt, dialect: 'native' },
};
const refresh = (presentedJti: string, now: number, jti = 'jti-2'): SessionCommand => ({ type: 'Refresh', presentedJti, jti, ttlMs: ttl, now });
const revoke = (presentedJti: string, now: number): SessionCommand => ({ type: 'Revoke', presentedJti, reason: 'logout', now });
const refreshed = (jti: string, at: number): SessionEvent => ({ type: 'SessionRefreshed', data: { jti, expiresAt: at + ttl } });

t('Issue: expires ttl after issue; twice under one id is an id collision', () => {
  given([])
    .when({ type: 'Issue', sessionId: 'ses-1', accountId: 'acc-1', jti: 'jti-1', aal: 'aal2', method: 'password+totp', ttlMs: ttl, dialect: 'native', now: t0 })
    .then([issued]);
  given([issued])
    .when({ type: 'Issue', sessionId: 'ses-1', accountId: 'acc-1', jti: 'jti-9', aal: 'aal2', method: 'password+totp', ttlMs: ttl, dialect: 'native', now: t0 })
    .thenThrows('id_collision');
});

t('refresh at expiresAt−1 ms: a new jti and a new expiry measured from now', () => {
  const s = given([issued]).when(refresh('jti-1', expiresAt - 1)).then([refreshed('jti-2', expiresAt - 1)]);
  assert.ok(sessionAccepts(s, 'jti-2', expiresAt));
  assert.not.ok(sessionAccepts(s, 'jti-1', expiresAt - 1));
});

t('refresh at expiresAt and expiresAt+1 ms: invalid token', () => {
  given([issued]).when(refresh('jti-1', expiresAt)).thenThrows('invalid_token');
  given([issued]).when(refresh('jti-1', expiresAt + 1)).thenThrows('invalid_token');
});

t('a stale jti (the token before a refresh) is refused for refresh and revoke', () => {
  const history = [issued, refreshed('jti-2', t0 + 1000)];
  given(history).when(refresh('jti-1', t0 + 2000, 'jti-3')).thenThrows('invalid_token');
  given(history).when(revoke('jti-1', t0 + 2000)).thenThrows('invalid_token');
  given(history).when(refresh('jti-2', t0 + 2000, 'jti-3')).then([refreshed('jti-3', t0 + 2000)]);
});

t('a jti that was never this session’s is refused', () => {
  given([issued]).when(refresh('jti-other', t0)).thenThrows('invalid_token');
});

t('revoke with the current jti, before expiry; then the session accepts nothing', () => {
  const s = given([issued]).when(revoke('jti-1', expiresAt - 1)).then([{ type: 'SessionRevoked', data: { reason: 'logout' } }]);
  assert.is(s.status, 'revoked');
  const revoked: SessionEvent[] = [issued, { type: 'SessionRevoked', data: { reason: 'logout' } }];
  given(revoked).when(refresh('jti-1', t0 + 1)).thenThrows('invalid_token');
  given(revoked).when(revoke('jti-1', t0 + 1)).thenThrows('invalid_token');
});

t('revoke at expiresAt: the token is already dead', () => {
  given([issued]).when(revoke('jti-1', expiresAt)).thenThrows('invalid_token');
});

t('no session: refresh and revoke are invalid tokens', () => {
  given([]).when(refresh('jti-1', t0)).thenThrows('invalid_token');
  given([]).when(revoke('jti-1', t0)).thenThrows('invalid_token');
});

t('sessionAccepts: exclusive at expiresAt', () => {
  const s = given([]).when({ type: 'Issue', sessionId: 'ses-1', accountId: 'acc-1', jti: 'jti-1', aal: 'aal1', method: 'password', ttlMs: ttl, dialect: 'native', now: t0 }).then([
    { type: 'SessionIssued', data: { sessionId: 'ses-1', accountId: 'acc-1', jti: 'jti-1', aal: 'aal1', method: 'password', expiresAt, dialect: 'native' } },
  ]);
  assert.ok(sessionAccepts(s, 'jti-1', expiresAt - 1));
  assert.not.ok(sessionAccepts(s, 'jti-1', expiresAt));
  assert.not.ok(sessionAccepts(s, 'jti-1', expiresAt + 1));
});

t.run();
