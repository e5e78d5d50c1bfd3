import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { sessionDecider } from '../../core/session/decider.js';
import type { SessionEvent } from '../../core/session/events.js';
import { specification } from './given-when-then.js';

/** The helper every decider test stands on must be able to fail. */
const t = suite('given / when / then');
const given = specification(sessionDecider);
const issued: SessionEvent = {
  type: 'SessionIssued',
  data: { sessionId: 's', accountId: 'a', jti: 'j1', aal: 'aal1', method: 'password', expiresAt: 1000, dialect: 'native' },
};
const refresh = { type: 'Refresh', presentedJti: 'j1', jti: 'j2', ttlMs: 1000, now: 10 } as const;

const fails = (f: () => void): boolean => {
  try {
    f();
    return false;
  } catch (e) {
    return e instanceof assert.Assertion;
  }
};

t('then: passes on the decided events and returns the state after them', () => {
  const s = given([issued]).when(refresh).then([{ type: 'SessionRefreshed', data: { jti: 'j2', expiresAt: 1010 } }]);
  assert.equal(s, { status: 'active', id: 's', accountId: 'a', jti: 'j2', aal: 'aal1', expiresAt: 1010, apiKeyId: null });
});

t('then: fails on other events, on missing ones and on extra ones', () => {
  assert.ok(fails(() => given([issued]).when(refresh).then([{ type: 'SessionRefreshed', data: { jti: 'j2', expiresAt: 1011 } }])));
  assert.ok(fails(() => given([issued]).when(refresh).then([])));
  assert.ok(
    fails(() =>
      given([issued])
        .when(refresh)
        .then([
          { type: 'SessionRefreshed', data: { jti: 'j2', expiresAt: 1010 } },
          { type: 'SessionRevoked', data: { reason: 'logout' } },
        ]),
    ),
  );
});

t('thenThrows: passes on the code, fails on another code and when nothing is thrown', () => {
  given([]).when(refresh).thenThrows('invalid_token');
  assert.ok(fails(() => given([]).when(refresh).thenThrows('id_collision')));
  assert.ok(fails(() => given([issued]).when(refresh).thenThrows('invalid_token')));
});

t.run();
