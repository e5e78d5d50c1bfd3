import { eventSchema, upcastEvent } from '../../core/streams.js';

/**
 * An event as replay's fold sees it, its data parsed on first use: about half the events of a login (PasswordAccepted,
 * LoginSucceeded, ChallengeCompleted, SessionRevoked) change a state without reading their data, and JSON.parse is
 * the largest cost of a replay after reading the row.
 */
export class StoredEventBody {
  readonly type: string;
  readonly #text: string;
  readonly #schema: number;
  #data: object | undefined;
  constructor(type: string, text: string, schema: number) {
    this.type = type;
    this.#text = text;
    this.#schema = schema;
  }
  /** Read as the current version of its type (the stream model's upcasters), as the live store reads it. */
  get data(): object {
    if (this.#data === undefined) {
      const data = JSON.parse(this.#text) as object;
      this.#data = this.#schema === eventSchema(this.type) ? data : upcastEvent(this.type, this.#schema, data);
    }
    return this.#data;
  }
}
