/** What every stored event carries besides its own data. */
/** `system`: what the server records of its own accord (aggregated throttle refusals). */
export type Dialect = 'native' | 'oracle' | 'appgate' | 'truenas' | 'mykaarma' | 'admin' | 'cli' | 'system';

export interface EventMeta {
  readonly requestId: string;
  readonly ip: string | null;
  readonly dialect: Dialect;
  readonly userAgent: string | null;
}

export interface DomainEvent<T extends string = string, D extends object = object> {
  readonly type: T;
  readonly data: D;
}

/** `schema` is the version the event was written at; `data` is always read as the current version (streams.ts). */
export interface StoredEvent<E extends DomainEvent = DomainEvent> {
  readonly seq: number;
  readonly id: string;
  readonly stream: string;
  readonly version: number;
  readonly type: E['type'];
  readonly schema: number;
  readonly data: E['data'];
  readonly meta: EventMeta;
  readonly at: number;
}
