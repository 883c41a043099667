import { render } from 'preact';
import { App } from './app.js';
import { startClient, state } from './state.js';
import './styles.css';

const invite = /^\/invite\/([^/?#]+)/.exec(location.pathname);
if (invite?.[1]) state.view = { name: 'invite', token: decodeURIComponent(invite[1]) };
startClient();
render(<App />, document.getElementById('app')!);
