/** An attempt against a username that has no account (a password, an API key or a token login). */
export type ProbeCommand = { type: 'RecordAttempt'; now: number };
