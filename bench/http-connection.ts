import { type Socket, connect } from 'node:net';

export interface RawResponse {
  readonly status: number;
  /** Lower-cased names; a repeated header keeps its last value (the benchmark reads Retry-After only). */
  readonly headers: Readonly<Record<string, string>>;
  readonly body: Buffer;
  /** False when the server said `connection: close` (the connection must not carry another request). */
  readonly keepAlive: boolean;
}

interface InFlight {
  readonly resolve: (r: RawResponse) => void;
  readonly reject: (e: Error) => void;
}

const headEnd = Buffer.from('\r\n\r\n');
const crlf = Buffer.from('\r\n');
const timeoutMs = 30_000;

/**
 * One keep-alive HTTP/1.1 connection to 127.0.0.1 carrying one request at a time. Reads a response framed by
 * Content-Length or chunked transfer encoding; a response it cannot frame, a timeout or the server closing the
 * connection mid-response rejects the request and ends the connection.
 */
export class HttpConnection {
  private readonly socket: Socket;
  private buffered: Buffer = Buffer.alloc(0);
  private inFlight: InFlight | undefined;
  private closed = false;

  /** `localAddress` binds the client's end (127.0.0.2 … are loopback too on Linux): a distinct client address per client. */
  constructor(port: number, onClose: () => void, localAddress?: string) {
    this.socket = connect({ host: '127.0.0.1', port, noDelay: true, ...(localAddress === undefined ? {} : { localAddress }) });
    this.socket.setTimeout(timeoutMs, () => this.fail(new Error('timeout')));
    this.socket.on('data', (chunk: Buffer) => this.receive(chunk));
    this.socket.on('error', (err) => this.fail(err));
    this.socket.on('close', () => {
      this.closed = true;
      this.fail(new Error('the server closed the connection'));
      onClose();
    });
  }

  get open(): boolean {
    return !this.closed && this.inFlight === undefined;
  }

  send(request: string): Promise<RawResponse> {
    if (this.closed) return Promise.reject(new Error('connection closed'));
    if (this.inFlight) return Promise.reject(new Error('one request at a time'));
    return new Promise((resolve, reject) => {
      this.inFlight = { resolve, reject };
      this.socket.write(request);
    });
  }

  destroy(): void {
    this.closed = true;
    this.socket.destroy();
  }

  private receive(chunk: Buffer): void {
    this.buffered = this.buffered.length === 0 ? chunk : Buffer.concat([this.buffered, chunk]);
    if (!this.inFlight) {
      this.fail(new Error('bytes arrived with no request in flight'));
      return;
    }
    let response: RawResponse | undefined;
    try {
      response = parseResponse(this.buffered);
    } catch (err) {
      this.fail(err as Error);
      return;
    }
    if (response === undefined) return;
    const { resolve } = this.inFlight;
    this.inFlight = undefined;
    this.buffered = Buffer.alloc(0);
    if (!response.keepAlive) this.destroy();
    resolve(response);
  }

  private fail(err: Error): void {
    const inFlight = this.inFlight;
    this.inFlight = undefined;
    if (!this.closed) this.destroy();
    inFlight?.reject(err);
  }
}

/** The whole response in `buf`, or undefined while bytes are missing; throws on what is not HTTP/1.1 it can frame. */
export const parseResponse = (buf: Buffer): RawResponse | undefined => {
  const end = buf.indexOf(headEnd);
  if (end < 0) return undefined;
  const lines = buf.toString('latin1', 0, end).split('\r\n');
  const statusLine = /^HTTP\/1\.[01] (\d{3})(?: |$)/.exec(lines[0] ?? '');
  if (!statusLine) throw new Error(`not an HTTP/1.x status line: ${JSON.stringify(lines[0])}`);
  const headers: Record<string, string> = {};
  for (let i = 1; i < lines.length; i++) {
    const line = lines[i] as string;
    const colon = line.indexOf(':');
    if (colon <= 0) throw new Error(`malformed header line: ${JSON.stringify(line)}`);
    headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
  }
  const status = Number(statusLine[1]);
  const keepAlive = !/(^|,)\s*close\s*(,|$)/i.test(headers.connection ?? '');
  const bodyStart = end + headEnd.length;
  if (/chunked/i.test(headers['transfer-encoding'] ?? '')) {
    const body = dechunk(buf, bodyStart);
    return body && { status, headers, body, keepAlive };
  }
  const length = status === 204 || status === 304 ? 0 : Number(headers['content-length'] ?? Number.NaN);
  if (!Number.isSafeInteger(length) || length < 0) throw new Error('a response without a length the client can frame');
  if (buf.length < bodyStart + length) return undefined;
  if (buf.length > bodyStart + length) throw new Error('bytes after the response (the client does not pipeline)');
  return { status, headers, body: buf.subarray(bodyStart, bodyStart + length), keepAlive };
};

const dechunk = (buf: Buffer, from: number): Buffer | undefined => {
  const parts: Buffer[] = [];
  let at = from;
  for (;;) {
    const lineEnd = buf.indexOf(crlf, at);
    if (lineEnd < 0) return undefined;
    const size = Number.parseInt(buf.toString('latin1', at, lineEnd).split(';')[0] as string, 16);
    if (!Number.isSafeInteger(size) || size < 0) throw new Error('malformed chunk size');
    if (size === 0) {
      // No trailers from our server: the last chunk is followed by one empty line.
      if (buf.length < lineEnd + 4) return undefined;
      return Buffer.concat(parts);
    }
    if (buf.length < lineEnd + 2 + size + 2) return undefined;
    parts.push(buf.subarray(lineEnd + 2, lineEnd + 2 + size));
    at = lineEnd + 2 + size + 2;
  }
};
