import { randomBytes } from 'node:crypto';
import { appendFileSync, chmodSync, readFileSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { holdKernelLock } from './kernel/kernel-lock.js';
import { AgentStack, agentMetric, auditdRunning, freePort, until } from './agent-support.js';
import { runProbe } from './kernel/run-probe.js';

/**
 * Issue 4: "Where both kmsg and journald see the same record, it is stored once." A real SECCOMP
 * record of this kernel reaches the spawned agent through its kmsg source, and the same record,
 * written as journald writes it (`journalctl -o json`, audit transport: `_AUDIT_ID`,
 * `_SOURCE_REALTIME_TIMESTAMP`, a bare-hex `_BOOT_ID`, the machine's `_HOSTNAME`), through its
 * journald source. systemd-journald does not run on this machine, so a stand-in journalctl on the
 * agent's PATH follows a file the test appends to. Both copies must derive one event key.
 */
const skipReason = process.getuid?.() !== 0 ? 'not root: cannot read /dev/kmsg' : undefined;
if (skipReason !== undefined) console.log(`agent-kmsg-journald: skipped: ${skipReason}`);

/** The journald entry (audit transport) of one kmsg audit line, as systemd-journald builds it. */
function journalEntry(kmsgRaw: string, bootId: string, cursor: number): string {
  const match = /audit: type=(\d+) audit\((\d+)\.(\d{3}):(\d+)\): (.*)$/.exec(kmsgRaw);
  if (!match) throw new Error(`not a kmsg audit line: ${kmsgRaw}`);
  const [, type, sec, msec, serial, body] = match;
  return JSON.stringify({
    __CURSOR: `s=stand-in;i=${cursor}`,
    __REALTIME_TIMESTAMP: String(Date.now() * 1000),
    _BOOT_ID: bootId.replaceAll('-', ''),
    _HOSTNAME: hostname(),
    _TRANSPORT: 'audit',
    SYSLOG_FACILITY: '4',
    _AUDIT_TYPE: type,
    _AUDIT_TYPE_NAME: 'SECCOMP',
    _AUDIT_ID: serial,
    _SOURCE_REALTIME_TIMESTAMP: String(BigInt(sec) * 1_000_000n + BigInt(msec) * 1000n),
    MESSAGE: `SECCOMP ${body}`,
  });
}

describe.skipIf(skipReason !== undefined)('agent with kmsg and journald sources', () => {
  let stack: AgentStack | undefined;
  let feed: string;
  let metricsPort: number;
  const host = `agent-dedupe-${randomBytes(4).toString('hex')}`;
  const bootId = readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').trim();

  beforeAll(async () => {
    if (auditdRunning()) return;
    stack = await AgentStack.start('agent-kmsg-journald');
    feed = join(stack.dir, 'journal.json');
    writeFileSync(feed, '');
    const journalctl = join(stack.dir, 'journalctl');
    writeFileSync(journalctl, `#!/bin/sh\nexec tail -n +1 -f ${feed}\n`);
    chmodSync(journalctl, 0o755);
    metricsPort = await freePort();
    const fields = {
      metrics: { enabled: true, listen: `127.0.0.1:${metricsPort}` },
      sources: { kmsg: { enabled: true }, journald: { enabled: true } },
    };
    await stack.startAgent(host, fields, { PATH: `${stack.dir}:${process.env.PATH ?? ''}` });
    await sleep(500);
  });
  afterAll(async () => {
    await stack?.stop();
  });

  it('stores a record that kmsg and journald both deliver once', async (ctx) => {
    if (!stack) return ctx.skip('auditd is running: SECCOMP records go to audit.log, not /dev/kmsg');
    const live = stack;
    const run = await runProbe('log');
    const logged = run.calls.filter((call) => call.expected === 'log');
    expect(logged).toHaveLength(1);
    const [fromKmsg] = await until('the kmsg copy', async () => {
      const rows = await live.violations(host, [run.pid]);
      return rows.length > 0 ? rows : undefined;
    });
    expect(fromKmsg).toMatchObject({ source: 'kmsg', syscall_name: logged[0].syscall, action: 'log' });

    appendFileSync(feed, `${journalEntry(fromKmsg.raw, bootId, 1)}\n`);
    const read = (source: string) =>
      agentMetric(metricsPort, `sandtrap_agent_events_read_total{source="${source}"}`);
    await until('the journald copy to be read', async () =>
      (await read('journald')) === 1 ? true : undefined,
    );
    await until('the journald copy to be answered as a duplicate', async () =>
      (await agentMetric(metricsPort, 'sandtrap_agent_events_duplicate_total')) === 1 ? true : undefined,
    );
    expect(await read('kmsg')).toBeGreaterThanOrEqual(1);
    expect(await agentMetric(metricsPort, 'sandtrap_agent_spool_depth')).toBe(0);
    expect(await agentMetric(metricsPort, 'sandtrap_agent_events_dropped_total')).toBe(0);
    const stored = await live.violations(host, [run.pid]);
    expect(stored.map((r) => [r.event_key, r.source, r.syscall_name, r.action])).toEqual([
      [fromKmsg.event_key, 'kmsg', logged[0].syscall, 'log'],
    ]);
    expect(fromKmsg.event_key.startsWith(`${bootId}:`)).toBe(true);
  }, 90_000);
});

// Never overlap the other kernel suites (auditd takes the records from /dev/kmsg).
holdKernelLock();
