// validateSecurityEvent on the ingest hot path: batches of 10,000 parsed NDJSON events (as one
// /v1/ingest/events request carries), and each eBPF tool adapter on a realistic line. Runs on the
// built lib (npm run build first). BENCH_ROUNDS sets the number of batches.
import { performance } from 'node:perf_hooks';
import { createToolAdapter, serializeSecurityEvent, validateSecurityEvent } from '@sandtrap/events';

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 20);
const BATCH = 10_000;

function makeEvent(i) {
  return {
    eventKey: `6c1f2a7e:${1772452800 + i}.123:${i}`,
    observedAt: `2026-03-02T09:${String(i % 60).padStart(2, '0')}:00.${String(i % 1e6).padStart(6, '0')}Z`,
    host: `worker-${i % 50}`,
    bootId: '6c1f2a7e-8b9d-4e3f-a1b2-c3d4e5f6a7b8',
    source: 'kmsg',
    kind: 'seccomp',
    process: {
      pid: 4000 + (i % 1000),
      tid: 4000 + (i % 1000),
      uid: 1000,
      gid: 1000,
      auid: 4294967295,
      ses: 3,
      comm: 'curl',
      exe: '/usr/bin/curl',
    },
    syscall: { arch: 'x86_64', nr: 272, name: 'unshare', compat: false },
    action: i % 3 === 0 ? 'log' : 'errno',
    errno: { nr: 1, name: 'EPERM' },
    raw: 'audit: type=1326 audit(1772452800.123:4411): auid=4294967295 uid=1000 gid=1000 ses=3 pid=4217 comm="curl" exe="/usr/bin/curl" sig=0 arch=c000003e syscall=272 compat=0 ip=0x7f code=0x50001',
  };
}

const lines = Array.from({ length: BATCH }, (_, i) => JSON.stringify(makeEvent(i)));
const options = { now: () => Date.UTC(2026, 2, 2, 12) };
let accepted = 0;
const start = performance.now();
for (let round = 0; round < ROUNDS; round++) {
  for (const line of lines) if (validateSecurityEvent(JSON.parse(line), options).ok) accepted++;
}
const parseAndValidate = performance.now() - start;
const parsed = lines.map((line) => JSON.parse(line));
const start2 = performance.now();
const cpu2 = process.cpuUsage();
for (let round = 0; round < ROUNDS; round++)
  for (const event of parsed) validateSecurityEvent(event, options);
const validateOnly = performance.now() - start2;
const validateCpuMs = process.cpuUsage(cpu2).user / 1000;
const start3 = performance.now();
for (let round = 0; round < ROUNDS; round++) for (const event of parsed) serializeSecurityEvent(event);
const serialize = performance.now() - start3;
const total = ROUNDS * BATCH;
if (accepted !== total) throw new Error(`only ${accepted} of ${total} events were accepted`);
console.log(
  `validate: ${Math.round(total / (validateOnly / 1000))} events/s (${(validateOnly / ROUNDS).toFixed(1)} ms per 10,000)`,
);
// CPU time as well: on a shared machine the wall clock also counts other processes' turns.
console.log(`validate: ${Math.round(total / (validateCpuMs / 1000))} events per CPU-second`);
console.log(`JSON.parse + validate: ${Math.round(total / (parseAndValidate / 1000))} events/s`);
console.log(`serialize: ${Math.round(total / (serialize / 1000))} events/s`);

const toolLines = {
  falco: JSON.stringify({
    hostname: 'n1',
    output: 'x',
    priority: 'Warning',
    rule: 'Read sensitive file',
    source: 'syscall',
    time: '2026-03-02T09:21:00.000100200Z',
    output_fields: {
      'container.id': 'abc',
      'evt.type': 'openat',
      'proc.cmdline': 'cat /etc/shadow',
      'proc.name': 'cat',
      'proc.pid': 4217,
      'user.uid': 0,
    },
  }),
  'inspektor-gadget': JSON.stringify({
    k8s: { node: 'n1', namespace: 'qa', podName: 'p' },
    runtime: { containerId: 'c', containerName: 'n' },
    timestamp: '2026-03-02T04:30:00.123456789-05:00',
    proc: { comm: 'unshare', pid: 30211, tid: 30212, creds: { uid: 0, gid: 0 } },
    syscall: 'SYS_UNSHARE',
    syscall_raw: 272,
    code: 'SECCOMP_RET_KILL_THREAD',
  }),
};
for (const [tool, line] of Object.entries(toolLines)) {
  const adapter = createToolAdapter(tool);
  const n = ROUNDS * 2000;
  const t = performance.now();
  for (let i = 0; i < n; i++) if (!adapter.adaptLine(line).ok) throw new Error(`${tool} line refused`);
  console.log(`${tool} adaptLine: ${Math.round(n / ((performance.now() - t) / 1000))} lines/s`);
}
