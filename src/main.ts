import { runCli } from './cli/index.js';

/** Composition root: config → runtime (db) → http | cli. See cli/index.ts for the commands. */
runCli(process.argv).catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : String(err));
  process.exit(1);
});
