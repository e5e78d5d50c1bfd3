/** A login code is about to be sent on this address's request: refused (no event) past the hourly limit. */
export type AddressCommand = { type: 'CountEmailSend'; now: number };
