import type { UserStore } from '../../ports/store.js';
import { unimplementedPort } from '../../util/unimplemented-port.js';

export function memoryUserStore(): UserStore {
  return unimplementedPort<UserStore>('memoryUserStore');
}
