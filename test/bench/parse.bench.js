// Audit parsing: generates BENCH_RECORDS (default 1,000,000) SECCOMP records in mixed shapes
// (auditd, enriched, kmsg, dmesg, syslog, journald) and arches, then times, in one run:
//   1. the parser itself (AuditStreamParser.pushBytesTo over the file's bytes, one core; and
//      push over the lines as strings, for comparison with earlier runs),
//   2. the `sandtrap parse` CLI on the whole file,
//   3. `ausearch -i --input FILE -m SECCOMP` on the auditd-shaped records (all it reads),
//      and the CLI on that same auditd file (as it chooses its parse workers, then with 0
//      and with one per core), for the like-for-like ratio; wall clock and CPU seconds.
// The CLI's timed runs write to /dev/null (as hyperfine runs a command) and their events are
// counted from the summary line; one more run goes through a pipe to this process, which counts
// the lines it writes (they must be as many) and times that too: on two cores the counting
// competes with the CLI's threads. ausearch goes through a pipe (its records are counted; at its
// rate the counting costs nothing).
// Goals (DESIGN.md): parser >= 1,000,000 records/s; CLI >= 25x ausearch. Needs `npm run build`.
import { spawn, spawnSync } from 'node:child_process';
import { closeSync, createWriteStream, mkdtempSync, openSync, readFileSync, rmSync } from 'node:fs';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import {
  AuditStreamParser,
  newSeccompEventParts,
  pushAuditBytesTo,
  seccompEventParts,
} from '@sandtrap/audit';

const RECORDS = Number(process.env.BENCH_RECORDS ?? 1_000_000);
const cli = fileURLToPath(new URL('../../apps/cli/bin/sandtrap.js', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'sandtrap-parse-bench-'));
const mixedFile = join(dir, 'mixed.log');
const auditdFile = join(dir, 'audit.log');

// [AUDIT_ARCH, syscall numbers that exist there, compat]
const ARCHES = [
  ['c000003e', [0, 1, 41, 59, 110, 272, 435], 0],
  ['c00000b7', [63, 64, 198, 221, 435], 0],
  ['40000003', [3, 4, 11, 102, 120], 1],
  ['c000003e', [0x40000000 + 41, 0x40000000 + 1], 1],
  ['40000028', [3, 4, 281, 0xf0005], 0],
  ['c00000f3', [63, 198, 259], 0],
  ['c0000015', [3, 326], 0],
];
const CODES = ['0x7ffc0000', '0x50000', '0x80000000', '0x0', '0x30000', '0x7fc00000'];
const COMMS = ['"curl"', '"nginx"', '57656220436F6E74656E74', '"python3"'];

function record(i) {
  const [arch, nrs, compat] = ARCHES[i % ARCHES.length];
  const code = CODES[i % CODES.length];
  const sig = code === '0x80000000' || code === '0x0' ? 31 : 0;
  const sec = 1795900000 + Math.floor(i / 1000);
  const stamp = `${sec}.${String(i % 1000).padStart(3, '0')}:${i + 1}`;
  const subj = i % 5 === 0 ? ' subj==docker-default (enforce)' : '';
  const body = `auid=4294967295 uid=${1000 + (i % 7)} gid=1000 ses=4294967295${subj} pid=${2000 + (i % 30000)} comm=${COMMS[i % COMMS.length]} exe="/usr/bin/app${i % 13}" sig=${sig} arch=${arch} syscall=${nrs[i % nrs.length]} compat=${compat} ip=0x7f${(i * 4099).toString(16)} code=${code}`;
  return { stamp, body, usec: `${sec}${String(i % 1000).padStart(3, '0')}000`, serial: i + 1 };
}

function mixedLine(i, r) {
  switch (i % 6) {
    case 0:
      return `type=SECCOMP msg=audit(${r.stamp}): ${r.body}`;
    case 1:
      return `node=web-${i % 9} type=SECCOMP msg=audit(${r.stamp}): ${r.body}\x1dAUID="unset" UID="app" GID="app" ARCH=x86_64 SYSCALL=socket`;
    case 2:
      return `5,${i},${i * 17},-;audit: type=1326 audit(${r.stamp}): ${r.body}`;
    case 3:
      return `[ ${(i / 1000).toFixed(6)}] audit: type=1326 audit(${r.stamp}): ${r.body}`;
    case 4:
      return `Nov 29 06:00:01 db-${i % 4} kernel: [ 270.852] audit: type=1326 audit(${r.stamp}): ${r.body}`;
    default:
      return JSON.stringify({
        _TRANSPORT: 'audit',
        _AUDIT_TYPE: '1326',
        _AUDIT_ID: String(r.serial),
        _HOSTNAME: 'j-1',
        _BOOT_ID: '6c1f2a7e8b9d4e3fa1b2c3d4e5f6a7b8',
        _SOURCE_REALTIME_TIMESTAMP: r.usec,
        MESSAGE: `SECCOMP ${r.body}`,
      });
  }
}

async function writeFiles() {
  const mixed = createWriteStream(mixedFile);
  const auditd = createWriteStream(auditdFile);
  let auditdCount = 0;
  const write = (stream, text) =>
    stream.write(text) ? undefined : new Promise((resolve) => stream.once('drain', resolve));
  let mixedBuf = '';
  let auditdBuf = '';
  for (let i = 0; i < RECORDS; i++) {
    const r = record(i);
    mixedBuf += `${mixedLine(i, r)}\n`;
    // Every record also goes to the auditd-only file ausearch can read, in plain auditd shape.
    auditdBuf += `type=SECCOMP msg=audit(${r.stamp}): ${r.body}\n`;
    auditdCount++;
    if (mixedBuf.length > 1 << 20) {
      await write(mixed, mixedBuf);
      await write(auditd, auditdBuf);
      mixedBuf = '';
      auditdBuf = '';
    }
  }
  await write(mixed, mixedBuf);
  await write(auditd, auditdBuf);
  await Promise.all([new Promise((r) => mixed.end(r)), new Promise((r) => auditd.end(r))]);
  return auditdCount;
}

// Wall clock and CPU seconds (user + sys, from /usr/bin/time: all threads of the child).
// stdout: 'pipe' (its lines counted here) or 'null' (to /dev/null, lines NaN).
function timed(command, args, env = {}, stdout = 'pipe') {
  return new Promise((resolve, reject) => {
    const devNull = stdout === 'null' ? openSync('/dev/null', 'w') : undefined;
    const start = performance.now();
    const child = spawn('/usr/bin/time', ['-f', 'cpu %U %S', command, ...args], {
      stdio: ['ignore', devNull ?? 'pipe', 'pipe'],
      env: { ...process.env, ...env },
    });
    if (devNull !== undefined) closeSync(devNull);
    let lines = devNull === undefined ? 0 : NaN;
    let stderr = '';
    child.stdout?.on('data', (chunk) => {
      for (let i = chunk.indexOf(10); i >= 0; i = chunk.indexOf(10, i + 1)) lines++;
    });
    child.stderr.on('data', (chunk) => (stderr = (stderr + chunk.toString()).slice(-2000)));
    child.on('error', reject);
    child.on('close', (status) => {
      const cpu = /cpu ([\d.]+) ([\d.]+)\s*$/.exec(stderr);
      resolve({
        seconds: (performance.now() - start) / 1000,
        cpu: cpu === null ? NaN : Number(cpu[1]) + Number(cpu[2]),
        lines,
        status,
        stderr,
      });
    });
  });
}

const rate = (n, s) => Math.round(n / s);
const fmt = (n) => n.toLocaleString('en-US');

// The machine is shared: every figure goes with the load average it was measured under.
const load = () =>
  loadavg()
    .map((l) => l.toFixed(2))
    .join(' ');
if (process.env.BENCH_PARSER_FILE !== undefined) {
  // The parser section alone, on a file generated by the parent (see section 1).
  rmSync(dir, { recursive: true, force: true });
  console.log(`PARSER_RATE ${parserFigures(process.env.BENCH_PARSER_FILE)}`);
  process.exit(0);
}
console.log(`load average at start: ${load()}`);
const genStart = performance.now();
const auditdRecords = await writeFiles();
console.log(
  `generated ${fmt(RECORDS)} mixed records in ${((performance.now() - genStart) / 1000).toFixed(1)} s`,
);

// 1. The parser itself over the file's bytes in memory, as the CLI's parse workers read them
// (AuditStreamParser.pushBytesTo, one clock reading): every event made into the flat parts the
// CLI writes its JSON from (seccompEventParts: every field resolved and checked), not written.
// Run in a fresh process (this file with BENCH_PARSER_FILE set), as the CLI is: in this one,
// the heap the generator leaves behind made the figure swing by 30% from run to run.
function parserFigures(file) {
  const bytes = readFileSync(file);
  const parser = new AuditStreamParser({ host: 'bench' });
  const parts = newSeccompEventParts();
  let events = 0;
  let errors = 0;
  const sink = {
    event(record, raw, sibling, _line, defaults) {
      seccompEventParts(record, raw, sibling, defaults, parts);
      events++;
    },
    error() {
      errors++;
    },
    lost() {
      errors++;
    },
  };
  const parseStart = performance.now();
  const parseCpu = process.cpuUsage();
  pushAuditBytesTo(parser, sink, bytes);
  parser.flushTo(sink);
  const parseSeconds = (performance.now() - parseStart) / 1000;
  const { user, system } = process.cpuUsage(parseCpu);
  // CPU seconds of this process (GC threads included): what one core would need with no one else on it.
  const parseCpuSeconds = (user + system) / 1e6;
  if (events !== RECORDS || errors !== 0)
    throw new Error(`parser gave ${events} events and ${errors} errors`);
  const parserRate = rate(events, parseSeconds);
  console.log(
    `parser (bytes): ${fmt(events)} events in ${parseSeconds.toFixed(2)} s = ${fmt(parserRate)} records/s ` +
      `(${parseCpuSeconds.toFixed(2)} CPU s = ${fmt(rate(events, parseCpuSeconds))} records per CPU second)`,
  );

  // 1b. For comparison with earlier runs: AuditStreamParser.push over the lines as strings, each
  // event built as a SecurityEvent object.
  const lines = bytes.toString('latin1').split('\n');
  lines.pop();
  const stringParser = new AuditStreamParser({ host: 'bench' });
  let pushEvents = 0;
  const pushStart = performance.now();
  const pushCpu = process.cpuUsage();
  for (const line of lines) for (const o of stringParser.push(line)) if (o.type === 'event') pushEvents++;
  for (const o of stringParser.flush()) if (o.type === 'event') pushEvents++;
  const pushSeconds = (performance.now() - pushStart) / 1000;
  const pushCpuSeconds = (({ user: u, system: s }) => (u + s) / 1e6)(process.cpuUsage(pushCpu));
  lines.length = 0;
  if (pushEvents !== RECORDS) throw new Error(`push gave ${pushEvents} events`);
  console.log(
    `parser (push, strings, SecurityEvent objects): ${pushSeconds.toFixed(2)} s = ${fmt(rate(pushEvents, pushSeconds))} records/s ` +
      `(${pushCpuSeconds.toFixed(2)} CPU s = ${fmt(rate(pushEvents, pushCpuSeconds))} records per CPU second)`,
  );
  return parserRate;
}
const parserRun = spawnSync(process.execPath, [fileURLToPath(import.meta.url)], {
  env: { ...process.env, BENCH_PARSER_FILE: mixedFile },
  encoding: 'utf8',
  stdio: ['ignore', 'pipe', 'inherit'],
});
process.stdout.write(parserRun.stdout.replace(/^PARSER_RATE .*\n/m, ''));
const parserRate = Number(/^PARSER_RATE (\d+)$/m.exec(parserRun.stdout)?.[1]);
if (parserRun.status !== 0 || !Number.isFinite(parserRate)) throw new Error('the parser run failed');

/** The CLI on `file`, its output to /dev/null; its events as its summary line counts them. */
async function cliRun(file, env = {}) {
  const r = await timed(process.execPath, [cli, 'parse', '--host', 'bench', file], env, 'null');
  const parsed = /parsed (\d+), skipped (\d+), errors (\d+)/.exec(r.stderr);
  if (r.status !== 0 || parsed === null || Number(parsed[1]) !== RECORDS || Number(parsed[3]) !== 0)
    throw new Error(`CLI on ${file} (${JSON.stringify(env)}): exit ${r.status}, ${r.stderr}`);
  return { ...r, events: Number(parsed[1]) };
}

// 2. The CLI on the mixed file.
const cliMixed = await cliRun(mixedFile);
const cliMixedRate = rate(cliMixed.events, cliMixed.seconds);
console.log(
  `cli (mixed): ${fmt(cliMixed.events)} events in ${cliMixed.seconds.toFixed(2)} s = ${fmt(cliMixedRate)} records/s (${cliMixed.cpu.toFixed(2)} CPU s)`,
);

// 3. ausearch and the CLI on the same auditd records.
// Three runs, the median taken for the ratio: one run can meet a busy moment of the machine.
const cliAudits = [await cliRun(auditdFile), await cliRun(auditdFile), await cliRun(auditdFile)];
const cliAudit = [...cliAudits].sort((a, b) => a.seconds - b.seconds)[1];
const cliAuditRate = rate(cliAudit.events, cliAudit.seconds);
console.log(
  `cli (auditd, median of 3 runs: ${cliAudits.map((r) => r.seconds.toFixed(2)).join(', ')} s): ` +
    `${fmt(cliAudit.events)} events in ${cliAudit.seconds.toFixed(2)} s = ${fmt(cliAuditRate)} records/s (${cliAudit.cpu.toFixed(2)} CPU s)`,
);
// Through a pipe to this process, which counts the lines: one per event.
const cliPiped = await timed(process.execPath, [cli, 'parse', '--host', 'bench', auditdFile]);
if (cliPiped.status !== 0 || cliPiped.lines !== cliAudit.events)
  throw new Error(`CLI through a pipe wrote ${cliPiped.lines} lines: ${cliPiped.stderr}`);
const cliPipedRate = rate(cliPiped.lines, cliPiped.seconds);
console.log(
  `cli (auditd, through a pipe, lines counted): ${fmt(cliPiped.lines)} lines in ${cliPiped.seconds.toFixed(2)} s = ${fmt(cliPipedRate)} records/s (${cliPiped.cpu.toFixed(2)} CPU s)`,
);
// The CLI chooses its parse workers by the load average: run it both ways for comparison.
const cliOne = await cliRun(auditdFile, { SANDTRAP_PARSE_WORKERS: '0' });
const cores = availableParallelism();
const cliMany = await cliRun(auditdFile, { SANDTRAP_PARSE_WORKERS: String(Math.min(cores, 4)) });
for (const [name, r] of [
  ['SANDTRAP_PARSE_WORKERS=0', cliOne],
  [`SANDTRAP_PARSE_WORKERS=${Math.min(cores, 4)}`, cliMany],
]) {
  console.log(
    `cli (auditd, ${name}): ${r.seconds.toFixed(2)} s = ${fmt(rate(r.events, r.seconds))} records/s (${r.cpu.toFixed(2)} CPU s)`,
  );
}
const ausearch = await timed('ausearch', ['-i', '--input', auditdFile, '-m', 'SECCOMP']);
// ausearch -i prints a `----` separator and one line per record.
const ausearchRecords = Math.floor(ausearch.lines / 2);
if (ausearch.status !== 0 || ausearchRecords !== auditdRecords) {
  throw new Error(`ausearch exit ${ausearch.status}, ${ausearchRecords} records: ${ausearch.stderr}`);
}
const ausearchRate = rate(ausearchRecords, ausearch.seconds);
console.log(
  `ausearch -i: ${fmt(ausearchRecords)} records in ${ausearch.seconds.toFixed(2)} s = ${fmt(ausearchRate)} records/s (${ausearch.cpu.toFixed(2)} CPU s)`,
);
console.log(
  `ratios: cli/ausearch (same auditd file) ${(cliAuditRate / ausearchRate).toFixed(1)}x ` +
    `(through a pipe counted here: ${(cliPipedRate / ausearchRate).toFixed(1)}x), ` +
    `cli mixed/ausearch ${(cliMixedRate / ausearchRate).toFixed(1)}x, ` +
    `in CPU seconds ${(ausearch.cpu / cliAudit.cpu).toFixed(1)}x (workers 0: ${(ausearch.cpu / cliOne.cpu).toFixed(1)}x, ${Math.min(cores, 4)}: ${(ausearch.cpu / cliMany.cpu).toFixed(1)}x); parser goal 1,000,000/s: ${parserRate >= 1e6 ? 'met' : 'NOT met'}; ` +
    `CLI goal 25x: ${cliAuditRate / ausearchRate >= 25 ? 'met' : 'NOT met'}`,
);
console.log(`load average at end: ${load()}`);
rmSync(dir, { recursive: true, force: true });
