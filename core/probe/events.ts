/**
 * Attempts that name no account, in a stream keyed by an HMAC: of the canonical name for an unknown username, of the
 * token for an access token that does not verify (TrueNAS TOKEN_PLAIN). Neither is ever stored in clear.
 */
export type ProbeEvent = { type: 'UnknownUserAttempted'; data: { attempts: number } } | { type: 'UnknownTokenPresented'; data: { attempts: number } };
