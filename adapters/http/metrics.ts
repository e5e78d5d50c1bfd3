import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

/**
 * Label values come from fixed sets, never from input: no username, address, path with ids or token can become a
 * series (a label per user would also grow the registry without bound). A label with a known name takes only its
 * listed values; any other value is reported as `other`.
 */
const dialects = ['native', 'oracle', 'appgate', 'truenas', 'mykaarma'] as const;
const labelValues: Readonly<Record<string, RegExp | readonly string[]>> = {
  dialect: dialects,
  step: ['password', 'second_factor', 'token', 'api_key'],
  reason: ['shed', 'throttled'],
  answered_by: ['app', 'early'],
  task: ['hash', 'verify'],
  status: /^[1-5]\d\d$/,
  // The kinds of the engine's results (core/app): code, not input.
  result: /^[a-z_]{1,32}$/,
};
/** Label names another part of the server adds without listing them here: lower-case words, nothing else. */
const anyFixedWord = /^[a-z0-9_]{1,32}$/;

const allowed = (name: string, value: string): boolean => {
  const rule = labelValues[name] ?? anyFixedWord;
  return Array.isArray(rule) ? rule.includes(value) : (rule as RegExp).test(value);
};

/** What the server counts and times; HELP texts are part of the format (Prometheus exposition 0.0.4). */
const counterHelp: Readonly<Record<string, { readonly help: string; readonly labels: readonly string[] }>> = {
  latchkey_http_responses_total: { help: 'HTTP responses by status, those answered before koa (docs/security.md §37) included.', labels: ['status'] },
  latchkey_logins_total: { help: 'First login steps (password, token, API key) by dialect and result.', labels: ['dialect', 'result'] },
  latchkey_second_steps_total: { help: 'Second login steps (a TOTP or recovery code) by dialect and result.', labels: ['dialect', 'result'] },
  latchkey_refusals_total: {
    help: 'Requests refused: shed (503, the argon2 queue full) or throttled (429, a spent budget), answered by the application or before koa.',
    labels: ['dialect', 'reason', 'answered_by'],
  },
  latchkey_mail_total: { help: 'E-mail code deliveries by outcome: sent, failed (the last attempt), retried (docs/security.md §38).', labels: ['result'] },
};

/** Seconds: from sub-millisecond (a commit, a code check) to the seconds a saturated queue can hold a login. */
const latencyBuckets = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

/**
 * The server's metrics in the Prometheus text format, through prom-client: HELP and TYPE lines, histograms, and
 * prom-client's process and event-loop defaults. Counters are named in `counterHelp`; `inc` of another name
 * registers it on first use with the label names of that call (so a module can count something new with one
 * line), under a generic HELP.
 */
export class Metrics {
  readonly registry = new Registry();
  private readonly counters = new Map<string, { readonly counter: Counter; readonly labels: readonly string[] }>();
  private readonly afterRender: (() => void)[] = [];
  private readonly loginStep: Histogram;
  private readonly argon2Wait: Histogram;
  private readonly argon2Run: Histogram;
  private readonly commit: Histogram;
  private readonly totpCheck: Histogram;

  constructor() {
    collectDefaultMetrics({ register: this.registry });
    const histogram = (name: string, help: string, labelNames: readonly string[] = []) => new Histogram({ name, help, labelNames, buckets: latencyBuckets, registers: [this.registry] });
    this.loginStep = histogram('latchkey_login_step_seconds', 'Time the engine took for a login step, by dialect and step (argon2, code check and commit included).', ['dialect', 'step']);
    this.argon2Wait = histogram('latchkey_argon2_queue_wait_seconds', 'Time an argon2 task waited for a worker (the bounded queue), by task.', ['task']);
    this.argon2Run = histogram('latchkey_argon2_run_seconds', 'Time an argon2 task ran on its worker (the hash itself), by task.', ['task']);
    this.commit = histogram('latchkey_event_commit_seconds', 'Time from an append to the event log until its commit was durable (group commit wait included).');
    this.totpCheck = histogram('latchkey_totp_check_seconds', 'Time a TOTP code check took on a worker lane, past the argon2 queue.');
  }

  /** Adds to a counter; its labels must have values from fixed sets (see `labelValues`). */
  inc(name: string, labels: Record<string, string> = {}, by = 1): void {
    let entry = this.counters.get(name);
    if (entry === undefined) {
      const known = counterHelp[name];
      const labelNames = known?.labels ?? Object.keys(labels);
      entry = { counter: new Counter({ name, help: known?.help ?? `${name} (counted with Metrics.inc).`, labelNames, registers: [this.registry] }), labels: labelNames };
      this.counters.set(name, entry);
    }
    // A label the counter was not registered with is dropped: prom-client would throw, inside a request.
    const known = entry.labels;
    entry.counter.inc(fixed(Object.fromEntries(Object.entries(labels).filter(([k]) => known.includes(k)))), by);
  }

  /** A gauge read at each scrape. */
  gauge(name: string, help: string, read: () => number): void {
    new Gauge({
      name,
      help,
      registers: [this.registry],
      collect() {
        this.set(read());
      },
    });
  }

  /** For windowed gauges (e.g. event-loop delay percentiles since the previous scrape). */
  onRendered(reset: () => void): void {
    this.afterRender.push(reset);
  }

  /** A refusal the application answered: shed (code `overloaded`) or throttled; other failures are not refusals. */
  countRefusal(code: string, dialect: string): void {
    const reason = code === 'overloaded' ? 'shed' : code === 'throttled' ? 'throttled' : null;
    if (reason !== null) this.inc('latchkey_refusals_total', { dialect, reason, answered_by: 'app' });
  }

  observeLoginStep(dialect: string, step: string, seconds: number): void {
    this.loginStep.observe(fixed({ dialect, step }), seconds);
  }

  observeArgon2(task: 'hash' | 'verify', waitSeconds: number, runSeconds: number): void {
    this.argon2Wait.observe({ task }, waitSeconds);
    this.argon2Run.observe({ task }, runSeconds);
  }

  observeCommit(seconds: number): void {
    this.commit.observe(seconds);
  }

  observeTotpCheck(seconds: number): void {
    this.totpCheck.observe(seconds);
  }

  get contentType(): string {
    return this.registry.contentType;
  }

  async render(): Promise<string> {
    try {
      return await this.registry.metrics();
    } finally {
      for (const reset of this.afterRender) reset();
    }
  }
}

const fixed = (labels: Record<string, string>): Record<string, string> => {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(labels)) out[name] = allowed(name, value) ? value : 'other';
  return out;
};
