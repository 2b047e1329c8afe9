import { hostname } from 'node:os';
import { createBpfSensorAdapter, type SecurityEvent } from '@sandtrap/events';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { holdKernelLock } from './kernel/kernel-lock.js';
import { runProbe, type ProbeRun } from './kernel/run-probe.js';
import { startSensor, type RunningSensor } from './kernel/run-sensor.js';
import { sensorSkipReason, waitFor } from './kernel/sensor-requirements.js';

// Runs as root, as CI does: real bpftrace, real tracepoints, real seccomp filters.
const skipReason = await sensorSkipReason();
if (skipReason) console.log(`sensor-kernel: skipped: ${skipReason}`);

const BOOT_ID = 'sensor-kernel-test';
const ARCH = process.arch === 'arm64' ? 'aarch64' : 'x86_64';
/** Wall time of CLOCK_MONOTONIC zero: bpftrace's nsecs and process.hrtime share that clock. */
const monotonicZeroMs = () => Date.now() - Number(process.hrtime.bigint()) / 1e6;

describe.skipIf(skipReason !== undefined)('bpftrace seccomp sensor program on this kernel', () => {
  const adapter = createBpfSensorAdapter({
    host: hostname(),
    bootId: BOOT_ID,
    bootTimeMs: monotonicZeroMs(),
    arch: ARCH,
  });
  let sensor: RunningSensor;

  beforeAll(async () => {
    sensor = await startSensor();
  });

  afterAll(async () => {
    await sensor?.stop();
  });

  /** Events of the given pids, every line adapted; a line the adapter rejects fails the test. */
  function eventsOf(pids: number[]): SecurityEvent[] {
    const events: SecurityEvent[] = [];
    for (const line of sensor.lines) {
      const result = adapter.adaptLine(line);
      if (!result.ok) throw new Error(`sensor line rejected (${result.error.code}): ${line}`);
      if (result.event && pids.includes(result.event.process?.pid ?? -1)) events.push(result.event);
    }
    return events;
  }

  const pidsOf = (run: ProbeRun) => [run.pid, ...run.calls.map((c) => c.pid)];

  it('reports an unaudited ERRNO denial with its pid, tid, syscall and errno, and nothing else', async () => {
    const run = await runProbe('errno');
    const denied = run.calls.find((c) => c.expected === 'errno')!;
    const events = await waitFor(
      () => {
        const found = eventsOf(pidsOf(run));
        return found.length > 0 ? found : undefined;
      },
      10_000,
      'the errno denial',
    );
    // The allowed getppid and the allowed close(-1) that fails with EBADF are not reported.
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({
      source: 'bpf',
      kind: 'seccomp',
      action: 'errno',
      blocked: true,
      bootId: BOOT_ID,
      process: { pid: denied.pid, tid: denied.tid, comm: 'seccomp-probe' },
      syscall: { arch: ARCH, nr: denied.nr, name: 'personality' },
      errno: { nr: 1, name: 'EPERM' },
    });
    expect(events[0]!.eventKey).toMatch(new RegExp(`^bpf:${BOOT_ID}:${denied.tid}:\\d+$`));
    const observed = Date.parse(events[0]!.observedAt);
    expect(Math.abs(observed - Date.now())).toBeLessThan(15_000);
  });

  it('reports the denying thread, not the process leader, for a denial in a second thread', async () => {
    const run = await runProbe('errno-thread', { repeat: 3 });
    const denied = run.calls.filter((c) => c.expected === 'errno');
    const events = await waitFor(
      () => {
        const found = eventsOf(pidsOf(run));
        return found.length >= 3 ? found : undefined;
      },
      10_000,
      'three threaded denials',
    );
    expect(events).toHaveLength(3);
    for (const event of events) {
      expect(event.process).toMatchObject({ pid: run.pid, tid: denied[0]!.tid });
      expect(event.process?.tid).not.toBe(run.pid);
    }
    expect(new Set(events.map((e) => e.eventKey)).size).toBe(3);
  });

  it('also reports an ERRNO denial the kernel audits (FILTER_FLAG_LOG): uname', async () => {
    const run = await runProbe('errno-log');
    const events = await waitFor(
      () => {
        const found = eventsOf(pidsOf(run));
        return found.length > 0 ? found : undefined;
      },
      10_000,
      'the errno-log denial',
    );
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({
      action: 'errno',
      syscall: { name: 'uname' },
      errno: { name: 'EPERM' },
    });
  });

  it('reports SIGSYS of KILL_PROCESS as kill_process with the killed syscall', async () => {
    const run = await runProbe('kill');
    const killed = run.calls.find((c) => c.expected === 'kill_process')!;
    const events = await waitFor(
      () => {
        const found = eventsOf(pidsOf(run));
        return found.length > 0 ? found : undefined;
      },
      10_000,
      'the SIGSYS kill',
    );
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({
      action: 'kill_process',
      blocked: true,
      process: { pid: killed.pid, tid: killed.pid },
      signal: { nr: 31, name: 'SIGSYS' },
      syscall: { nr: killed.nr, name: 'getpgid' },
      details: { sigsysHandler: false },
    });
  });

  it('reports KILL_THREAD of the last thread as kill_process (the sensor cannot tell them apart)', async () => {
    const run = await runProbe('kill-thread');
    const killed = run.calls.find((c) => c.expected === 'kill_thread')!;
    const events = await waitFor(
      () => {
        const found = eventsOf(pidsOf(run));
        return found.length > 0 ? found : undefined;
      },
      10_000,
      'the SIGSYS of KILL_THREAD',
    );
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({
      action: 'kill_process',
      process: { pid: killed.pid },
      syscall: { name: 'getpgid' },
    });
  });

  it('reports a caught TRAP as trap', async () => {
    const run = await runProbe('trap', { repeat: 2 });
    const events = await waitFor(
      () => {
        const found = eventsOf(pidsOf(run));
        return found.length >= 2 ? found : undefined;
      },
      10_000,
      'two traps',
    );
    expect(events).toHaveLength(2);
    for (const event of events) {
      expect(event).toMatchObject({
        action: 'trap',
        syscall: { name: 'getsid' },
        details: { sigsysHandler: true },
      });
    }
  });

  it('stays quiet for LOG and for unfiltered processes, errors included', async () => {
    const log = await runProbe('log');
    const allow = await runProbe('allow', { repeat: 5 });
    // A later denial proves the sensor was still reporting when these ran.
    const marker = await runProbe('errno');
    await waitFor(
      () => (eventsOf(pidsOf(marker)).length > 0 ? true : undefined),
      10_000,
      'the marker denial',
    );
    expect(eventsOf([...pidsOf(log), ...pidsOf(allow)])).toEqual([]);
  });

  it('reports every denial of a burst or counts it lost', async () => {
    const burst = 20_000;
    const run = await runProbe('errno', { repeat: burst });
    const lostSoFar = () =>
      sensor.lines.reduce((sum, line) => sum + ((adapter.adaptLine(line) as { lost?: number }).lost ?? 0), 0);
    const events = await waitFor(
      () => {
        const found = eventsOf(pidsOf(run));
        return found.length + lostSoFar() >= burst ? found : undefined;
      },
      30_000,
      'the burst',
    );
    expect(events.length).toBeLessThanOrEqual(burst);
    expect(new Set(events.map((e) => e.eventKey)).size).toBe(events.length);
    console.log(`sensor-kernel: burst of ${burst}: ${events.length} reported, ${lostSoFar()} lost`);
  });
});

// Never overlap the other kernel suites (auditd takes the records from /dev/kmsg).
holdKernelLock();
