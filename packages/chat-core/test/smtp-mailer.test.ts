import type { AddressInfo } from 'node:net';
import { type ChatEngine, createChatEngine, type Mailer, memoryStore, smtpMailer } from '@parley/chat-core';
import { SMTPServer } from 'smtp-server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

interface Received {
  from: string | undefined;
  to: string[];
  raw: string;
}

describe('smtpMailer over a real SMTP server', () => {
  const inbox: Received[] = [];
  const waiters: ((mail: Received) => void)[] = [];
  let server: SMTPServer;
  let mailer: Mailer;
  let engine: ChatEngine;

  const nextMail = () => new Promise<Received>((resolve) => waiters.push(resolve));

  beforeAll(async () => {
    server = new SMTPServer({
      authOptional: true,
      secure: false,
      disabledCommands: ['STARTTLS'],
      logger: false,
      onData(stream, session, callback) {
        const chunks: Buffer[] = [];
        stream.on('data', (chunk: Buffer) => chunks.push(chunk));
        stream.on('end', () => {
          const mail: Received = {
            from: session.envelope.mailFrom ? session.envelope.mailFrom.address : undefined,
            to: session.envelope.rcptTo.map((r) => r.address),
            raw: Buffer.concat(chunks).toString('utf8'),
          };
          inbox.push(mail);
          waiters.shift()?.(mail);
          callback();
        });
      },
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
    const { port } = server.server.address() as AddressInfo;
    mailer = smtpMailer({ url: `smtp://127.0.0.1:${port}`, from: '"Parley" <no-reply@parley.test>' });
    engine = createChatEngine({
      store: memoryStore(),
      mailer,
      config: { jwtSecret: 'smtp-test-secret-0123456789', bcryptCost: 4 },
    });
  });

  afterAll(async () => {
    await engine?.close();
    await mailer?.close?.();
    await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
  });

  it('delivers the verification email whose code verifies the account', async () => {
    const arrived = nextMail();
    const { user } = await engine.auth.register({
      email: 'Smtp.User@Example.test',
      password: 'password-123',
      nickname: 'Smtp',
    });
    const mail = await arrived;
    expect(mail.from).toBe('no-reply@parley.test');
    expect(mail.to).toEqual(['smtp.user@example.test']);
    expect(mail.raw).toMatch(/^Subject: Your Parley verification code: \d{6}/m);
    expect(mail.raw).toContain('http://localhost:3000/verify-email?token=');
    const code = /verification code is (\d{6})/.exec(mail.raw)?.[1];
    expect(code).toMatch(/^\d{6}$/);
    const verified = await engine.auth.verifyEmail({ email: 'smtp.user@example.test', code: code ?? '' });
    expect(verified.user).toMatchObject({ id: user.id, emailVerified: true });
  });

  it('delivers a password reset code through the same pool', async () => {
    const arrived = nextMail();
    await engine.auth.forgotPassword({ email: 'smtp.user@example.test' });
    const mail = await arrived;
    const code = /reset code is (\d{6})/.exec(mail.raw)?.[1] ?? '';
    await engine.auth.resetPassword({ email: 'smtp.user@example.test', code, password: 'new-password-456' });
    await engine.auth.login({ email: 'smtp.user@example.test', password: 'new-password-456' });
    expect(inbox).toHaveLength(2);
  });

  it('close is safe to call twice, and a closed mailer refuses to send', async () => {
    const other = smtpMailer({ url: 'smtp://127.0.0.1:9', from: 'no-reply@parley.test' });
    await other.close?.();
    await other.close?.();
    await expect(other.send({ to: 'a@example.test', subject: 's', text: 't' })).rejects.toThrow(/closed/);
  });
});
