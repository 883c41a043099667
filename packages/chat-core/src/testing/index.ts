/**
 * `@parley/chat-core/testing`: the conformance kit every storage adapter runs, and fixtures for
 * apps that test against `memoryStore()`.
 *
 * ```ts
 * runStoreConformance({ createStore: async () => ({ store: memoryStore(), cleanup: async () => {} }) });
 * runEngineScenarios({ createStore: … });
 * ```
 */
import type { ConformanceOptions } from './harness.js';
import { dispatchScenarios } from './scenarios/dispatch.js';
import { groupsScenarios } from './scenarios/groups.js';
import { identityScenarios } from './scenarios/identity.js';
import { integrationsScenarios } from './scenarios/integrations.js';
import { invitesScenarios } from './scenarios/invites.js';
import { messageChangesScenarios } from './scenarios/message-changes.js';
import { messagingScenarios } from './scenarios/messaging.js';
import { presenceScenarios } from './scenarios/presence.js';
import { sessionsAndPrivacyScenarios } from './scenarios/sessions-privacy.js';
import { socialScenarios } from './scenarios/social.js';
import { authTokensStoreSuite } from './store/auth-tokens.js';
import { groupsStoreSuite } from './store/groups.js';
import { integrationsStoreSuite } from './store/integrations.js';
import { messageChangesStoreSuite } from './store/message-changes.js';
import { messagesStoreSuite } from './store/messages.js';
import { socialStoreSuite } from './store/social.js';
import { usersStoreSuite } from './store/users.js';

/** Runs the store-level tests of every port method, a fresh store per test. */
export function runStoreConformance(options: ConformanceOptions): void {
  usersStoreSuite(options);
  authTokensStoreSuite(options);
  socialStoreSuite(options);
  messagesStoreSuite(options);
  messageChangesStoreSuite(options);
  groupsStoreSuite(options);
  integrationsStoreSuite(options);
}

/** Runs the engine-level scenarios (through `createChatEngine`) over the store, a fresh store per test. */
export function runEngineScenarios(options: ConformanceOptions): void {
  identityScenarios(options);
  socialScenarios(options);
  messagingScenarios(options);
  messageChangesScenarios(options);
  groupsScenarios(options);
  invitesScenarios(options);
  presenceScenarios(options);
  dispatchScenarios(options);
  sessionsAndPrivacyScenarios(options);
  integrationsScenarios(options);
}

export { type MemoryMailer, memoryMailer } from '../mail/memory-mailer.js';
export {
  type RecordedEvent,
  SCENARIO_CONFIG,
  type ScenarioContext,
  scenarioContext,
  type TestUser,
} from './fixtures.js';
export type { ConformanceOptions, RawProbes, StoreFixture, StoreTestContext } from './harness.js';
export { type TestClock, testClock } from './test-clock.js';
