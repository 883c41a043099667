/** `pnpm start`: runs the client against PARLEY_URL (default http://localhost:3000). */
import { main } from './client.js';

main({ url: process.env.PARLEY_URL ?? 'http://localhost:3000' }).then(
  (summary) => {
    console.log(JSON.stringify(summary, null, 2));
  },
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
