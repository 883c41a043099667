/** The mail port: how Parley sends verification and password-reset emails. */

/** One email to send. */
export interface MailMessage {
  to: string;
  subject: string;
  text: string;
  html?: string;
}

/**
 * Sends email. `send` resolves once the message was accepted for delivery (by the SMTP server, a
 * log, a test inbox) and rejects when it was not; the core logs a failure and never reveals it to
 * the client, so that "resend" and "forgot password" answer the same whatever the email.
 */
export interface Mailer {
  send(message: MailMessage): Promise<void>;
  /** Releases pooled connections. Safe to call twice. */
  close?(): Promise<void>;
}
