import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type { SecurityEvent } from '@sandtrap/events';
import pg from 'pg';
import { pino } from 'pino';
import { expect } from 'vitest';
// eslint-disable-next-line no-restricted-imports -- the source suites drive the agent's sources directly
import type { SourceBatch, SourceContext } from '../apps/agent/src/sources/source.js';
import { runProbe } from './kernel/run-probe.js';
import { createTestDatabase, type TestDatabase } from './support/test-database.js';
import { freePort } from './support/free-port.js';

export { freePort };

// Shared by the agent's end-to-end suites: the real service and the real agent as processes.
export const ADMIN = `admin-${randomBytes(12).toString('hex')}`;
const ROOT = process.cwd();

export async function until<T>(
  what: string,
  check: () => Promise<T | undefined>,
  timeoutMs = 60_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check().catch(() => undefined);
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(100);
  }
}

/** A SECCOMP record of our own making, with a unique audit serial (so a unique event key). */
export function seccompLine(serial: number): string {
  const now = Date.now();
  const stamp = `${Math.floor(now / 1000)}.${String(now % 1000).padStart(3, '0')}:${serial}`;
  return (
    `type=SECCOMP msg=audit(${stamp}): auid=1000 uid=1000 gid=1000 ses=3 subj=unconfined pid=${4000 + (serial % 500)} ` +
    `comm="probe" exe="/usr/local/bin/probe" sig=0 arch=c000003e syscall=${serial % 300} compat=0 ip=0x7f0000001000 code=0x50001`
  );
}

export class Service {
  child: ChildProcess | undefined;
  constructor(
    readonly port: number,
    readonly databaseUrl: string,
  ) {}
  get url() {
    return `http://127.0.0.1:${this.port}`;
  }
  async start() {
    this.child = spawn('node', [join(ROOT, 'apps/api/dist/main.js')], {
      env: {
        ...process.env,
        DATABASE_URL: this.databaseUrl,
        PORT: String(this.port),
        HOST: '127.0.0.1',
        SANDTRAP_ADMIN_TOKEN: ADMIN,
        SANDTRAP_LOCAL_AGENT: 'off',
        SANDTRAP_LOG_LEVEL: 'warn',
      },
      stdio: ['ignore', 'ignore', 'inherit'],
    });
    await until('service health', async () => ((await fetch(`${this.url}/healthz`)).ok ? true : undefined));
  }
  async stop() {
    const child = this.child;
    if (!child || child.exitCode !== null) return;
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGTERM');
    await exited;
  }
}

export class AgentProcess {
  child: ChildProcess | undefined;
  constructor(
    readonly args: string[],
    /** Added to the agent's environment (e.g. a PATH with a stand-in journalctl first). */
    readonly env: NodeJS.ProcessEnv = {},
  ) {}
  start() {
    this.child = spawn('node', [join(ROOT, 'apps/agent/dist/main.js'), ...this.args], {
      env: { ...process.env, SANDTRAP_LOG_LEVEL: 'warn', ...this.env },
      stdio: ['ignore', 'ignore', 'inherit'],
    });
  }
  async kill(signal: NodeJS.Signals) {
    const child = this.child;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill(signal);
    await exited;
  }
}

/** A stored violation, as the agent suites compare them. */
export interface ViolationRow {
  pid: number;
  syscall_name: string;
  action: string;
  source: string;
  arch: string;
  event_key: string;
  raw: string;
}

/**
 * The spawned service on a fresh database with an ingest-role token agents enroll with, a pool to
 * look at what it stored, and a scratch folder for agent configs and state. `stop()` stops the
 * agents it made and tears down the rest.
 */
export class AgentStack {
  private readonly agents: AgentProcess[] = [];

  private constructor(
    readonly db: TestDatabase,
    readonly pool: pg.Pool,
    readonly service: Service,
    readonly enrollToken: string,
    readonly dir: string,
  ) {}

  static async start(tokenName: string): Promise<AgentStack> {
    const db = await createTestDatabase();
    const pool = new pg.Pool({ connectionString: db.url, max: 2 });
    const service = new Service(await freePort(), db.url);
    try {
      await service.start();
      const created = await fetch(`${service.url}/v1/tokens`, {
        method: 'POST',
        headers: { authorization: `Bearer ${ADMIN}`, 'content-type': 'application/json' },
        body: JSON.stringify({ name: tokenName, role: 'ingest' }),
      });
      if (!created.ok) throw new Error(`POST /v1/tokens: ${created.status}`);
      const { token } = (await created.json()) as { token: string };
      const dir = mkdtempSync(join(tmpdir(), `sandtrap-${tokenName}-`));
      return new AgentStack(db, pool, service, token, dir);
    } catch (error) {
      await service.stop();
      await pool.end();
      await db.drop();
      throw error;
    }
  }

  /**
   * Writes an agent config (JSON, which is YAML) for `host` and returns its path: this service,
   * state in the stack's folder, small fast batches, no /metrics, no profile sync; `fields`
   * replace any of those top-level entries.
   */
  agentConfig(host: string, fields: Record<string, unknown>): string {
    const path = join(this.dir, `${host}.yaml`);
    writeFileSync(
      path,
      JSON.stringify({
        server: { url: this.service.url, enrollToken: this.enrollToken },
        host: { name: host },
        stateDir: join(this.dir, host, 'state'),
        shipping: { batchSize: 100, flushMs: 100 },
        metrics: { enabled: false },
        profiles: { enabled: false },
        ...fields,
      }),
    );
    return path;
  }

  /** An agent process for `host` (not started yet); `stop()` stops it. */
  agent(host: string, fields: Record<string, unknown>, env: NodeJS.ProcessEnv = {}): AgentProcess {
    const agent = new AgentProcess(['--config', this.agentConfig(host, fields)], env);
    this.agents.push(agent);
    return agent;
  }

  /** An agent for `host`, started and enrolled (its host row exists). */
  async startAgent(
    host: string,
    fields: Record<string, unknown>,
    env: NodeJS.ProcessEnv = {},
  ): Promise<AgentProcess> {
    const agent = this.agent(host, fields, env);
    agent.start();
    await this.enrolled(host);
    return agent;
  }

  /** Resolves once the agent of `host` has enrolled (its host row exists). */
  async enrolled(host: string): Promise<void> {
    await until('agent enrollment', async () =>
      (await this.pool.query('SELECT 1 FROM hosts WHERE name = $1', [host])).rowCount === 1
        ? true
        : undefined,
    );
  }

  /** The violations stored for `host`, only those of `pids` when given. */
  async violations(host: string, pids?: number[]): Promise<ViolationRow[]> {
    const result = await this.pool.query<ViolationRow>(
      `SELECT pid, syscall_name, action, source, syscall_arch AS arch, event_key, raw
       FROM violations v JOIN hosts h ON h.id = v.host_id
       WHERE h.name = $1 AND ($2::int[] IS NULL OR pid = ANY($2::int[]))`,
      [host, pids ?? null],
    );
    return result.rows;
  }

  /** How many violations `host` has. */
  async count(host: string): Promise<number> {
    const result = await this.pool.query<{ n: string }>(
      'SELECT count(*) AS n FROM violations v JOIN hosts h ON h.id = v.host_id WHERE h.name = $1',
      [host],
    );
    return Number(result.rows[0].n);
  }

  async stop(): Promise<void> {
    await Promise.all(this.agents.map((agent) => agent.kill('SIGTERM')));
    await this.service.stop();
    await this.pool.end();
    await this.db.drop();
    rmSync(this.dir, { recursive: true, force: true });
  }
}

/** Probe runs whose records the kernel audits, and one whose it does not (issue 4's mix). */
export interface AuditedProbes {
  /** `pid syscall action` of every audited call, sorted. */
  expected: string[];
  /** Every pid of the runs, silent ones included. */
  pids: number[];
  /** Pids of the ERRNO run without SECCOMP_FILTER_FLAG_LOG: nothing of them may be stored. */
  silentPids: Set<number>;
}

/**
 * Runs test/kernel/seccomp-probe.c with LOG on one syscall, ERRNO with and without
 * SECCOMP_FILTER_FLAG_LOG, and KILL_PROCESS in a child.
 */
export async function runAuditedProbes(): Promise<AuditedProbes> {
  const runs = [
    await runProbe('log'),
    await runProbe('errno-log'),
    await runProbe('kill'),
    await runProbe('errno'),
  ];
  const silentPids = new Set([runs[3].pid, ...runs[3].calls.map((c) => c.pid)]);
  const expected = runs
    .slice(0, 3)
    .flatMap((run) => run.calls)
    .filter((call) => call.expected !== 'allow')
    .map((call) => `${call.pid} ${call.syscall} ${call.expected}`)
    .sort();
  const pids = [...new Set([...runs.flatMap((r) => [r.pid, ...r.calls.map((c) => c.pid)])])];
  return { expected, pids, silentPids };
}

/**
 * Waits until `host` has as many rows for the probes as expected, lets `settleMs` pass (nothing
 * more may arrive), then asserts they are exactly the audited calls, all from `source`.
 */
export async function expectProbesStored(
  stack: AgentStack,
  host: string,
  probes: AuditedProbes,
  source: string,
  settleMs: number,
): Promise<ViolationRow[]> {
  expect(probes.expected.length).toBeGreaterThan(0);
  await until(
    'the probe events',
    async () =>
      (await stack.violations(host, probes.pids)).length >= probes.expected.length ? true : undefined,
    30_000,
  );
  await sleep(settleMs);
  const stored = await stack.violations(host, probes.pids);
  expect(stored.map((r) => `${r.pid} ${r.syscall_name} ${r.action}`).sort()).toEqual(probes.expected);
  expect(new Set(stored.map((r) => r.source))).toEqual(new Set([source]));
  expect(stored.some((r) => probes.silentPids.has(r.pid))).toBe(false);
  return stored;
}

/** A SourceContext for driving one agent source in-process: it keeps what the source emits. */
export interface CollectingContext extends SourceContext {
  emitted: SecurityEvent[];
}

export function collectingContext(root: string, host: string, bootId: string): CollectingContext {
  const stateDir = join(root, 'state');
  mkdirSync(stateDir, { recursive: true });
  const emitted: SecurityEvent[] = [];
  return {
    host,
    bootId,
    stateDir,
    log: pino({ level: 'silent' }),
    signal: new AbortController().signal,
    emitted,
    emit: (batch: SourceBatch) => {
      emitted.push(...batch.events);
      return Promise.resolve();
    },
  };
}

/** Waits (up to 2 s) until `ctx` has at least `n` events. */
export async function emittedAtLeast(ctx: CollectingContext, n: number): Promise<void> {
  for (let i = 0; i < 100 && ctx.emitted.length < n; i++) await sleep(20);
}

/** A value of the agent's local /metrics (`name` with its labels, e.g. `x_total{source="kmsg"}`). */
export async function agentMetric(port: number, name: string): Promise<number | undefined> {
  const text = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
  const line = text.split('\n').find((l) => l.startsWith(`${name} `));
  return line ? Number(line.slice(name.length + 1)) : undefined;
}

/** True while auditd is registered with the kernel: SECCOMP records then go to it, not /dev/kmsg. */
export function auditdRunning(): boolean {
  try {
    return /^pid\s+[1-9]/m.test(execFileSync('auditctl', ['-s'], { encoding: 'utf8' }));
  } catch {
    return false;
  }
}
