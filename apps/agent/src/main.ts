#!/usr/bin/env node
import { setFlagsFromString } from 'node:v8';
import { pino } from 'pino';
import { AGENT_USAGE, AgentConfigError, loadAgentConfig } from './config/agent-config.js';
import { Agent } from './runtime/agent.js';

const log = pino({ name: 'sandtrap-agent', level: process.env.SANDTRAP_LOG_LEVEL ?? 'info' });

/**
 * How far V8 lets the heap grow past what the last full collection left alive: by half. V8's own
 * rule let the agent's old space fill with about 25 MB of garbage between collections while
 * shipping (live heap 7 MB), which put its peak RSS at 79-80 MB; with 50 it peaked at 71 MB at the
 * same CPU (test/bench/RESULTS.md, Agent). Not a cap. `node --heap-growing-percent=N` overrides it.
 */
const HEAP_GROWING_PERCENT = 50;

async function main(): Promise<void> {
  if (!process.execArgv.some((arg) => /^--heap[-_]growing[-_]percent/.test(arg))) {
    setFlagsFromString(`--heap-growing-percent=${HEAP_GROWING_PERCENT}`);
  }
  if (process.argv.includes('--help')) {
    process.stdout.write(`${AGENT_USAGE}\n`);
    return;
  }
  const config = loadAgentConfig(process.argv.slice(2));
  const agent = new Agent(config, log);
  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    log.info({ signal }, 'stopping');
    agent.stop().then(
      () => process.exit(0),
      (error: unknown) => {
        log.error({ err: error }, 'stop failed');
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
  await agent.start();
  log.info(
    {
      sources: Object.entries(config.sources)
        .filter(([, s]) => s.enabled)
        .map(([n]) => n),
    },
    'agent running',
  );
}

main().catch((error: unknown) => {
  if (error instanceof AgentConfigError) {
    process.stderr.write(`sandtrap-agent: ${error.message}\n\n${AGENT_USAGE}\n`);
    process.exit(2);
  }
  log.fatal({ err: error }, 'agent failed');
  process.exit(1);
});
