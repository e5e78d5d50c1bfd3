import * as assert from 'uvu/assert';
import { serverSuite } from '../helpers/server-suite.js';
import { codeNow, createUser } from '../helpers/test-server.js';
import { login, loginMfa, mfaToken, sessionOf, userPath } from './helpers/native-api.js';

/**
 * Races that issue 23's probing found holding, kept so: one secret, presented in parallel, wins once. Each pair runs
 * several times, so an interleaving that lets both through has more than one chance to show (docs/security.md §3).
 */
const t = serverSuite('security: parallel uses of one secret give exactly one success');

const rounds = 4;

t('one recovery code at two parallel second steps → exactly one 200', async ({ s }) => {
  for (let i = 0; i < rounds; i++) {
    const a = await createUser(s, { totp: false });
    const codes = (await s.admin('POST', userPath(a, '/recovery-codes'))).body.codes as string[];
    const [t1, t2] = await Promise.all([mfaToken(s, a), mfaToken(s, a)]);
    const replies = await Promise.all([loginMfa(s, { mfa_token: t1, otp: codes[0] }), loginMfa(s, { mfa_token: t2, otp: codes[0] })]);
    assert.equal(replies.map((r) => r.status).sort(), [200, 401], `round ${i}`);
    // The other codes are untouched.
    assert.is((await loginMfa(s, { mfa_token: await mfaToken(s, a), otp: codes[1] })).status, 200);
  }
});

t('one second-step token with the right code, twice in parallel → exactly one 200', async ({ s }) => {
  for (let i = 0; i < rounds; i++) {
    const a = await createUser(s);
    const token = await mfaToken(s, a);
    const code = codeNow(s, a);
    const replies = await Promise.all([loginMfa(s, { mfa_token: token, otp: code }), loginMfa(s, { mfa_token: token, otp: code })]);
    assert.equal(replies.map((r) => r.status).sort(), [200, 401], `round ${i}`);
    s.clock.advance(30_000);
  }
});

t('one access token refreshed twice in parallel → exactly one 200, and only its new token works', async ({ s }) => {
  for (let i = 0; i < rounds; i++) {
    const a = await createUser(s, { mfa: 'exempt', totp: false });
    const first = await login(s, { username: a.username, password: a.password });
    assert.is(first.status, 200);
    const token = first.body.access_token as string;
    const replies = await Promise.all([s.call('POST', '/v1/token/refresh', { token }), s.call('POST', '/v1/token/refresh', { token })]);
    assert.equal(replies.map((r) => r.status).sort(), [200, 401], `round ${i}`);
    const winner = replies.find((r) => r.status === 200)!.body.access_token as string;
    assert.is((await sessionOf(s, winner)).status, 200);
    assert.is((await sessionOf(s, token)).status, 401);
  }
});

t.run();
