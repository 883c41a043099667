import { isConfigError, loadEnv } from '@parley/host-express';
import { describe, expect, it } from 'vitest';

function problemsOf(env: Record<string, string>): string[] {
  try {
    loadEnv(env);
  } catch (error) {
    if (isConfigError(error)) return error.problems;
    throw error;
  }
  throw new Error('loadEnv accepted a bad configuration');
}

describe('loadEnv', () => {
  it('fills the defaults and generates a JWT secret (with a warning) outside production', () => {
    const config = loadEnv({});
    expect(config).toMatchObject({
      port: 3000,
      host: '0.0.0.0',
      nodeEnv: 'development',
      mongodbUri: null,
      mail: { kind: 'dev' },
      corsOrigins: '*',
      trustProxy: false,
      bodyLimit: '100kb',
      chat: { publicUrl: 'http://localhost:3000' },
    });
    expect(config.chat.jwtSecret.length).toBeGreaterThanOrEqual(32);
    expect(config.warnings.join(' ')).toContain('JWT_SECRET');
    expect(loadEnv({}).chat.jwtSecret).not.toBe(config.chat.jwtSecret);
  });

  it('maps every variable onto the host and engine settings', () => {
    const config = loadEnv({
      PORT: '8080',
      HOST: '127.0.0.1',
      NODE_ENV: 'production',
      MONGODB_URI: 'mongodb+srv://u:p@cluster0.example.net/parley',
      JWT_SECRET: 'a-very-long-production-secret',
      JWT_EXPIRES_IN: '12h',
      SMTP_URL: 'smtps://u:p@smtp.example.com:465',
      MAIL_FROM: 'Parley <no-reply@example.com>',
      MESSAGE_ROAMING_DAYS: '30',
      CORS_ORIGIN: 'https://a.example.com, https://b.example.com/',
      PUBLIC_URL: 'https://chat.example.com',
      RECALL_WINDOW_SECONDS: '60',
      AUTH_REQUIRE_VERIFIED_EMAIL: 'true',
      PRIVATE_MESSAGE_POLICY: 'anyone',
      LOG_LEVEL: 'warn',
      BCRYPT_COST: '12',
      GROUP_MAX_MEMBERS: '200',
      TRUST_PROXY: '1',
      BODY_LIMIT: '200kb',
    });
    expect(config).toMatchObject({
      port: 8080,
      host: '127.0.0.1',
      nodeEnv: 'production',
      mongodbUri: 'mongodb+srv://u:p@cluster0.example.net/parley',
      mail: {
        kind: 'smtp-url',
        url: 'smtps://u:p@smtp.example.com:465',
        from: 'Parley <no-reply@example.com>',
      },
      corsOrigins: ['https://a.example.com', 'https://b.example.com'],
      trustProxy: 1,
      bodyLimit: '200kb',
      logLevel: 'warn',
      warnings: [],
      chat: {
        jwtSecret: 'a-very-long-production-secret',
        jwtExpiresIn: '12h',
        messageRoamingDays: 30,
        publicUrl: 'https://chat.example.com',
        recallWindowSeconds: 60,
        requireVerifiedEmail: true,
        privateMessagePolicy: 'anyone',
        bcryptCost: 12,
        groupMaxMembers: 200,
      },
    });
  });

  it("takes the original README's EMAIL_SERVICE / EMAIL_USER / EMAIL_PASS", () => {
    const config = loadEnv({
      EMAIL_SERVICE: 'Gmail',
      EMAIL_USER: 'me@gmail.com',
      EMAIL_PASS: 'app-password',
    });
    expect(config.mail).toEqual({
      kind: 'smtp-service',
      service: 'Gmail',
      user: 'me@gmail.com',
      pass: 'app-password',
      from: undefined,
    });
    expect(problemsOf({ EMAIL_SERVICE: 'Gmail' })).toEqual([
      expect.stringContaining('EMAIL_USER'),
      expect.stringContaining('EMAIL_PASS'),
    ]);
  });

  it('names EACH bad variable in one error', () => {
    const problems = problemsOf({
      PORT: 'eighty',
      BCRYPT_COST: '3',
      PRIVATE_MESSAGE_POLICY: 'strangers',
      PUBLIC_URL: 'not a url',
      JWT_SECRET: 'short',
      AUTH_REQUIRE_VERIFIED_EMAIL: 'maybe',
      MONGODB_URI: 'postgres://x',
      LOG_LEVEL: 'loud',
    });
    for (const name of [
      'PORT',
      'BCRYPT_COST',
      'PRIVATE_MESSAGE_POLICY',
      'PUBLIC_URL',
      'JWT_SECRET',
      'AUTH_REQUIRE_VERIFIED_EMAIL',
      'MONGODB_URI',
      'LOG_LEVEL',
    ]) {
      expect(problems.some((p) => p.startsWith(`${name}:`))).toBe(true);
    }
    expect(() => loadEnv({ PORT: 'eighty' })).toThrow(/PORT/);
  });

  it('in production: JWT_SECRET and a mail transport are required and CORS_ORIGIN may not be *', () => {
    const problems = problemsOf({ NODE_ENV: 'production', CORS_ORIGIN: '*' });
    expect(problems).toEqual([
      expect.stringMatching(/^JWT_SECRET:/),
      expect.stringMatching(/^CORS_ORIGIN:/),
      expect.stringMatching(/^SMTP_URL: required when NODE_ENV=production/),
    ]);
    const secret = 'x'.repeat(32);
    const withSmtp = loadEnv({
      NODE_ENV: 'production',
      JWT_SECRET: secret,
      SMTP_URL: 'smtp://mail.example:587',
    });
    expect(withSmtp.corsOrigins).toEqual([]);
    expect(withSmtp.mail.kind).toBe('smtp-url');
    // Writing emails (and so their codes) to the log is a choice someone has to make out loud.
    expect(loadEnv({ NODE_ENV: 'production', JWT_SECRET: secret, MAIL_TO_LOG: 'true' }).mail).toEqual({
      kind: 'dev',
    });
    expect(loadEnv({ JWT_SECRET: secret }).mail).toEqual({ kind: 'dev' });
  });

  it('maps the event budget and login limits, reading the old per-socket variable with a warning', () => {
    const secret = 'x'.repeat(32);
    expect(loadEnv({ JWT_SECRET: secret }).chat).toMatchObject({
      eventRateLimit: { perSecond: 20, burst: 200, burstWindowMs: 30_000 },
      loginRateLimit: { points: 10, windowMs: 900_000 },
    });
    const tuned = loadEnv({
      JWT_SECRET: secret,
      EVENTS_PER_SECOND: '50',
      EVENT_BURST: '500',
      EVENT_BURST_WINDOW_SECONDS: '60',
      LOGIN_ATTEMPTS: '5',
      LOGIN_WINDOW_SECONDS: '300',
    });
    expect(tuned.chat).toMatchObject({
      eventRateLimit: { perSecond: 50, burst: 500, burstWindowMs: 60_000 },
      loginRateLimit: { points: 5, windowMs: 300_000 },
    });
    expect(tuned.warnings.some((w) => w.includes('SOCKET_EVENTS_PER_SECOND'))).toBe(false);
    const old = loadEnv({ JWT_SECRET: secret, SOCKET_EVENTS_PER_SECOND: '40' });
    expect(old.chat.eventRateLimit).toMatchObject({ perSecond: 40 });
    expect(old.warnings.some((w) => w.includes('SOCKET_EVENTS_PER_SECOND is deprecated'))).toBe(true);
    expect(problemsOf({ EVENTS_PER_SECOND: '0' })).toEqual([expect.stringMatching(/^EVENTS_PER_SECOND:/)]);
    expect(problemsOf({ SOCKET_RECOVERY: 'maybe' })).toEqual([expect.stringMatching(/^SOCKET_RECOVERY:/)]);
    expect(loadEnv({ JWT_SECRET: secret }).socketRecovery).toBe(false);
    expect(loadEnv({ JWT_SECRET: secret, SOCKET_RECOVERY: 'true' }).socketRecovery).toBe(true);
  });

  it('treats blank variables as unset', () => {
    expect(loadEnv({ PORT: '', MONGODB_URI: '  ' })).toMatchObject({ port: 3000, mongodbUri: null });
  });
});
