/**
 * One client address's requests for e-mail codes, in a stream keyed by an HMAC of the address: the per-address send
 * limit is a fold of the log, so it holds across nodes sharing it (docs/security.md §39).
 */
export type AddressEvent = { type: 'EmailCodeRequestedFrom'; data: Record<string, never> };
