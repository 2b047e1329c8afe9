import { startServer } from './server.js';

/**
 * `npm start`: the API with its configuration from the environment. SIGTERM/SIGINT stop it
 * gracefully (in-flight requests finish, pools close, the embedded Postgres stops last).
 */
async function main(): Promise<void> {
  const server = await startServer(process.env);
  const stop = (signal: string) => {
    void server.close().then(
      () => process.exit(0),
      (error: unknown) => {
        process.stderr.write(`sandtrap: shutdown after ${signal} failed: ${String(error)}\n`);
        process.exit(1);
      },
    );
  };
  process.once('SIGTERM', () => stop('SIGTERM'));
  process.once('SIGINT', () => stop('SIGINT'));
}

main().catch((error: unknown) => {
  const message = error instanceof Error ? error.message : String(error);
  process.stderr.write(`sandtrap: cannot start: ${message}\n`);
  process.exit(1);
});
