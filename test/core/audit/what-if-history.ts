import type { AccountCommand, OtpOutcome } from '../../../core/account/commands.js';
import type { AccountEvent } from '../../../core/account/events.js';
import type { AccountState } from '../../../core/account/state.js';
import type { EventMeta, StoredEvent } from '../../../core/event.js';
import { type Policy, defaultPolicy } from '../../../core/policy.js';
import { type LatchkeyEvent, decide, evolve, eventSchema, initialState } from '../../../core/streams.js';

const meta: EventMeta = { requestId: 'req-what-if', ip: '192.0.2.1', dialect: 'native', userAgent: null };

export const t0 = Date.UTC(2026, 0, 5, 9, 0, 0);
export const second = 1000;
export const minute = 60 * second;
export const hour = 60 * minute;
export const phc = '$argon2id$v=19$m=19456,t=2,p=1$c29tZXNhbHRzb21lc2FsdA$aGFzaGhhc2hoYXNoaGFzaGhhc2hoYXNoaGFzaGhhc2g';

export type Write = readonly [stream: string, event: LatchkeyEvent];

/**
 * A log as the store writes it: each append gets a command id, its events ids `<commandId>:<n>`, one `at`, seq and
 * stream versions in order. Account commands are decided under the real policy by the real decider, so the record is
 * exactly what the engine would have appended; the facts a test relies on are asserted where it builds them.
 */
export class History {
  readonly events: StoredEvent[] = [];
  readonly policy: Policy;
  #commands = 0;
  readonly #versions = new Map<string, number>();
  readonly #accounts = new Map<string, AccountState>();

  constructor(policy: Policy = defaultPolicy) {
    this.policy = policy;
  }

  /** One append of literal events, all recorded at `at`. */
  append(at: number, writes: readonly Write[]): StoredEvent[] {
    const commandId = `0190a1b2-c3d4-7e5f-8a9b-${String(++this.#commands).padStart(12, '0')}`;
    return writes.map(([stream, event], n) => {
      const version = (this.#versions.get(stream) ?? 0) + 1;
      this.#versions.set(stream, version);
      if (stream.startsWith('account-')) this.#accounts.set(stream, evolve('account', this.state(stream), event, at));
      const stored: StoredEvent = { seq: this.events.length + 1, id: `${commandId}:${n}`, stream, version, type: event.type, schema: eventSchema(event.type), data: event.data, meta, at };
      this.events.push(stored);
      return stored;
    });
  }

  state(stream: string): AccountState {
    return this.#accounts.get(stream) ?? initialState('account');
  }

  /** An account command decided under the real policy; `around` places other streams' events of the same append. */
  decide(stream: string, command: AccountCommand, around: (events: readonly AccountEvent[]) => { before?: Write[]; after?: Write[] } = () => ({})): StoredEvent[] {
    const events = decide('account', command, this.state(stream), this.policy);
    const { before = [], after = [] } = around(events);
    const written = this.append(command.now, [...before, ...events.map((e): Write => [stream, e]), ...after]);
    return written.filter((e) => e.stream === stream);
  }

  hash(stream: string): string {
    const s = this.state(stream);
    return s.status === 'registered' ? s.account.passwordHash : '';
  }
}

export const accountStream = (id: string): string => `account-${id}`;

export const register = (h: History, id: string, username: string, at: number, mfa: 'required' | 'exempt' = 'exempt'): StoredEvent[] =>
  h.decide(accountStream(id), { type: 'Register', accountId: id, username, passwordHash: phc, roles: [], mfa, now: at });

/** An account with an active TOTP factor, its confirming code at `confirmStep`. */
export const registerWithTotp = (h: History, id: string, username: string, at: number, confirmStep: number): void => {
  register(h, id, username, at, 'required');
  h.decide(accountStream(id), { type: 'StartTotpEnrolment', sealedSecret: 'v1.sealed', params: { algorithm: 'SHA1', digits: 6, period: 30 }, now: at });
  h.decide(accountStream(id), { type: 'ConfirmTotp', otp: { kind: 'match', step: confirmStep }, now: at });
};

const checkPassword = (h: History, id: string, password: 'match' | 'mismatch', otp: OtpOutcome, secondFactor: 'now' | 'later', at: number): AccountCommand => ({
  type: 'CheckPassword',
  password,
  checkedHash: h.hash(accountStream(id)),
  otp,
  secondFactor,
  trustedDevice: false,
  now: at,
});

/** A session stream written in the same append as a success, as passwordStep does. */
const withSession = (events: readonly AccountEvent[], at: number) => ({
  after: events.some((e) => e.type === 'LoginSucceeded') ? [[`session-s${at}`, { type: 'SessionIssued', data: { accountId: 'x', aal: 'aal1', method: 'password', dialect: 'native', expiresAt: at + 1 } }] as unknown as Write] : [],
});

export const wrongPassword = (h: History, id: string, at: number): StoredEvent[] => h.decide(accountStream(id), checkPassword(h, id, 'mismatch', { kind: 'absent' }, 'later', at));

export const rightPassword = (h: History, id: string, at: number): StoredEvent[] =>
  h.decide(accountStream(id), checkPassword(h, id, 'match', { kind: 'absent' }, 'now', at), (events) => withSession(events, at));

/** A one-step login with a code (the oracle / TrueNAS dialects). */
export const oneStep = (h: History, id: string, otp: OtpOutcome, at: number): StoredEvent[] =>
  h.decide(accountStream(id), checkPassword(h, id, 'match', otp, 'now', at), (events) => withSession(events, at));

/** The password step of a two-step login: PasswordAccepted and the challenge issued in the same append. */
export const passwordStep = (h: History, id: string, challenge: string, at: number): StoredEvent[] =>
  h.decide(accountStream(id), checkPassword(h, id, 'match', { kind: 'absent' }, 'later', at), (events) => {
    const s = h.state(accountStream(id));
    const epoch = s.status === 'registered' ? s.account.epoch : 0;
    return events.some((e) => e.type === 'PasswordAccepted')
      ? {
          after: [
            [
              `challenge-${challenge}`,
              { type: 'ChallengeIssued', data: { challengeId: challenge, accountId: id, tokenHash: 'h', expiresAt: at + 300_000, epoch, methods: ['totp'], dialect: 'native' } },
            ],
          ],
        }
      : {};
  });

/** A judged second step: the challenge records the attempt first (attemptSecondStep loads it first), then the account. */
export const secondStep = (h: History, id: string, challenge: string, otp: OtpOutcome, at: number): StoredEvent[] =>
  h.decide(accountStream(id), { type: 'CheckSecondFactor', otp, now: at }, (events) => {
    if (events.some((e) => e.type === 'LoginSucceeded')) return { before: [[`challenge-${challenge}`, { type: 'ChallengeCompleted', data: { sessionId: `s${at}` } }]], ...withSession(events, at) };
    if (events.some((e) => e.type === 'OtpRejected')) return { before: [[`challenge-${challenge}`, { type: 'ChallengeOtpRejected', data: { attempts: 1 } }]] };
    return {};
  });

export const unlock = (h: History, id: string, at: number): StoredEvent[] => h.decide(accountStream(id), { type: 'Unlock', now: at });
