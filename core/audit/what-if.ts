import type { AccountEvent } from '../account/events.js';
import type { AccountState } from '../account/state.js';
import { isDomainError } from '../errors.js';
import type { StoredEvent } from '../event.js';
import type { Policy } from '../policy.js';
import { decide, evolve, initialState, parseStreamId } from '../streams.js';
import { recordedCommand } from './recorded-command.js';

export interface WhatIfOptions {
  readonly actual: Policy;
  readonly alternative: Policy;
  /** Report from this time on (ms, inclusive); the accounts are still folded from event 0. */
  readonly since?: number;
  /** Report up to this time (ms, exclusive). */
  readonly until?: number;
}

export interface WhatIfAccount {
  username: string;
  /** When the alternative policy would have locked (timed or hard) this account. */
  lockedAt: number[];
  /** When the real policy did (the recorded AccountLocked / AccountHardLocked), for comparison. */
  lockedAtActual: number[];
  /** Recorded successful logins the alternative would have refused: the seq of the recorded LoginSucceeded. */
  successesRefused: { seq: number; at: number }[];
  /** Recorded failures never judged under the alternative: the account was already locked. */
  failuresPrevented: number;
}

export interface WhatIfResult {
  policy: Policy['lockout'];
  actual: Policy['lockout'];
  summary: { accountsLocked: number; accountsLockedActual: number; successesRefused: number; failuresPrevented: number };
  /** Only the accounts where the alternative differs from the record (locks at other times, refusals, prevented failures), in the order the log first names them. */
  accounts: WhatIfAccount[];
  /** What a re-run over a record cannot know: print them with the result. */
  limits: string[];
}

export const whatIfLimits: readonly string[] = [
  "after an account's first difference, its recorded history is what its clients did under the real policy: a client refused under the alternative might not have retried, one let in might have done otherwise",
  'attempts the real policy refused without judging the credentials (locked, hard-locked, disabled, lost race, password changed during the check) are counted nowhere: under the alternative their outcome is unknown',
  'second steps whose challenge a real lock killed recorded nothing on the account and are not re-run',
  'the per-client and per-account throttles are not part of the lockout policy: attempts they refused left no account event and stay refused',
];

interface Track {
  username: string;
  /** The account as the alternative policy would have left it. */
  state: AccountState;
  readonly lockedAt: number[];
  readonly lockedAtActual: number[];
  readonly successesRefused: { seq: number; at: number }[];
  failuresPrevented: number;
}

/** A second-step challenge not issued under the alternative (its password step was refused there). */
const notIssued = -1;

/** What `decide` answers to a credential attempt; anything else in an attempt's command came with its success. */
const attemptOutcomes = new Set<string>([
  'PasswordRejected',
  'PasswordAccepted',
  'OtpRejected',
  'OtpAccepted',
  'RecoveryCodeUsed',
  'LoginSucceeded',
  'ApiKeyRejected',
  'ApiKeyUsed',
  'AccountLocked',
  'AccountHardLocked',
  'LoginRefused',
]);

/**
 * `latchkey what-if` (issue 18): the recorded history re-run under another lockout policy through the account
 * decider of core/streams.ts, not a second copy of the rules. One pass in seq order, O(1) per event.
 *
 * A command's events share the `<commandId>` prefix of their ids and one `at`; the events of one command on one
 * account stream are a group, one recorded command. Per account the alternative state is folded group by group:
 *
 * - A credential attempt (PasswordRejected / PasswordAccepted / OtpRejected / ApiKeyRejected / LoginSucceeded) is
 *   rebuilt into the command that made it, with the crypto outcome it recorded (recordedCommand), decided with
 *   `decide('account', command, alternativeState, alternative)`, and the decided events are folded instead of the
 *   recorded ones: so the recorded locks of that attempt are dropped and the alternative's own take their place.
 *   Anything else the command appended to the account (the factor confirmChallengeTotp adds) came with its success
 *   and is folded only if the alternative lets it succeed too.
 * - A second step is told from a one-step login by the command itself: attemptSecondStep records every judged
 *   attempt on its challenge (ChallengeOtpRejected / ChallengeCompleted) in the same append, a one-step login never
 *   does. The challenge streams are followed for that alone, and for this: a challenge lives only while the
 *   account's epoch is the one it was issued at, so a second step on a challenge the alternative never issued (its
 *   password step refused there) or has killed since (an alternative lock bumps the epoch) is refused without
 *   judgement, as attemptSecondStep would have.
 * - LoginRefused (locked, hard-locked, disabled, no factor, contention, credentials changed): the real policy did
 *   not judge the credentials, so the alternative cannot either. Nothing is folded or counted, whatever the
 *   alternative state (whatIfLimits).
 * - Any other group (registration, password change or rehash, factors, recovery codes, unlock, disable / enable,
 *   API keys, a lock without an attempt) does not depend on the lockout policy: folded as recorded.
 *
 * Differences: a recorded success the alternative refuses (successesRefused), a recorded failure it refuses
 * (failuresPrevented), the locks it decides (lockedAt), against the recorded locks (lockedAtActual). `since` /
 * `until` restrict the report only.
 */
export class WhatIf {
  readonly #options: WhatIfOptions;
  readonly #tracks = new Map<string, Track>();
  /** Per challenge stream: the alternative epoch it was issued at, or `notIssued`. Forgotten when it completes or ends (one never used stays: a few numbers each). */
  readonly #challenges = new Map<string, number>();
  /** The command being read; its account group is buffered until an event of another command arrives. */
  #commandId: string | null = null;
  #accountStream: string | null = null;
  readonly #group: StoredEvent[] = [];
  #challengeStream: string | null = null;
  #challengeIssued = false;
  #challengeStepped = false;
  #challengeDone = false;

  constructor(options: WhatIfOptions) {
    this.#options = options;
  }

  /** Every event of the log, in seq order. */
  push(event: StoredEvent): void {
    if (!this.#inCommand(event.id)) {
      this.#endCommand();
      this.#commandId = event.id.slice(0, event.id.lastIndexOf(':'));
    }
    const stream = event.stream;
    // The same test as `parseStreamId(stream)?.kind`, without allocating for every event of the other kinds.
    if (stream.startsWith('account-')) {
      if (this.#accountStream !== stream) {
        // One command decides on one account; a second one in the same append is a group of its own.
        if (this.#accountStream !== null) this.#endGroup();
        this.#accountStream = stream;
      }
      this.#group.push(event);
    } else if (stream.startsWith('challenge-')) {
      this.#challengeStream = stream;
      switch (event.type) {
        case 'ChallengeIssued':
          this.#challengeIssued = true;
          break;
        case 'ChallengeOtpRejected':
          this.#challengeStepped = true;
          break;
        case 'ChallengeCompleted':
          this.#challengeStepped = true;
          this.#challengeDone = true;
          break;
        case 'ChallengeEnded':
          this.#challengeDone = true;
          break;
        default:
          break;
      }
    }
  }

  /** The differences so far; call it after the last event (it completes the last command). */
  result(): WhatIfResult {
    this.#endCommand();
    this.#commandId = null;
    const accounts: WhatIfAccount[] = [];
    const summary = { accountsLocked: 0, accountsLockedActual: 0, successesRefused: 0, failuresPrevented: 0 };
    for (const t of this.#tracks.values()) {
      if (t.lockedAt.length > 0) summary.accountsLocked++;
      if (t.lockedAtActual.length > 0) summary.accountsLockedActual++;
      summary.successesRefused += t.successesRefused.length;
      summary.failuresPrevented += t.failuresPrevented;
      const sameLocks = t.lockedAt.length === t.lockedAtActual.length && t.lockedAt.every((at, i) => at === t.lockedAtActual[i]);
      if (sameLocks && t.successesRefused.length === 0 && t.failuresPrevented === 0) continue;
      accounts.push({
        username: t.username,
        lockedAt: [...t.lockedAt],
        lockedAtActual: [...t.lockedAtActual],
        successesRefused: t.successesRefused.map((s) => ({ ...s })),
        failuresPrevented: t.failuresPrevented,
      });
    }
    return { policy: this.#options.alternative.lockout, actual: this.#options.actual.lockout, summary, accounts, limits: [...whatIfLimits] };
  }

  /** Ids are `<commandId>:<n>` and the command id may itself hold colons: the last one separates them. */
  #inCommand(id: string): boolean {
    const c = this.#commandId;
    return c !== null && id.lastIndexOf(':') === c.length && id.startsWith(c);
  }

  #endCommand(): void {
    this.#endGroup();
    const challenge = this.#challengeStream;
    if (challenge !== null && this.#challengeDone) this.#challenges.delete(challenge);
    this.#challengeStream = null;
    this.#challengeIssued = false;
    this.#challengeStepped = false;
    this.#challengeDone = false;
  }

  #endGroup(): void {
    const stream = this.#accountStream;
    if (stream === null) return;
    const track = this.#track(stream);
    const issued = this.#rerun(track, this.#group);
    if (this.#challengeIssued && this.#challengeStream !== null) {
      this.#challenges.set(this.#challengeStream, issued && track.state.status === 'registered' ? track.state.account.epoch : notIssued);
      this.#challengeIssued = false;
    }
    this.#group.length = 0;
    this.#accountStream = null;
  }

  #track(stream: string): Track {
    let track = this.#tracks.get(stream);
    if (track === undefined) {
      track = { username: parseStreamId(stream)?.id ?? stream, state: initialState('account'), lockedAt: [], lockedAtActual: [], successesRefused: [], failuresPrevented: 0 };
      this.#tracks.set(stream, track);
    }
    return track;
  }

  #reported(at: number): boolean {
    const { since, until } = this.#options;
    return (since === undefined || at >= since) && (until === undefined || at < until);
  }

  /** Re-runs one recorded group on the account; true when the alternative accepted a password with a step to come. */
  #rerun(track: Track, group: readonly StoredEvent[]): boolean {
    const at = group[0]!.at;
    const reported = this.#reported(at);
    let attempt = false;
    let refused = false;
    let success: StoredEvent | null = null;
    let failure = false;
    for (const e of group) {
      switch (e.type) {
        case 'AccountRegistered':
          track.username = (e.data as { username: string }).username;
          break;
        case 'LoginRefused':
          refused = true;
          break;
        case 'PasswordRejected':
        case 'OtpRejected':
        case 'ApiKeyRejected':
          attempt = true;
          failure = true;
          break;
        case 'PasswordAccepted':
          attempt = true;
          break;
        case 'LoginSucceeded':
          // 'token' is a session's method, never an account's decision: nothing to rebuild.
          if ((e.data as { method: string }).method !== 'token') {
            attempt = true;
            success = e;
          }
          break;
        case 'AccountLocked':
        case 'AccountHardLocked':
          if (reported) track.lockedAtActual.push(at);
          break;
        default:
          break;
      }
    }
    if (refused) return false;
    const state = track.state;
    if (!attempt || state.status !== 'registered') {
      this.#foldRecorded(track, group, reported, true);
      return false;
    }

    let decided: readonly AccountEvent[];
    if (this.#challengeStepped && !this.#challengeLives(state.account.epoch)) decided = [];
    else {
      const command = recordedCommand(group, state.account, this.#challengeStepped);
      if (command === null) {
        this.#foldRecorded(track, group, reported, true);
        return false;
      }
      try {
        decided = decide('account', command, state, this.#options.alternative);
      } catch (e) {
        // A record the decider cannot take (an old log's oddity): it stays as recorded.
        if (!isDomainError(e)) throw e;
        this.#foldRecorded(track, group, reported, true);
        return false;
      }
    }

    let altSuccess = false;
    let accepted = false;
    let judged = false;
    let s: AccountState = state;
    for (const e of decided) {
      switch (e.type) {
        case 'LoginSucceeded':
          altSuccess = true;
          judged = true;
          break;
        case 'PasswordAccepted':
          accepted = true;
          judged = true;
          break;
        case 'PasswordRejected':
        case 'OtpRejected':
        case 'ApiKeyRejected':
          judged = true;
          break;
        case 'AccountLocked':
        case 'AccountHardLocked':
          if (reported) track.lockedAt.push(at);
          break;
        default:
          break;
      }
      s = evolve('account', s, e, at);
    }
    track.state = s;
    if (altSuccess) this.#foldRecorded(track, group, reported, false);
    if (!judged && reported) {
      if (success !== null) track.successesRefused.push({ seq: success.seq, at });
      else if (failure) track.failuresPrevented++;
    }
    return accepted;
  }

  /** Whether the challenge of this command's second step would still be usable under the alternative. */
  #challengeLives(epoch: number): boolean {
    const issuedAt = this.#challengeStream === null ? undefined : this.#challenges.get(this.#challengeStream);
    // Issued before the first event pushed (a partial log): nothing says it died.
    return issuedAt === undefined || issuedAt === epoch;
  }

  /**
   * Folds recorded events into the alternative state: all of them, or (`all` false) only what a success brought
   * along. A recorded lock folded this way locks the alternative too, so it counts on both sides.
   */
  #foldRecorded(track: Track, group: readonly StoredEvent[], reported: boolean, all: boolean): void {
    let s = track.state;
    for (const e of group) {
      if (!all && attemptOutcomes.has(e.type)) continue;
      if (reported && (e.type === 'AccountLocked' || e.type === 'AccountHardLocked')) track.lockedAt.push(e.at);
      s = evolve('account', s, e as unknown as AccountEvent, e.at);
    }
    track.state = s;
  }
}
