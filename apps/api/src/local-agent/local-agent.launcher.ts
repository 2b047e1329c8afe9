import { spawn, type ChildProcess } from 'node:child_process';
import { accessSync, closeSync, constants, existsSync, mkdirSync, openSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { RunningServer } from '../server.js';
import { TokensService } from '../tokens/tokens.service.js';

/** apps/api/dist/local-agent/ -> apps/agent/dist/main.js */
const AGENT_MAIN = fileURLToPath(new URL('../../../agent/dist/main.js', import.meta.url));
const RESTART_DELAY_MS = 2_000;

export interface LocalAgentSources {
  kmsg: boolean;
  auditd: boolean;
  bpf: boolean;
}

/** The sources that can work on this machine, as this process sees it. */
export function detectLocalSources(): LocalAgentSources {
  const works = (probe: () => void) => {
    try {
      probe();
      return true;
    } catch {
      return false;
    }
  };
  const kmsg = works(() => closeSync(openSync('/dev/kmsg', constants.O_RDONLY | constants.O_NONBLOCK)));
  const auditd = works(() => accessSync('/var/log/audit/audit.log', constants.R_OK));
  const bpf =
    process.getuid?.() === 0 &&
    existsSync(fileURLToPath(new URL('../../../agent/dist/sources/bpf.source.js', import.meta.url)));
  return { kmsg, auditd, bpf };
}

/**
 * All-in-one mode: runs an agent for this host as a child process of the API, enrolled
 * automatically with an ingest token made here. `SANDTRAP_LOCAL_AGENT=off` disables it; `auto`
 * starts it only when a source works here. The child is stopped when this process exits.
 */
export async function launchLocalAgent(
  server: RunningServer,
): Promise<{ stop(): Promise<void> } | undefined> {
  const { config } = server;
  if (config.localAgent === 'off') return undefined;
  const sources = detectLocalSources();
  const usable = sources.kmsg || sources.auditd || sources.bpf;
  if (!existsSync(AGENT_MAIN) || (config.localAgent === 'auto' && !usable)) {
    process.stderr.write(
      `sandtrap: local agent not started (${existsSync(AGENT_MAIN) ? 'no readable kmsg, audit.log or bpf here; run as root' : 'agent not built'})\n`,
    );
    return undefined;
  }
  const stateDir = join(config.dataDir, 'agent');
  mkdirSync(stateDir, { recursive: true, mode: 0o700 });
  // The enrollment token is only needed until the agent saved its own host credential.
  let enrollToken: string | undefined;
  if (!existsSync(join(stateDir, 'credentials.json'))) {
    const created = await server.app
      .get(TokensService)
      .create({ name: 'local-agent', role: 'ingest' }, 'local-agent');
    enrollToken = created.token;
  }
  const configPath = join(stateDir, 'agent.yaml');
  writeFileSync(
    configPath,
    JSON.stringify(
      {
        server: { url: server.url, ...(enrollToken ? { enrollToken } : {}) },
        host: { labels: { 'sandtrap.io/all-in-one': 'true' } },
        stateDir,
        shipping: { batchSize: 1000, flushMs: 250 },
        profiles: { dir: join(config.dataDir, 'profiles') },
        sources: {
          kmsg: { enabled: sources.kmsg },
          auditd: { enabled: sources.auditd, path: '/var/log/audit/audit.log' },
          bpf: { enabled: sources.bpf },
        },
      },
      null,
      2,
    ),
    { mode: 0o600 },
  );

  let child: ChildProcess | undefined;
  let stopping = false;
  const start = () => {
    // A 1 MB young generation, as the systemd unit and the DaemonSet run the agent (its peak RSS
    // in test/bench/RESULTS.md, Agent).
    child = spawn(process.execPath, ['--max-semi-space-size=1', AGENT_MAIN, '--config', configPath], {
      stdio: ['ignore', 'inherit', 'inherit'],
      env: { ...process.env, SANDTRAP_LOG_LEVEL: config.logLevel },
    });
    child.once('exit', (code, signal) => {
      if (stopping) return;
      process.stderr.write(`sandtrap: local agent exited (code ${code}, signal ${signal}); restarting\n`);
      setTimeout(start, RESTART_DELAY_MS).unref();
    });
  };
  start();
  process.once('exit', () => child?.kill('SIGTERM'));
  return {
    stop: async () => {
      stopping = true;
      const current = child;
      if (!current || current.exitCode !== null || current.signalCode !== null) return;
      const exited = new Promise((resolve) => current.once('exit', resolve));
      current.kill('SIGTERM');
      await exited;
    },
  };
}
