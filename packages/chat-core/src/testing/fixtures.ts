/**
 * Engine-level fixtures for the scenario suites: an engine over the store under test with a
 * memory mailer, a test clock and a cheap bcrypt cost, plus helpers that set up users and friends.
 */
import type { ChatConfigInput } from '../config.js';
import type { AuthResult } from '../domain/views.js';
import { type ChatEngine, createChatEngine } from '../engine.js';
import { type Audience, CHAT_EVENT_NAMES, type ChatEventMap, type ChatEventName } from '../events.js';
import type { Session } from '../identity/auth-service.js';
import { type MemoryMailer, memoryMailer } from '../mail/memory-mailer.js';
import type { ChatStore } from '../ports/store.js';
import type { RawProbes, StoreFixture } from './harness.js';
import { type TestClock, testClock } from './test-clock.js';

/** A registered test user with a live session. */
export interface TestUser {
  id: string;
  email: string;
  password: string;
  nickname: string;
  token: string;
  session: Session;
}

/** One emitted client event, as recorded by {@link ScenarioContext.events}. */
export interface RecordedEvent<K extends ChatEventName = ChatEventName> {
  name: K;
  payload: ChatEventMap[K];
  audience: Audience;
}

/** What a scenario test receives. */
export interface ScenarioContext {
  engine: ChatEngine;
  store: ChatStore;
  probes: RawProbes | null;
  mailer: MemoryMailer;
  clock: TestClock;
  /** Every client event emitted since the test began, oldest first. */
  events: RecordedEvent[];
  /** Recorded events of one name. */
  eventsNamed<K extends ChatEventName>(name: K): RecordedEvent<K>[];
  /** Registers (and verifies, unless told otherwise) a user; nickname defaults to a unique one. */
  user(nickname?: string, options?: { verified?: boolean; password?: string }): Promise<TestUser>;
  /** Makes two users friends through a request and its acceptance. */
  befriend(a: TestUser, b: TestUser): Promise<void>;
  /** An engine over the same store with other config (e.g. `requireVerifiedEmail`). */
  withConfig(config: Partial<ChatConfigInput>): ChatEngine;
}

/** The config every scenario starts from. */
export const SCENARIO_CONFIG: ChatConfigInput = {
  jwtSecret: 'parley-conformance-secret-0123456789',
  bcryptCost: 4,
  presenceGraceMs: 0,
};

let counter = 0;

/** Builds the scenario context around a fresh store. */
export function scenarioContext(fixture: StoreFixture, probes: RawProbes | null): ScenarioContext {
  const mailer = memoryMailer();
  const clock = testClock();
  const make = (config: Partial<ChatConfigInput>) =>
    createChatEngine({ store: fixture.store, mailer, clock, config: { ...SCENARIO_CONFIG, ...config } });
  const engine = make({});
  const events: RecordedEvent[] = [];
  const record = (e: ChatEngine) => {
    const untyped = e.events as unknown as {
      on(name: string, listener: (payload: unknown, audience: Audience) => void): void;
    };
    for (const name of CHAT_EVENT_NAMES) {
      untyped.on(name, (payload, audience) => events.push({ name, payload, audience } as RecordedEvent));
    }
  };
  record(engine);

  const ctx: ScenarioContext = {
    engine,
    store: fixture.store,
    probes,
    mailer,
    clock,
    events,
    eventsNamed: <K extends ChatEventName>(name: K) =>
      events.filter((e): e is RecordedEvent<K> => e.name === name),
    async user(nickname, options = {}) {
      counter += 1;
      const name = nickname ?? `user${counter}`;
      const email = `${name.toLowerCase().replace(/[^a-z0-9]/g, '')}.${counter}@example.test`;
      const password = options.password ?? `password-${counter}`;
      const result: AuthResult = await engine.auth.register({ email, password, nickname: name });
      if (options.verified !== false) {
        const mail = mailer.lastTo(email);
        const code = /\b(\d{6})\b/.exec(mail?.text ?? '')?.[1];
        if (!code) throw new Error(`no verification code mailed to ${email}`);
        await engine.auth.verifyEmail({ email, code });
      }
      const session = await engine.auth.authenticate(result.token);
      return { id: result.user.id, email, password, nickname: name, token: result.token, session };
    },
    async befriend(a, b) {
      const { request, friend } = await engine.friends.sendRequest(a.id, { userId: b.id });
      if (!friend) await engine.friends.accept(b.id, request.id);
    },
    withConfig(config) {
      const other = make(config);
      record(other);
      return other;
    },
  };
  return ctx;
}
