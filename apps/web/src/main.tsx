import { render } from 'preact';
import { App } from './app.js';
import { onNotificationOpen } from './push.js';
import { conversationFromUrl, navigate, startClient, state } from './state.js';
import './styles.css';

const invite = /^\/invite\/([^/?#]+)/.exec(location.pathname);
if (invite?.[1]) state.view = { name: 'invite', token: decodeURIComponent(invite[1]) };
// A notification's link (`/?conversation=<id>`): that chat opens, after signing in if need be.
const conversationId = conversationFromUrl(location.search);
if (conversationId) state.view = { name: 'chat', conversationId };
onNotificationOpen((id) => navigate({ name: 'chat', conversationId: id }));
startClient();
render(<App />, document.getElementById('app')!);
