#!/usr/bin/env node
import { pino } from 'pino';
import { AGENT_USAGE, AgentConfigError, loadAgentConfig } from './config/agent-config.js';
import { Agent } from './runtime/agent.js';

const log = pino({ name: 'sandtrap-agent', level: process.env.SANDTRAP_LOG_LEVEL ?? 'info' });

async function main(): Promise<void> {
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
