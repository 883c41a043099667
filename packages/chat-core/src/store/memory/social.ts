import type { SocialStore } from '../../ports/store.js';
import { unimplementedPort } from '../../util/unimplemented-port.js';

export function memorySocialStore(): SocialStore {
  return unimplementedPort<SocialStore>('memorySocialStore');
}
