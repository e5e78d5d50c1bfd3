/** The SMTP reply code nodemailer saw (a 4xx or 5xx), or 0 when there was none (refused connection, timeout, TLS). */
export const smtpCodeOf = (err: unknown): number => {
  const code = (err as { responseCode?: unknown } | null)?.responseCode;
  return typeof code === 'number' && Number.isInteger(code) && code >= 200 && code <= 599 ? code : 0;
};
