/**
 * Parley Web's service worker, built to `dist/sw.js` (one classic script, no imports) and served
 * by the host at `/sw.js` with scope `/`. It shows Web Push notifications of new messages and
 * opens their conversation on click; it caches nothing.
 */
import { installServiceWorker, type ServiceWorkerScopeLike } from './sw/service-worker.js';

installServiceWorker(self as unknown as ServiceWorkerScopeLike);
