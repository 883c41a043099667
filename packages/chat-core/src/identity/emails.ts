/** The emails the identity area sends: plain text first (it carries the code), with HTML. */
import type { ChatConfig } from '../config.js';
import type { MailMessage } from '../ports/mailer.js';

const escapeHtml = (value: string) => value.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

const minutes = (config: ChatConfig) => Math.max(1, Math.round(config.codeTtlSeconds / 60));

/** The verification email: the 6-digit code and a link that verifies in one click. */
export function verificationEmail(
  config: ChatConfig,
  to: { email: string; nickname: string },
  code: string,
  linkToken: string,
): MailMessage {
  const link = `${config.publicUrl.replace(/\/$/, '')}/verify-email?token=${encodeURIComponent(linkToken)}`;
  const ttl = minutes(config);
  return {
    to: to.email,
    subject: `Your Parley verification code: ${code}`,
    text: [
      `Your verification code is ${code}`,
      '',
      `Hi ${to.nickname}, enter this code to verify your email address, or open this link:`,
      link,
      '',
      `The code expires in ${ttl} minutes. If you did not sign up, ignore this email.`,
    ].join('\n'),
    html: [
      `<p>Hi ${escapeHtml(to.nickname)},</p>`,
      `<p>Your verification code is <strong style="font-size:1.4em;letter-spacing:0.2em">${code}</strong></p>`,
      `<p>Or verify in one click: <a href="${escapeHtml(link)}">verify my email</a></p>`,
      `<p>The code expires in ${ttl} minutes. If you did not sign up, ignore this email.</p>`,
    ].join('\n'),
  };
}

/** The password reset email: the 6-digit code. */
export function passwordResetEmail(
  config: ChatConfig,
  to: { email: string; nickname: string },
  code: string,
): MailMessage {
  const ttl = minutes(config);
  return {
    to: to.email,
    subject: `Your Parley password reset code: ${code}`,
    text: [
      `Your password reset code is ${code}`,
      '',
      `Hi ${to.nickname}, enter this code to choose a new password.`,
      `The code expires in ${ttl} minutes. If you did not ask for it, ignore this email: your password stays as it is.`,
    ].join('\n'),
    html: [
      `<p>Hi ${escapeHtml(to.nickname)},</p>`,
      `<p>Your password reset code is <strong style="font-size:1.4em;letter-spacing:0.2em">${code}</strong></p>`,
      `<p>The code expires in ${ttl} minutes. If you did not ask for it, ignore this email: your password stays as it is.</p>`,
    ].join('\n'),
  };
}
