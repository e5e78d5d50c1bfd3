/** Attempts against a username that has no account, in a stream keyed by an HMAC of the canonical name. */
export type ProbeEvent = { type: 'UnknownUserAttempted'; data: { attempts: number } };
