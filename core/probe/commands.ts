/** An attempt that names no account: a username without one (password or API key login), or a token that is not ours. */
export type ProbeCommand = { type: 'RecordAttempt'; now: number } | { type: 'RecordTokenAttempt'; now: number };
