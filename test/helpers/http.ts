export interface Reply {
  readonly status: number;
  readonly headers: Headers;
  readonly text: string;
  /** Parsed JSON body, or undefined when the body is not JSON. */
  readonly body: any;
}

export interface CallOptions {
  readonly json?: unknown;
  readonly form?: Record<string, string> | string;
  readonly raw?: string | Uint8Array;
  readonly token?: string;
  readonly headers?: Record<string, string>;
}

/** One HTTP request against a test server; never throws on a status. */
export const call = async (baseUrl: string, method: string, path: string, opts: CallOptions = {}): Promise<Reply> => {
  const headers: Record<string, string> = { ...(opts.headers ?? {}) };
  let body: string | Uint8Array | undefined;
  if (opts.json !== undefined) {
    headers['content-type'] ??= 'application/json';
    body = JSON.stringify(opts.json);
  } else if (opts.form !== undefined) {
    headers['content-type'] ??= 'application/x-www-form-urlencoded';
    body = typeof opts.form === 'string' ? opts.form : new URLSearchParams(opts.form).toString();
  } else if (opts.raw !== undefined) body = opts.raw;
  if (opts.token) headers.authorization = `Bearer ${opts.token}`;
  return replyOf(await fetch(`${baseUrl}${path}`, { method, headers, ...(body === undefined ? {} : { body: body as BodyInit }) }));
};

/** A response as a Reply: the text, and the JSON body when the text is JSON. */
export const replyOf = async (res: Response): Promise<Reply> => {
  const text = await res.text();
  let parsed: unknown;
  try {
    parsed = text ? JSON.parse(text) : undefined;
  } catch {
    parsed = undefined;
  }
  return { status: res.status, headers: res.headers, text, body: parsed };
};
