import { createTransport } from 'nodemailer';
import { isEmailAddress } from '../../core/email-address.js';
import type { Config } from '../config.js';
import { smtpCodeOf } from '../mail/smtp-code-of.js';

/**
 * `latchkey mail test ADDRESS`: one message through the configured SMTP server, as the outbox would send it (STARTTLS
 * when offered), to check LATCHKEY_SMTP_URL and LATCHKEY_MAIL_FROM. It carries no code and changes nothing in the log.
 * The server's reply is printed; the URL's password never is.
 */
export const mailTestCommand = async (config: Config, argv: readonly string[]): Promise<number> => {
  const [to, ...extra] = argv;
  if (to === undefined || extra.length > 0 || !isEmailAddress(to)) {
    process.stderr.write('usage: latchkey mail test ADDRESS\n');
    return 2;
  }
  if (config.mail === undefined) {
    process.stderr.write('mail test: e-mail is not configured: set LATCHKEY_SMTP_URL (smtp://user:pass@host:587) and LATCHKEY_MAIL_FROM\n');
    return 1;
  }
  const transport = createTransport(config.mail.smtpUrl, { from: config.mail.from });
  try {
    const text = `This is a test message from ${config.issuer} (node ${config.nodeName}): its e-mail codes can reach this address.\n`;
    const info = await transport.sendMail({ to, subject: `${config.issuer} test message`, text, html: `<p>${text.trim().replace(/&/g, '&amp;').replace(/</g, '&lt;')}</p>` });
    process.stdout.write(`sent to ${to} from ${config.mail.from}: ${String(info.response)}\n`);
    return 0;
  } catch (err) {
    const code = smtpCodeOf(err);
    // nodemailer's messages name the failed step and the server's reply, never the credentials.
    process.stderr.write(`mail test: not sent (${code === 0 ? 'no SMTP reply' : `SMTP ${code}`}): ${(err as Error)?.message ?? String(err)}\n`);
    return 1;
  } finally {
    transport.close();
  }
};
