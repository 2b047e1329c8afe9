import { execFile, execFileSync } from 'node:child_process';
import {
  closeSync,
  constants,
  existsSync,
  mkdtempSync,
  openSync,
  readFileSync,
  readSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { holdKernelLock } from './kernel/kernel-lock.js';
import { parseAuditText, type AuditOutput } from '@sandtrap/audit';

/**
 * Comparison test: real SECCOMP records made on this kernel by test/kernel/seccomp-log-probe.c,
 * parsed by @sandtrap/audit and by `ausearch -i`; arch, syscall name and action must agree.
 * Records are read from audit.log when auditd runs, else from /dev/kmsg. The test does not start
 * auditd itself: on this shared machine that would reroute every other suite's kmsg records.
 */
const run = promisify(execFile);
const SOURCE = fileURLToPath(new URL('./kernel/seccomp-log-probe.c', import.meta.url));
const AUDIT_LOG = '/var/log/audit/audit.log';
const ROUNDS = 3;

function hasTool(name: string): boolean {
  try {
    execFileSync('sh', ['-c', `command -v ${name}`], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

function auditdRunning(): boolean {
  try {
    return /pid\s+[1-9]/.test(execFileSync('auditctl', ['-s'], { encoding: 'utf8' }));
  } catch {
    return false;
  }
}

const skipReason =
  process.getuid?.() !== 0
    ? 'not root: cannot read /dev/kmsg or audit.log'
    : !hasTool('gcc')
      ? 'gcc is not installed'
      : !hasTool('ausearch')
        ? 'ausearch (package auditd) is not installed'
        : undefined;
if (skipReason !== undefined) console.log(`kernel-audit: skipped: ${skipReason}`);

/** Every record in /dev/kmsg right now, without blocking at its end. */
function readKmsg(): string[] {
  const fd = openSync('/dev/kmsg', constants.O_RDONLY | constants.O_NONBLOCK);
  const buffer = Buffer.alloc(16384);
  const records: string[] = [];
  try {
    for (;;) {
      let n: number;
      try {
        n = readSync(fd, buffer, 0, buffer.length, null);
      } catch (error) {
        const code = (error as NodeJS.ErrnoException).code;
        if (code === 'EAGAIN') break;
        if (code === 'EPIPE') continue; // records overwritten while reading: go on from the next
        throw error;
      }
      // A record is `PRI,SEQ,USEC,FLAGS;text\n` plus continuation lines (` KEY=value`).
      records.push(buffer.toString('utf8', 0, n).split('\n')[0]);
    }
  } finally {
    closeSync(fd);
  }
  return records;
}

const ACTION_OF_AUSEARCH: Record<string, string> = {
  log: 'log',
  errno: 'errno',
  kill: 'kill_thread',
  'kill-process': 'kill_process',
  trap: 'trap',
  trace: 'trace',
  'user-notif': 'user_notif',
  allow: 'allow',
};

describe.skipIf(skipReason !== undefined)('kernel SECCOMP records: parser vs ausearch -i', () => {
  const dir = mkdtempSync(join(tmpdir(), 'sandtrap-kernel-audit-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('agrees with ausearch on arch, syscall and action of every record', async () => {
    const binary = join(dir, 'seccomp-log-probe');
    await run('gcc', ['-O1', '-Wall', '-Werror', '-o', binary, SOURCE]);
    const fromAuditd = auditdRunning();
    const { stdout } = await run(binary, [String(ROUNDS)]);
    const pid = Number(stdout.trim());
    expect(pid).toBeGreaterThan(0);

    // The kernel hands records to auditd or printk asynchronously: poll briefly.
    const mark = ` pid=${pid} `;
    let lines: string[] = [];
    for (let attempt = 0; attempt < 40 && lines.length < ROUNDS * 3; attempt++) {
      const all = fromAuditd ? readFileSync(AUDIT_LOG, 'utf8').split('\n') : readKmsg();
      lines = all.filter((l) => l.includes(mark) && (l.includes('type=SECCOMP') || l.includes('type=1326')));
      if (lines.length < ROUNDS * 3) await new Promise((r) => setTimeout(r, 50));
    }
    console.log(
      `kernel-audit: ${lines.length} records for pid ${pid} from ${fromAuditd ? AUDIT_LOG : '/dev/kmsg'}`,
    );
    expect(lines.length).toBe(ROUNDS * 3);

    // ausearch reads audit.log only; a kmsg record is the same text after `audit: type=1326 `.
    const auditLog = lines.map((l) => (fromAuditd ? l : `type=SECCOMP msg=${l.slice(l.indexOf('audit(1'))}`));
    const input = join(dir, 'audit.log');
    writeFileSync(input, `${auditLog.join('\n')}\n`);
    const reference = new Map<string, { arch: string; syscall: string; action: string }>();
    const { stdout: interpreted } = await run('ausearch', ['-i', '--input', input, '-m', 'SECCOMP']);
    for (const line of interpreted.split('\n')) {
      const m = /audit\([^)]*:(\d+)\) : .* arch=(\S+) syscall=(\S+) .* code=(\S+)/.exec(line);
      if (m) reference.set(m[1], { arch: m[2], syscall: m[3], action: ACTION_OF_AUSEARCH[m[4]] ?? m[4] });
    }
    expect(reference.size).toBe(ROUNDS * 3);

    const outputs: AuditOutput[] = parseAuditText(lines.join('\n'), { host: 'kernel-test' });
    const events = outputs.flatMap((o) => (o.type === 'event' ? [o.event] : []));
    expect(outputs.filter((o) => o.type === 'error')).toEqual([]);
    expect(events).toHaveLength(ROUNDS * 3);
    for (const event of events) {
      const serial = event.eventKey.split(':').pop() ?? '';
      expect({ serial, ...reference.get(serial) }).toEqual({
        serial,
        arch: event.syscall?.arch,
        syscall: event.syscall?.name,
        action: event.action,
      });
      expect(event.process?.pid).toBe(pid);
      expect(event.source).toBe(fromAuditd ? 'auditd' : 'kmsg');
    }
    const seen = new Set(events.map((e) => `${e.syscall?.name}:${e.action}`));
    expect(seen).toEqual(new Set(['getppid:log', 'uname:log', 'sched_yield:errno']));
    expect(existsSync(binary)).toBe(true);
  });
});

// Never overlap the other kernel suites (auditd takes the records from /dev/kmsg).
holdKernelLock();
