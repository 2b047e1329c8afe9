import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

// Shared by the agent's end-to-end suites: the real service and the real agent as processes.
export const ADMIN = `admin-${randomBytes(12).toString('hex')}`;
const ROOT = process.cwd();

export const freePort = () =>
  new Promise<number>((resolve) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });

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
  constructor(readonly args: string[]) {}
  start() {
    this.child = spawn('node', [join(ROOT, 'apps/agent/dist/main.js'), ...this.args], {
      env: { ...process.env, SANDTRAP_LOG_LEVEL: 'warn' },
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
