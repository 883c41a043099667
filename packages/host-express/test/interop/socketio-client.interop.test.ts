/**
 * Interop with the JavaScript clients people actually run: socket.io-client 4 and 3, each playing
 * the whole story of story.ts (REST register, query and auth.token handshakes, private and group
 * messages, delivery acks, one-argument handlers, resuming by seq after a dropped connection).
 */
import { io as ioV4 } from 'socket.io-client';
import { io as ioV3 } from 'socket.io-client-v3';
import { describe, it } from 'vitest';
import { useServer } from '../helpers.js';
import { checkObservations, type OpenSocket, playStory, type StorySocket } from './story.js';

const s = useServer();

const options = (token: string, how: 'query' | 'auth') => ({
  transports: ['websocket'],
  reconnection: false,
  forceNew: true,
  ...(how === 'query' ? { query: { token } } : { auth: { token } }),
});

const clients: [string, OpenSocket][] = [
  ['socket.io-client 4', (url, token, how) => ioV4(url, options(token, how)) as unknown as StorySocket],
  ['socket.io-client 3', (url, token, how) => ioV3(url, options(token, how)) as unknown as StorySocket],
];

describe.each(clients)('%s', (client, open) => {
  it('registers, connects by query token and auth.token, sends, receives with exact arguments, acks, and resumes by seq with nothing missing', async () => {
    const observations = await playStory(client, s.url, open);
    checkObservations(observations, 'argument');
  });
});
