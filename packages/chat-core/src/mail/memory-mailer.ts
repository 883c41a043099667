import type { Mailer, MailMessage } from '../ports/mailer.js';

/** A mailer that keeps what it was asked to send; for tests that read a code from an email. */
export interface MemoryMailer extends Mailer {
  /** Every email sent, oldest first. */
  readonly sent: MailMessage[];
  /** The newest email to this address, or undefined. */
  lastTo(address: string): MailMessage | undefined;
  /** Forgets every email. */
  clear(): void;
}

export function memoryMailer(): MemoryMailer {
  const sent: MailMessage[] = [];
  return {
    sent,
    async send(message) {
      sent.push({ ...message });
    },
    lastTo(address) {
      const wanted = address.trim().toLowerCase();
      for (let i = sent.length - 1; i >= 0; i--) {
        const mail = sent[i];
        if (mail && mail.to.toLowerCase() === wanted) return mail;
      }
      return undefined;
    },
    clear() {
      sent.length = 0;
    },
  };
}
