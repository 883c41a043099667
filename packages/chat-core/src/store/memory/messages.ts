import type { MessageStore } from '../../ports/store.js';
import { unimplementedPort } from '../../util/unimplemented-port.js';

export function memoryMessageStore(): MessageStore {
  return unimplementedPort<MessageStore>('memoryMessageStore');
}
