import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { call } from '../../helpers/http.js';
import { type TestServer, type TestUser, codeNow, createUser, startTestServer } from '../../helpers/test-server.js';

/**
 * GET /metrics from a running server, parsed as the Prometheus text format (0.0.4) prom-client writes: every family
 * with its HELP and TYPE, the login-step, argon2, TOTP and commit histograms moved by a login, label values only
 * from the fixed sets, and nothing of the user's.
 */
interface Sample {
  readonly name: string;
  readonly labels: Record<string, string>;
  readonly value: number;
}
interface Scrape {
  readonly help: Map<string, string>;
  readonly type: Map<string, string>;
  readonly samples: Sample[];
  readonly text: string;
}

const parse = (text: string): Scrape => {
  const help = new Map<string, string>();
  const type = new Map<string, string>();
  const samples: Sample[] = [];
  for (const line of text.split('\n')) {
    if (line === '') continue;
    const meta = /^# (HELP|TYPE) ([a-zA-Z_:][a-zA-Z0-9_:]*) (.*)$/.exec(line);
    if (meta) {
      (meta[1] === 'HELP' ? help : type).set(meta[2]!, meta[3]!);
      continue;
    }
    const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    assert.ok(m, `a sample line: ${line}`);
    const labels: Record<string, string> = {};
    for (const l of (m![2] ?? '').matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g)) labels[l[1]!] = l[2]!;
    samples.push({ name: m![1]!, labels, value: Number(m![3]) });
  }
  return { help, type, samples, text };
};

const scrape = async (s: TestServer): Promise<Scrape> => {
  const r = await call(s.url, 'GET', '/metrics');
  assert.is(r.status, 200);
  assert.match(r.headers.get('content-type') ?? '', /^text\/plain; version=0\.0\.4/);
  return parse(r.text);
};

/** The value of one sample (0 when the series does not exist yet). */
const value = (sc: Scrape, name: string, labels: Record<string, string> = {}): number =>
  sc.samples.find((x) => x.name === name && Object.entries(labels).every(([k, v]) => x.labels[k] === v))?.value ?? 0;

/** The family a sample belongs to: a histogram's _bucket, _sum and _count lines are one family. */
const family = (sc: Scrape, name: string): string => {
  const base = name.replace(/_(bucket|sum|count)$/, '');
  return base !== name && sc.type.get(base) === 'histogram' ? base : name;
};

const fixedSets: Record<string, RegExp> = {
  dialect: /^(native|oracle|appgate|truenas|mykaarma|other)$/,
  step: /^(password|second_factor|token|api_key|other)$/,
  reason: /^(shed|throttled)$/,
  answered_by: /^(app|early)$/,
  task: /^(hash|verify)$/,
  status: /^[1-5]\d\d$/,
  result: /^[a-z_]+$/,
};

const t = suite<{ s: TestServer; user: TestUser }>('/metrics (prom-client)');
t.before(async (ctx) => {
  ctx.s = await startTestServer({ env: { LATCHKEY_ARGON2_MEMORY_KIB: '1024', LATCHKEY_ARGON2_ITERATIONS: '1' } });
  ctx.user = await createUser(ctx.s, { username: 'metricsvictim', password: 'metrics-password-sentinel-9f2c' });
});
t.after(async ({ s }) => {
  await s.close();
});

t('a two-step login moves the password and second-factor histograms, argon2, the TOTP check and the commit', async ({ s, user }) => {
  const before = await scrape(s);
  const first = await s.call('POST', '/v1/login', { json: { username: user.username, password: user.password } });
  assert.is(first.status, 200);
  const second = await s.call('POST', '/v1/login/mfa', { json: { mfa_token: first.body.mfa_token, otp: codeNow(s, user) } });
  assert.is(second.status, 200);
  const after = await scrape(s);
  const moved = (name: string, labels: Record<string, string> = {}) => value(after, name, labels) - value(before, name, labels);

  const password = { dialect: 'native', step: 'password' };
  const secondFactor = { dialect: 'native', step: 'second_factor' };
  assert.is(moved('latchkey_login_step_seconds_count', password), 1);
  assert.is(moved('latchkey_login_step_seconds_count', secondFactor), 1);
  assert.ok(moved('latchkey_login_step_seconds_sum', password) > 0);
  assert.ok(moved('latchkey_login_step_seconds_sum', secondFactor) > 0);
  assert.is(moved('latchkey_login_step_seconds_bucket', { ...password, le: '+Inf' }), 1);
  // Buckets are cumulative: the step sits in one bucket and in every one above it.
  const buckets = after.samples.filter((x) => x.name === 'latchkey_login_step_seconds_bucket' && x.labels.dialect === 'native' && x.labels.step === 'password');
  assert.ok(buckets.length > 5);
  for (let i = 1; i < buckets.length; i++) assert.ok(buckets[i]!.value >= buckets[i - 1]!.value, 'cumulative buckets');

  assert.ok(moved('latchkey_argon2_run_seconds_count', { task: 'verify' }) >= 1, 'the password verify');
  assert.ok(moved('latchkey_argon2_queue_wait_seconds_count', { task: 'verify' }) >= 1);
  assert.ok(moved('latchkey_argon2_run_seconds_sum', { task: 'verify' }) > 0);
  assert.is(moved('latchkey_totp_check_seconds_count'), 1, 'the one code check, on a worker lane');
  assert.ok(moved('latchkey_event_commit_seconds_count') >= 2, 'both steps commit their events');
  assert.is(moved('latchkey_logins_total', { dialect: 'native', result: 'mfa_required' }), 1);
  assert.is(moved('latchkey_second_steps_total', { dialect: 'native', result: 'authenticated' }), 1);
  assert.ok(moved('latchkey_http_responses_total', { status: '200' }) >= 2);
  assert.ok(value(after, 'latchkey_events_last_seq') > value(before, 'latchkey_events_last_seq'));
});

t('every family has HELP and TYPE; prom-client’s process and event-loop defaults are there; the gauges kept', async ({ s }) => {
  const sc = await scrape(s);
  assert.ok(sc.samples.length > 50);
  for (const x of sc.samples) {
    const f = family(sc, x.name);
    assert.ok(sc.help.has(f) && sc.help.get(f)!.length > 0, `HELP for ${f}`);
    assert.ok(sc.type.has(f), `TYPE for ${f}`);
  }
  for (const [f, ty] of sc.type) assert.ok(['counter', 'gauge', 'histogram', 'summary'].includes(ty), `${f}: ${ty}`);
  assert.is(sc.type.get('latchkey_login_step_seconds'), 'histogram');
  assert.is(sc.type.get('latchkey_argon2_queue_wait_seconds'), 'histogram');
  assert.is(sc.type.get('latchkey_event_commit_seconds'), 'histogram');
  assert.is(sc.type.get('latchkey_http_responses_total'), 'counter');
  for (const name of ['process_cpu_user_seconds_total', 'process_resident_memory_bytes', 'nodejs_eventloop_lag_p99_seconds', 'nodejs_heap_size_used_bytes']) {
    assert.ok(sc.samples.some((x) => x.name === name), name);
  }
  for (const name of ['latchkey_argon2_queue', 'latchkey_argon2_max_queue', 'latchkey_events_last_seq', 'nodejs_eventloop_delay_p99_seconds']) {
    assert.is(sc.type.get(name), 'gauge', name);
  }
  assert.ok(value(sc, 'latchkey_argon2_max_queue') > 0);
});

t('a spent address budget is counted, answered by the application and then before koa; a wrong guess too', async () => {
  const s = await startTestServer({ env: { LATCHKEY_THROTTLE_IP_BURST: '2', LATCHKEY_THROTTLE_IP_PER_MINUTE: '2', LATCHKEY_ARGON2_MEMORY_KIB: '1024', LATCHKEY_ARGON2_ITERATIONS: '1' } });
  try {
    const user = await createUser(s, { username: 'metricsthrottled', totp: false });
    const statuses: number[] = [];
    for (let i = 0; i < 6; i++) statuses.push((await s.call('POST', '/v1/login', { json: { username: user.username, password: `wrong-guess-sentinel-${i}` } })).status);
    assert.equal(statuses.slice(0, 2), [401, 401]);
    assert.ok(statuses.slice(2).every((x) => x === 429), statuses.join(' '));
    const sc = await scrape(s);
    const app = value(sc, 'latchkey_refusals_total', { dialect: 'native', reason: 'throttled', answered_by: 'app' });
    const early = value(sc, 'latchkey_refusals_total', { dialect: 'native', reason: 'throttled', answered_by: 'early' });
    assert.ok(app >= 1, `answered by the application: ${app}`);
    assert.ok(early >= 1, `answered before koa: ${early}`);
    assert.is(app + early, 4);
    assert.is(value(sc, 'latchkey_http_responses_total', { status: '429' }), 4);
    assert.is(value(sc, 'latchkey_logins_total', { dialect: 'native', result: 'rejected' }), 2);
    assert.not.match(sc.text, /wrong-guess-sentinel/);
  } finally {
    await s.close();
  }
});

t('label values come from the fixed sets only; no username, password, seed, code, token or address', async ({ s, user }) => {
  // Input that a careless label would copy: a path with a username, an unknown path, an appgate and an oracle login.
  await s.call('GET', `/v1/admin/users/${user.username}`, { token: 'not-the-admin-key-sentinel' });
  await s.call('GET', `/no/such/${user.username}/path`);
  await s.call('POST', '/ccadmin/v1/mfalogin', { form: { grant_type: 'password', username: user.username, password: user.password, totp_code: codeNow(s, user, 1) } });
  const first = await s.call('POST', '/v1/login', { json: { username: user.username, password: user.password } });
  const sc = await scrape(s);
  for (const x of sc.samples) {
    for (const [k, v] of Object.entries(x.labels)) {
      if (k === 'le' || k === 'quantile') continue;
      const rule = fixedSets[k];
      // prom-client's defaults label a few series themselves (GC kind, heap space, Node version): never input.
      if (rule === undefined) {
        assert.ok(x.name.startsWith('nodejs_') || x.name.startsWith('process_'), `${x.name} has an unlisted label ${k}`);
        continue;
      }
      assert.match(v, rule, `${x.name}{${k}="${v}"}`);
    }
  }
  const secrets = [user.username, user.password, user.secret!, codeNow(s, user), codeNow(s, user, 1), first.body.mfa_token, s.adminKey, 'not-the-admin-key-sentinel', '127.0.0.1'];
  for (const secret of secrets) assert.not.ok(sc.text.includes(secret), `the scrape holds ${secret.slice(0, 6)}…`);
  assert.ok(value(sc, 'latchkey_login_step_seconds_count', { dialect: 'oracle', step: 'password' }) >= 1, 'the oracle login is timed under its dialect');
});

t.run();
