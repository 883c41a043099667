import type { Logger } from '../ports/logger.js';
import type { Mailer } from '../ports/mailer.js';

/**
 * The development mailer: writes every email (and so its code and link) to the log instead of
 * sending it. The default when no SMTP is configured.
 */
export function devMailer(logger: Logger): Mailer {
  return {
    async send(message) {
      logger.info(
        { mail: { to: message.to, subject: message.subject, text: message.text } },
        'email (not sent: dev mailer)',
      );
    },
  };
}
