import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { type AppgateSpec, loadAppgateSpec } from '../../helpers/appgate-spec.js';
import type { Reply } from '../../helpers/http.js';
import { type TestServer, codeNow, createUser, startTestServer } from '../../helpers/test-server.js';

/**
 * sdpctl's sign-in (appgate/sdpctl 2026.06.09, pkg/auth/signin.go and mfa.go, over sdp-api-client-go v24) replayed
 * request by request with the headers it sends: its User-Agent, the peer media type in Accept, JSON bodies as
 * Go's encoding/json writes them (map keys sorted), the bearer once it has a token. Every answer is checked
 * against the vendor's spec and read the way sdpctl reads it.
 */
const userAgent = 'sdpctl/2026.06.09';
const deviceId = '9a3c5e1f-7b2d-4c8e-a1f0-3d5b7c9e2a4f';

let spec: AppgateSpec;
const t = suite<{ s: TestServer }>('sdpctl signs in against the Appgate dialect');
t.before(async (ctx) => {
  spec = await loadAppgateSpec();
  ctx.s = await startTestServer();
});
t.after(async (ctx) => ctx.s.close());

interface Sent {
  readonly method: 'GET' | 'POST';
  readonly path: string;
  readonly version: number;
  readonly token?: string;
  readonly body?: Record<string, unknown>;
}

/** One request as sdpctl's Go client sends it; the answer must be one the spec documents. */
const sdpctl = async (s: TestServer, req: Sent): Promise<Reply> => {
  const headers: Record<string, string> = {
    'user-agent': userAgent,
    accept: `application/vnd.appgate.peer-v${req.version}+json`,
    'accept-encoding': 'gzip',
  };
  if (req.body !== undefined) headers['content-type'] = 'application/json';
  if (req.token !== undefined) headers.authorization = `Bearer ${req.token}`;
  const sorted = req.body === undefined ? undefined : Object.fromEntries(Object.entries(req.body).sort(([a], [b]) => a.localeCompare(b)));
  const r = await s.call(req.method, req.path, { headers, ...(sorted === undefined ? {} : { raw: JSON.stringify(sorted) }) });
  spec.response(req.method, req.path, r);
  return r;
};

/** sdpctl's whole sign-in: GetMinMaxAPIVersion, ProviderNames, Authentication, authAndOTP (3 tries), Authorization. */
const signIn = async (s: TestServer, user: { username: string; password: string }, codes: readonly string[]) => {
  // GetMinMaxAPIVersion: LoginRequest{DeviceId} as peer-v5; providerName is a required Go string, so it goes as "".
  const probe = await sdpctl(s, { method: 'POST', path: '/admin/authentication', version: 5, body: { deviceId, providerName: '' } });
  assert.is(probe.status, 406);
  const max = probe.body.maxSupportedVersion as number;
  assert.is(probe.body.minSupportedVersion, 18);
  assert.is(max, 23);

  const names = await sdpctl(s, { method: 'GET', path: '/admin/identity-providers/names', version: max });
  assert.is(names.status, 200);
  const providers = names.body.data as { name: string; type: string }[];
  // One provider: sdpctl takes it without asking; "Credentials" is its LocalProvider, signed in with a password.
  assert.is(providers.length, 1);
  assert.is(providers[0]!.type, 'Credentials');
  const login = { deviceId, password: user.password, providerName: providers[0]!.name, username: user.username };
  assert.equal(spec.requestErrors('POST', '/admin/authentication', login), []);

  const authn = await sdpctl(s, { method: 'POST', path: '/admin/authentication', version: max, body: login });
  assert.is(authn.status, 200);
  const partial = authn.body.token as string;
  const expires = authn.body.expires as string;

  // authAndOTP: 412 is ErrPreConditionFailed, then initialize with the password, then up to 3 codes (401 → retry).
  const first = await sdpctl(s, { method: 'GET', path: '/admin/authorization', version: max, token: partial });
  let token = partial;
  if (first.status === 412) {
    const init = await sdpctl(s, { method: 'POST', path: '/admin/authentication/otp/initialize', version: max, token: partial, body: { userPassword: user.password } });
    assert.is(init.status, 200);
    assert.is(init.body.type, 'AlreadySeeded');
    for (const otp of codes.slice(0, 3)) {
      const pushed = await sdpctl(s, { method: 'POST', path: '/admin/authentication/otp', version: max, token: partial, body: { otp } });
      if (pushed.status === 401) continue;
      assert.is(pushed.status, 200);
      token = pushed.body.token as string;
      break;
    }
  } else assert.is(first.status, 200);
  const authz = await sdpctl(s, { method: 'GET', path: '/admin/authorization', version: max, token });
  return { authz, expires, partial };
};

t('MFA user: the exact sequence, one wrong code retried, ends in a full token', async ({ s }) => {
  const u = await createUser(s, { roles: ['admin'] });
  const near = [codeNow(s, u, -1), codeNow(s, u), codeNow(s, u, 1)];
  const wrong = ['000000', '111111', '222222', '333333'].find((c) => !near.includes(c))!;
  const { authz, expires, partial } = await signIn(s, u, [wrong, codeNow(s, u)]);
  assert.is(authz.status, 200);
  assert.is(authz.body.user.name, u.username);
  assert.is(authz.body.user.needTwoFactorAuth, false);
  assert.ok(authz.body.token !== partial);
  assert.ok(!Number.isNaN(Date.parse(expires)), 'expires parses as Go time.Time does (RFC 3339)');
  const session = await s.call('GET', '/v1/session', { token: authz.body.token });
  assert.is(session.body.aal, 'aal2');
});

t('MFA user: three wrong codes and sdpctl stops with the partial token, which authorization refuses (412)', async ({ s }) => {
  const u = await createUser(s);
  const near = [codeNow(s, u, -1), codeNow(s, u), codeNow(s, u, 1)];
  const wrong = ['000000', '111111', '222222', '333333', '444444'].filter((c) => !near.includes(c)).slice(0, 3);
  const { authz } = await signIn(s, u, wrong);
  assert.is(authz.status, 412);
});

t('MFA-exempt user: authorization answers 200 at once and the sequence skips the OTP calls', async ({ s }) => {
  const u = await createUser(s, { mfa: 'exempt', totp: false, roles: ['auditor'] });
  const { authz, partial } = await signIn(s, u, []);
  assert.is(authz.status, 200);
  assert.is(authz.body.token, partial, 'the first token was already a full one');
});

t('wrong password: sdpctl gets the Login failure at authentication, in the spec shape', async ({ s }) => {
  const u = await createUser(s);
  const r = await sdpctl(s, { method: 'POST', path: '/admin/authentication', version: 23, body: { deviceId, password: 'nope', providerName: 'local', username: u.username } });
  assert.is(r.status, 401);
  assert.is(r.body.failureType, 'Login');
});

t.run();
