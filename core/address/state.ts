export interface AddressState {
  /** When this address's requests were sent, the latest `sendMemory` (core/mail/send-window.ts). */
  readonly sends: readonly number[];
}

export const initialAddressState = (): AddressState => ({ sends: [] });
