/**
 * `@parley/host-express`: Parley as a runnable server (Express REST + Socket.IO over one engine).
 *
 * ```ts
 * const host = await createHost({ config: loadEnv() });
 * const { url } = await host.listen();
 * ```
 */
export {
  type ConfigError,
  type HostConfig,
  type HostConfigInput,
  hostConfig,
  isConfigError,
  loadEnv,
  type MailConfig,
  type PushConfig,
} from './env.js';
export { createHost, type Host, type HostOptions } from './host.js';
export { createLogger } from './logger.js';
export { type WebPushSenderOptions, webPushSender } from './push/web-push-sender.js';
export {
  type ChosenStore,
  DATA_FILES,
  dataDirOf,
  persistedJwtSecret,
  type StoreKind,
  storeFor,
  storeKindOf,
} from './store.js';
