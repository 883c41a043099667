import type { GroupStore } from '../../ports/store.js';
import { unimplementedPort } from '../../util/unimplemented-port.js';

export function memoryGroupStore(): GroupStore {
  return unimplementedPort<GroupStore>('memoryGroupStore');
}
