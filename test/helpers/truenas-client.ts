import { randomUUID } from 'node:crypto';
import WebSocket from 'ws';
import type { TestServer } from './test-server.js';

/**
 * The frames truenas_api_client (api_client a0c890a, 27.0.0-BETA.1) sends, replayed over `ws`: JSONRPCClient for
 * /api/current and LegacyClient for /websocket, with UUID string ids (`str(uuid.uuid4())`) and the same decisions
 * (new-style jobs from core.set_options' answer, the core.get_jobs subscription before a call, the auth.login
 * fallback on "Method does not exist"). `frames` keeps every frame both ways, for tests that assert the sequence.
 */
export interface Transcript {
  readonly frames: { readonly dir: 'sent' | 'received'; readonly msg: any }[];
}

interface Wire extends Transcript {
  send(msg: unknown): void;
  sendRaw(text: string | Buffer): void;
  /** The next received frame that matches (frames that do not match stay queued). */
  next(match?: (msg: any) => boolean): Promise<any>;
  readonly closed: Promise<{ code: number }>;
  close(): Promise<void>;
}

const wire = (s: TestServer, path: string): Promise<Wire> =>
  new Promise((resolve, reject) => {
    const ws = new WebSocket(`${s.wsUrl}${path}`);
    const frames: Wire['frames'] = [];
    const inbox: any[] = [];
    const waiters: { match: (m: any) => boolean; resolve: (m: any) => void }[] = [];
    const closed = new Promise<{ code: number }>((r) => ws.on('close', (code) => r({ code })));
    ws.on('message', (data) => {
      const msg = JSON.parse(String(data));
      frames.push({ dir: 'received', msg });
      const i = waiters.findIndex((w) => w.match(msg));
      if (i >= 0) waiters.splice(i, 1)[0]!.resolve(msg);
      else inbox.push(msg);
    });
    ws.on('error', reject);
    ws.on('open', () =>
      resolve({
        frames,
        send: (msg) => {
          frames.push({ dir: 'sent', msg });
          ws.send(JSON.stringify(msg));
        },
        sendRaw: (text) => ws.send(text),
        // A server that never answers (another protocol at the path) fails the test instead of hanging it.
        next: (match = () => true) =>
          new Promise((r, fail) => {
            const i = inbox.findIndex(match);
            if (i >= 0) return r(inbox.splice(i, 1)[0]);
            const timer = setTimeout(() => {
              waiters.splice(waiters.indexOf(waiter), 1);
              fail(new Error('no matching answer within 5 s'));
            }, 5_000);
            const waiter = {
              match,
              resolve: (m: any) => {
                clearTimeout(timer);
                r(m);
              },
            };
            waiters.push(waiter);
          }),
        closed,
        close: async () => {
          ws.close();
          await closed;
        },
      }),
    );
  });

/** ClientException as the client builds it: `error` is the reason of a CallError, else the JSON-RPC message. */
export class ClientError extends Error {
  readonly error: string;
  readonly errno: number | null;
  readonly payload: any;
  constructor(error: string, errno: number | null, payload: any) {
    super(error);
    this.error = error;
    this.errno = errno;
    this.payload = payload;
  }
}

export interface JsonRpcClient extends Transcript {
  readonly wire: Wire;
  /** The answer of core.set_options, as on_open received it. */
  readonly setOptionsAnswer: any;
  call(method: string, ...params: unknown[]): Promise<any>;
  loginWithPassword(username: string, password: string, otpToken?: string | null): Promise<void>;
  ping(): Promise<any>;
  close(): Promise<void>;
}

const ENOTAUTHENTICATED = 207;

/** JSONRPCClient: connect, then `core.set_options` and wait for its answer (the client's handshake). */
export const jsonRpcClient = async (s: TestServer): Promise<JsonRpcClient> => {
  const w = await wire(s, '/api/current');
  const optionsId = randomUUID();
  w.send({ jsonrpc: '2.0', method: 'core.set_options', id: optionsId, params: [{ legacy_jobs: false, private_methods: false, py_exceptions: false }] });
  const setOptionsAnswer = await w.next((m) => m.id === optionsId);
  const newStyleJobs =
    setOptionsAnswer.result !== null && typeof setOptionsAnswer.result === 'object' && 'legacy_jobs' in setOptionsAnswer.result
      ? !setOptionsAnswer.result.legacy_jobs
      : false;
  let jobsWatching = false;
  const raw = async (method: string, params: unknown[]): Promise<any> => {
    const id = randomUUID();
    w.send({ jsonrpc: '2.0', method, id, params });
    const answer = await w.next((m) => m.id === id);
    if (answer.error) {
      const e = answer.error;
      if (e.code === -32001) throw new ClientError(e.data.reason, e.data.error, answer);
      throw new ClientError(e.message, null, answer);
    }
    return answer.result;
  };
  const call = async (method: string, ...params: unknown[]) => {
    if (!jobsWatching && newStyleJobs) {
      // _jobs_subscribe(silent=True): ENOTAUTHENTICATED before a login is expected and ignored.
      jobsWatching = true;
      try {
        await raw('core.subscribe', ['core.get_jobs']);
      } catch (e) {
        jobsWatching = false;
        if (!(e instanceof ClientError && e.errno === ENOTAUTHENTICATED)) throw e;
      }
    }
    return raw(method, params);
  };
  const handle = async (resp: any, otpToken: string | null): Promise<void> => {
    switch (resp.response_type) {
      case 'SUCCESS':
        return;
      case 'OTP_REQUIRED':
        if (otpToken === null) throw new Error('Two-factor authentication is required for this account.');
        return handle(await call('auth.login_ex_continue', { mechanism: 'OTP_TOKEN', otp_token: otpToken }), null);
      case 'EXPIRED':
        throw new Error('Account credentials have expired');
      default:
        throw new Error('Invalid username or password');
    }
  };
  return {
    wire: w,
    frames: w.frames,
    setOptionsAnswer,
    call,
    loginWithPassword: async (username, password, otpToken = null) => {
      let resp: any;
      try {
        resp = await call('auth.login_ex', { mechanism: 'PASSWORD_PLAIN', username, password });
      } catch (e) {
        if (e instanceof ClientError && e.error === 'Method does not exist') {
          if (!(await call('auth.login', username, password, otpToken))) throw new Error('Invalid username or password', { cause: e });
          return;
        }
        throw e;
      }
      await handle(resp, otpToken);
    },
    ping: () => call('core.ping'),
    close: () => w.close(),
  };
};

export interface LegacyClient extends Transcript {
  readonly wire: Wire;
  readonly handshake: any;
  /** Resolves with the whole `result` frame (result or error). */
  call(method: string, ...params: unknown[]): Promise<any>;
  loginWithPassword(username: string, password: string, otpToken?: string | null): Promise<boolean>;
  ping(): Promise<any>;
  close(): Promise<void>;
}

/** LegacyClient: connect, then `{msg: "connect", version: "1", support: ["1"], features: []}` and wait for the answer. */
export const legacyClient = async (s: TestServer, version = '1'): Promise<LegacyClient> => {
  const w = await wire(s, '/websocket');
  w.send({ msg: 'connect', version, support: ['1'], features: [] });
  const handshake = await w.next((m) => m.msg === 'connected' || m.msg === 'failed');
  const call = async (method: string, ...params: unknown[]) => {
    const id = randomUUID();
    w.send({ msg: 'method', method, id, params });
    return w.next((m) => m.msg === 'result' && m.id === id);
  };
  return {
    wire: w,
    frames: w.frames,
    handshake,
    call,
    loginWithPassword: async (username, password, otpToken = null) => (await call('auth.login', username, password, otpToken)).result === true,
    ping: async () => {
      const id = randomUUID();
      w.send({ msg: 'ping', id });
      return w.next((m) => m.msg === 'pong' && m.id === id);
    },
    close: () => w.close(),
  };
};
