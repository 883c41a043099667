import { ChatError, createChatEngine, parseConfig } from '@parley/chat-core';
import { describe, expect, it } from 'vitest';

describe('parseConfig', () => {
  it('fills in every default', () => {
    const config = parseConfig({ jwtSecret: 'a-secret-of-sixteen+' });
    expect(config).toMatchObject({
      jwtExpiresIn: '7d',
      bcryptCost: 10,
      requireVerifiedEmail: false,
      privateMessagePolicy: 'friends',
      recallWindowSeconds: 120,
      maxTextLength: 5000,
      groupInviteTtlSeconds: 604800,
      codeTtlSeconds: 900,
      codeMaxAttempts: 5,
    });
  });

  it('names every bad setting in one error', () => {
    let error: unknown;
    try {
      parseConfig({ jwtSecret: 'short', bcryptCost: 99, privateMessagePolicy: 'strangers' as 'anyone' });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ChatError);
    const message = (error as ChatError).message;
    expect((error as ChatError).code).toBe('VALIDATION_FAILED');
    expect(message).toContain('jwtSecret');
    expect(message).toContain('bcryptCost');
    expect(message).toContain('privateMessagePolicy');
  });

  it('refuses to build an engine from a bad config', () => {
    expect(() => createChatEngine({ config: { jwtSecret: '' } })).toThrow(/jwtSecret/);
  });
});

describe('engine events', () => {
  it('a listener that throws is logged and does not keep the others from the event', async () => {
    const logged: string[] = [];
    const logger = {
      debug() {},
      info() {},
      warn() {},
      error: (_obj: object, msg?: string) => {
        logged.push(msg ?? '');
      },
    };
    const engine = createChatEngine({ config: { jwtSecret: 'a-secret-of-sixteen+', bcryptCost: 4 }, logger });
    const heard: string[] = [];
    engine.events.on('user_updated', () => {
      throw new Error('an app handler failed');
    });
    engine.events.on('user_updated', (user) => heard.push(user.nickname));
    const { user } = await engine.auth.register({
      email: 'x@example.test',
      password: 'password-x',
      nickname: 'X',
    });
    await engine.users.updateMe(user.id, { nickname: 'Renamed' });
    expect(heard).toEqual(['Renamed']);
    expect(logged).toContain('event listener failed');
    await engine.close();
  });
});
