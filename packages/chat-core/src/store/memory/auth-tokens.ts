import type { AuthTokenStore } from '../../ports/store.js';
import { unimplementedPort } from '../../util/unimplemented-port.js';

export function memoryAuthTokenStore(): AuthTokenStore {
  return unimplementedPort<AuthTokenStore>('memoryAuthTokenStore');
}
