import type { OutgoingCode } from '../../core/ports/mail-outbox.js';

export interface CodeMail {
  readonly subject: string;
  readonly text: string;
  readonly html: string;
}

const escapeHtml = (s: string): string => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

/**
 * The message: the issuer, the code, when it expires, and what to do if it was not asked for. No link of any kind
 * (docs/security.md §38): a code is typed where the login started, so a forwarded or phished mail logs no one in.
 */
export const codeMail = (issuer: string, message: OutgoingCode, now: number): CodeMail => {
  const minutes = Math.max(1, Math.round((message.expiresAt - now) / 60_000));
  const expires = new Date(message.expiresAt).toISOString().replace(/\.\d{3}Z$/, ' UTC').replace('T', ' ');
  const what = message.purpose === 'login' ? `sign-in code for ${message.username}` : `code to verify this address for ${message.username}`;
  const unasked = message.purpose === 'login' ? 'If you did not try to sign in, someone may know your password: change it.' : 'If you did not ask for this, ignore this message.';
  const subject = message.purpose === 'login' ? `${issuer} sign-in code` : `${issuer} address verification code`;
  const lines = [`Your ${issuer} ${what}:`, '', message.code, '', `It expires in ${minutes} minute${minutes === 1 ? '' : 's'}, at ${expires}.`, '', unasked];
  const html = [
    '<!doctype html><html><body>',
    `<p>Your ${escapeHtml(issuer)} ${escapeHtml(what)}:</p>`,
    `<p style="font-size:1.5em;font-family:monospace;letter-spacing:0.2em"><strong>${escapeHtml(message.code)}</strong></p>`,
    `<p>It expires in ${minutes} minute${minutes === 1 ? '' : 's'}, at ${escapeHtml(expires)}.</p>`,
    `<p>${escapeHtml(unasked)}</p>`,
    '</body></html>',
  ].join('\n');
  return { subject, text: `${lines.join('\n')}\n`, html };
};
