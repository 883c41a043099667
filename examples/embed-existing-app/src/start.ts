/** `pnpm start`: runs the embedding story once and prints what happened. */
import { main } from './app.js';

main().then(
  (summary) => {
    console.log(JSON.stringify(summary, null, 2));
  },
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
