/** A mailer that sends through SMTP with Nodemailer, over a pool of connections. */
import nodemailer from 'nodemailer';
import type SMTPPool from 'nodemailer/lib/smtp-pool/index.js';
import type { Mailer } from '../ports/mailer.js';

/** Where the SMTP server is: a connection URL, or a well-known service with credentials. */
export type SmtpMailerOptions = (
  | {
      /** An SMTP URL such as `smtps://user:pass@smtp.example.com:465` or `smtp://127.0.0.1:2525`. */
      url: string;
    }
  | {
      /** A Nodemailer well-known service name (`Gmail`, `SendGrid`, …): the original EMAIL_SERVICE. */
      service: string;
      /** The original EMAIL_USER. */
      user: string;
      /** The original EMAIL_PASS. */
      pass: string;
    }
) & {
  /** The sender, e.g. `"Parley" <no-reply@example.com>`. */
  from: string;
  /** Most connections kept open at once. @default 5 */
  maxConnections?: number;
};

/**
 * Creates a Nodemailer-backed {@link Mailer}. Connections open lazily on the first email and are
 * pooled; `close()` releases them and is safe to call twice.
 *
 * ```ts
 * createChatEngine({ config, mailer: smtpMailer({ url: process.env.SMTP_URL!, from: 'no-reply@example.com' }) });
 * ```
 */
export function smtpMailer(options: SmtpMailerOptions): Mailer {
  const base: SMTPPool.Options = { pool: true, maxConnections: options.maxConnections ?? 5 };
  const transport = nodemailer.createTransport(
    'url' in options
      ? { ...base, url: options.url }
      : { ...base, service: options.service, auth: { user: options.user, pass: options.pass } },
  );
  let closed = false;
  return {
    async send(message) {
      if (closed) throw new Error('smtpMailer is closed');
      await transport.sendMail({
        from: options.from,
        to: message.to,
        subject: message.subject,
        text: message.text,
        ...(message.html === undefined ? {} : { html: message.html }),
      });
    },
    async close() {
      if (closed) return;
      closed = true;
      transport.close();
    },
  };
}
