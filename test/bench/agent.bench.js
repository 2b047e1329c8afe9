// Agent end to end: an audit.log of AGENT_BENCH_RECORDS SECCOMP records (default 1,000,000)
// shipped by the real agent (apps/agent/dist) to the real API (apps/api/dist) on a scratch
// database. Reports events/s until all are stored, agent peak RSS, and agent CPU scaled to
// 10,000 events/s. Goals (DESIGN.md): RSS < 80 MB, CPU < 10% of one core per 10k ev/s.
// The agent first runs enrolled and idle on an empty audit.log (its idle RSS is sampled), then
// the prepared log is renamed into place (a rotation) and the clock starts. CPU is the agent's
// utime + stime (/proc/<pid>/stat) spent from the rename to the last row, per event, scaled to
// 10,000 events/s: percent of one core = cpuSeconds / records * 10,000 * 100.
// AGENT_BENCH_CONTAINER_SHARE (default 0.5): the share of records whose pid is a live process in a
// docker-shaped cgroup (8 of them, made here as root, removed after), as on a container host: the
// agent reads their containers from /proc while they live; the bench checks every one was stored
// with its container id. 0 for records of processes in no container only.
/* global fetch */
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, rmdirSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { createWriteStream, mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { clearInterval, setInterval, setTimeout } from 'node:timers';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { createBenchDatabase, startApi } from './ingest-api-server.js';

// AGENT_BENCH_AGENT: another build of the agent's main.js (e.g. a worktree of an older commit).
const AGENT =
  process.env.AGENT_BENCH_AGENT ?? fileURLToPath(new URL('../../apps/agent/dist/main.js', import.meta.url));
const RECORDS = Number(process.env.AGENT_BENCH_RECORDS ?? 1_000_000);
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

const CONTAINER_SHARE = Number(process.env.AGENT_BENCH_CONTAINER_SHARE ?? 0.5);
if (!(CONTAINER_SHARE >= 0 && CONTAINER_SHARE <= 1))
  throw new Error('AGENT_BENCH_CONTAINER_SHARE must be 0 to 1');
const inContainer = (i) => i % 1000 < CONTAINER_SHARE * 1000;
// AGENT_BENCH_SIBLING_SHARE (default 0): the share of records followed by the SYSCALL, PROCTITLE
// and EOE records of the same event, as when an audit rule also audits the denied syscall.
const SIBLING_SHARE = Number(process.env.AGENT_BENCH_SIBLING_SHARE ?? 0);
if (!(SIBLING_SHARE >= 0 && SIBLING_SHARE <= 1)) throw new Error('AGENT_BENCH_SIBLING_SHARE must be 0 to 1');
const withSiblings = (i) => (i * 7919) % 1000 < SIBLING_SHARE * 1000;

/** Live processes in docker-shaped cgroups (cgroupfs driver: /docker/<id>); `remove()` ends them. */
function startContainers(count) {
  const root = existsSync('/sys/fs/cgroup/pids/cgroup.procs') ? '/sys/fs/cgroup/pids' : '/sys/fs/cgroup';
  const parentExisted = existsSync(join(root, 'docker'));
  const containers = [];
  for (let k = 0; k < count; k++) {
    const id = randomBytes(32).toString('hex');
    const cgroup = join(root, 'docker', id);
    mkdirSync(cgroup, { recursive: true });
    const child = spawn('sleep', ['3600'], { stdio: 'ignore' });
    writeFileSync(join(cgroup, 'cgroup.procs'), String(child.pid));
    containers.push({ id, pid: child.pid, child, cgroup });
  }
  return {
    containers,
    remove() {
      for (const c of containers) {
        c.child.kill('SIGKILL');
      }
      return sleep(200).then(() => {
        for (const c of containers) rmdirSync(c.cgroup);
        if (!parentExisted) rmdirSync(join(root, 'docker'));
      });
    },
  };
}

async function writeAuditLog(path, n, containerPids) {
  const out = createWriteStream(path);
  const start = Math.floor(Date.now() / 1000) - 60;
  for (let i = 0; i < n; i++) {
    const stamp = `${start + Math.floor(i / 20_000)}.${String(i % 1000).padStart(3, '0')}:${i + 1}`;
    const pid = inContainer(i) ? containerPids[i % containerPids.length] : 1000 + (i % 4000);
    const line =
      `type=SECCOMP msg=audit(${stamp}): auid=1000 uid=1000 gid=1000 ses=2 subj=unconfined pid=${pid} ` +
      `comm="bench" exe="/usr/bin/bench" sig=0 arch=c000003e syscall=${i % 330} compat=0 ip=0x7f0000000001 code=0x50001\n`;
    // A syscall rule that audits the denied call adds its SYSCALL, PROCTITLE and EOE records.
    const siblings = withSiblings(i)
      ? `type=SYSCALL msg=audit(${stamp}): arch=c000003e syscall=${i % 330} success=no exit=-1 a0=0 a1=0 a2=0 a3=0 items=0 ppid=1 pid=${pid} auid=1000 uid=1000 gid=1000 euid=1000 suid=1000 fsuid=1000 egid=1000 sgid=1000 fsgid=1000 tty=(none) ses=2 comm="bench" exe="/usr/bin/bench" subj=unconfined key=(null)\n` +
        `type=PROCTITLE msg=audit(${stamp}): proctitle=2F7573722F62696E2F62656E6368002D2D6F6E6365\n` +
        `type=EOE msg=audit(${stamp}): \n`
      : '';
    if (!out.write(line + siblings)) await new Promise((r) => out.once('drain', r));
  }
  await new Promise((r) => out.end(r));
}

function procStat(pid) {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const ticks = Number(fields[11]) + Number(fields[12]); // utime + stime
    const rss = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return { cpuSeconds: ticks / 100, rss: rss ? Number(rss[1]) * 1024 : 0 };
  } catch {
    return undefined;
  }
}

const db = await createBenchDatabase('agent_bench');
const dir = mkdtempSync(join(tmpdir(), 'sandtrap-agent-bench-'));
const api = await startApi(db.url);
const pool = new pg.Pool({ connectionString: db.url, max: 1 });
let agent;
const containers = CONTAINER_SHARE > 0 ? startContainers(8) : { containers: [], remove: async () => {} };
try {
  const log = join(dir, 'audit.log');
  const prepared = join(dir, 'audit.log.prepared');
  await writeAuditLog(
    prepared,
    RECORDS,
    containers.containers.map((c) => c.pid),
  );
  writeFileSync(log, '');
  const host = `agent-bench-${randomBytes(3).toString('hex')}`;
  const created = await fetch(`${api.baseUrl}/v1/tokens`, {
    method: 'POST',
    headers: { authorization: `Bearer ${api.adminToken}`, 'content-type': 'application/json' },
    body: JSON.stringify({ name: 'agent-bench', role: 'ingest' }),
  });
  const { token } = await created.json();
  const config = join(dir, 'agent.yaml');
  writeFileSync(
    config,
    JSON.stringify({
      server: { url: api.baseUrl, enrollToken: token },
      host: { name: host },
      stateDir: join(dir, 'state'),
      spool: { maxBytes: 4 * 1024 * 1024 * 1024 },
      shipping: { batchSize: 5000, flushMs: 200 },
      metrics: { enabled: false },
      profiles: { enabled: false },
      sources: { auditd: { enabled: true, path: log, fromStart: true } },
    }),
  );
  // AGENT_NODE_FLAGS: V8 flags for the agent only (e.g. --max-semi-space-size=2).
  const flags = (process.env.AGENT_NODE_FLAGS ?? '').split(' ').filter(Boolean);
  agent = spawn(process.execPath, [...flags, AGENT, '--config', config], {
    env: { ...process.env, SANDTRAP_LOG_LEVEL: 'warn' },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  let peakRss = 0;
  let last;
  const sampler = setInterval(() => {
    const s = procStat(agent.pid);
    if (s) {
      last = s;
      peakRss = Math.max(peakRss, s.rss);
    }
  }, 200);
  while ((await pool.query('SELECT 1 FROM hosts WHERE name = $1', [host])).rowCount === 0) {
    if (agent.exitCode !== null) throw new Error(`the agent exited with ${agent.exitCode}`);
    await sleep(200);
  }
  await sleep(3000);
  const idle = procStat(agent.pid);
  renameSync(prepared, log);
  const started = Date.now();
  peakRss = 0;
  let stored = 0;
  while (stored < RECORDS) {
    if (agent.exitCode !== null) throw new Error(`the agent exited with ${agent.exitCode}`);
    if (Date.now() - started > 30 * 60_000) throw new Error(`timed out with ${stored} of ${RECORDS} stored`);
    await sleep(500);
    stored = Number((await pool.query('SELECT count(*) AS n FROM violations')).rows[0].n);
  }
  const seconds = (Date.now() - started) / 1000;
  clearInterval(sampler);
  const cpu = procStat(agent.pid) ?? last;
  const rate = RECORDS / seconds;
  let expectedInContainers = 0;
  for (let i = 0; i < RECORDS; i++) if (inContainer(i)) expectedInContainers++;
  const storedInContainers = Number(
    (
      await pool.query('SELECT count(*) AS n FROM violations WHERE container_id = ANY($1::text[])', [
        containers.containers.map((c) => c.id),
      ])
    ).rows[0].n,
  );
  const cpuSeconds = cpu.cpuSeconds - idle.cpuSeconds;
  const cpuPer10k = (cpuSeconds / RECORDS) * 10_000 * 100;
  console.log(
    JSON.stringify({
      bench: 'agent',
      records: RECORDS,
      stored,
      containerShare: CONTAINER_SHARE,
      siblingShare: SIBLING_SHARE,
      storedWithContainer: storedInContainers,
      seconds: Number(seconds.toFixed(1)),
      eventsPerSecond: Math.round(rate),
      agentIdleRssMb: Number((idle.rss / 1048576).toFixed(1)),
      agentPeakRssMb: Number((peakRss / 1048576).toFixed(1)),
      agentCpuSeconds: Number(cpuSeconds.toFixed(2)),
      agentNodeFlags: flags.join(' '),
      agentCpuPercentOfOneCorePer10kEventsPerSecond: Number(cpuPer10k.toFixed(1)),
      apiPeakRssMb: Number((api.peakRss() / 1048576).toFixed(1)),
    }),
  );
  if (stored !== RECORDS || storedInContainers !== expectedInContainers) process.exitCode = 1;
} finally {
  // SIGTERM first, so flags such as --cpu-prof can write their output on the agent's clean exit.
  if (agent && agent.exitCode === null && agent.signalCode === null) {
    const exited = new Promise((resolve) => agent.once('exit', resolve));
    agent.kill('SIGTERM');
    await Promise.race([exited, sleep(10_000)]);
    agent.kill('SIGKILL');
  }
  await containers.remove();
  await pool.end();
  await api.stop();
  await db.drop();
  rmSync(dir, { recursive: true, force: true });
}
