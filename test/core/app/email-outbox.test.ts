import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import type { MailOutbox, OutgoingCode } from '../../../core/ports/mail-outbox.js';
import { engineInMemory, meta } from './engine-in-memory.js';

/**
 * The outbox rules through the application service alone (in-memory store, a test clock, real HMAC and CSPRNG), with
 * the port's in-memory adapter: a node that collects what it is handed. docs/security.md §38.
 */
const t = suite('e-mail outbox (application service)');
const password = 'correct horse battery staple';

const collectingOutbox = (node: string): MailOutbox & { readonly posted: OutgoingCode[] } => {
  const posted: OutgoingCode[] = [];
  return { node, posted, post: (m) => void posted.push(m) };
};

const emailUser = async (engine: Awaited<ReturnType<typeof engineInMemory>>, outbox: ReturnType<typeof collectingOutbox>, username: string) => {
  await engine.latchkey.registerUser({ username, password }, meta);
  await engine.latchkey.startEmailVerification(username, `${username}@example.org`, meta);
  assert.ok(await engine.latchkey.confirmEmail(username, outbox.posted.at(-1)!.code, meta));
};

const pendingLogin = async (engine: Awaited<ReturnType<typeof engineInMemory>>, username: string): Promise<string> => {
  const r = await engine.latchkey.login({ username, password, secondFactor: 'later' }, meta);
  assert.is(r.kind, 'mfa_required');
  return r.kind === 'mfa_required' ? r.mfaToken : '';
};

t('the code handed to the outbox is the one the challenge accepts, and only after its event is in the log', async () => {
  const outbox = collectingOutbox('node-a');
  const engine = await engineInMemory({}, outbox);
  await emailUser(engine, outbox, 'alice');
  const token = await pendingLogin(engine, 'alice');
  const handed = outbox.posted.length;
  const sent = await engine.latchkey.sendEmailCode({ mfaToken: token }, meta);
  assert.equal(sent, { kind: 'accepted', expiresIn: 300 });
  const message = outbox.posted[handed]!;
  assert.match(message.code, /^\d{6}$/);
  assert.is(message.to, 'alice@example.org');
  const issued = (await engine.store.read({ after: 0, limit: 1000, stream: `challenge-${message.stream.id}` })).find((e) => e.type === 'EmailCodeIssued');
  assert.is((issued?.data as { codeId?: string } | undefined)?.codeId, message.codeId);
  assert.not.ok(JSON.stringify(issued).includes(message.code));
  const done = await engine.latchkey.continueLogin({ mfaToken: token, otp: undefined, emailCode: message.code }, meta);
  assert.is(done.kind, 'authenticated');
});

t('at start, codes this node issued and never settled are abandoned once; delivered ones and other nodes\' stay', async () => {
  const a = collectingOutbox('node-a');
  const engine = await engineInMemory({}, a);
  await emailUser(engine, a, 'alice');
  await emailUser(engine, a, 'bob');
  const pending = await pendingLogin(engine, 'alice');
  const delivered = await pendingLogin(engine, 'bob');
  await engine.latchkey.sendEmailCode({ mfaToken: pending }, meta);
  await engine.latchkey.sendEmailCode({ mfaToken: delivered }, meta);
  const [p, d] = a.posted.slice(-2) as [OutgoingCode, OutgoingCode];
  assert.ok(await engine.latchkey.recordMailDelivery(d.stream, d.codeId, { kind: 'delivered', attempt: 1 }));
  const streams = [p.stream, d.stream];
  assert.is(await engine.latchkey.abandonUndelivered('node-b', streams), 0, 'another node\'s codes are its own');
  assert.is(await engine.latchkey.abandonUndelivered('node-a', streams), 1);
  assert.is(await engine.latchkey.abandonUndelivered('node-a', streams), 0, 'abandoned once');
  const types = (await engine.store.read({ after: 0, limit: 1000, stream: `challenge-${p.stream.id}` })).map((e) => e.type);
  assert.equal(types, ['ChallengeIssued', 'EmailCodeIssued', 'EmailCodeAbandoned']);
  // The abandoned code never reached anyone: it is no longer accepted, and a new one may be asked for at once.
  assert.is((await engine.latchkey.continueLogin({ mfaToken: pending, otp: undefined, emailCode: p.code }, meta)).kind, 'invalid_otp');
  assert.is((await engine.latchkey.sendEmailCode({ mfaToken: pending }, meta)).kind, 'accepted');
});

t('no outbox: enrolment and the send call say the factor is unavailable', async () => {
  const engine = await engineInMemory();
  await engine.latchkey.registerUser({ username: 'carol', password }, meta);
  let code: string | undefined;
  try {
    await engine.latchkey.startEmailVerification('carol', 'carol@example.org', meta);
  } catch (e) {
    code = (e as { code?: string }).code;
  }
  assert.is(code, 'factor_unavailable');
  assert.is(engine.latchkey.mailAvailable(), false);
});

t.run();
