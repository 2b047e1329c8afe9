/**
 * Adapter from the built-in eBPF sensor's output (apps/agent/bpf/seccomp-sensor.bt, run by
 * bpftrace with `-f json` or in text mode) to SecurityEvent, one line at a time.
 *
 * Accepted lines:
 * - `{"type": "printf", "data": "sandtrap-bpf/1 ...\n"}` (bpftrace -f json), or the bare record;
 * - `{"type": "lost_events", "data": {"events": N}}` or `Lost N events`: `lost: N`, no event;
 * - other bpftrace chatter (`attached_probes`, `Attaching N probes...`, blank): no event.
 * Anything else is an error with a code; the next line is unaffected.
 *
 * Records (see the program's header):
 *   sandtrap-bpf/1 deny ts=NS pid=TGID tid=TID nr=ID ret=-ERRNO cgroup=ID comm=COMM
 *   sandtrap-bpf/1 sigsys ts=NS pid=TGID tid=TID nr=ID sig=31 code=1 handler=0|1 cgroup=ID comm=COMM
 *
 * Actions: a deny is an entry-less error exit. Seccomp ERRNO is by far the common cause, but a
 * TRACE or USER_NOTIF that denies looks the same, so it is reported as `errno` with
 * `details.inferredFrom`. A sigsys with a handler is `trap` (the process caught it and lives);
 * without one the default action ends the process, which is what KILL_PROCESS, the last
 * thread's KILL_THREAD and an uncaught TRAP all do: reported as `kill_process`.
 */
import { errnoName, resolveSyscall, signalName, X32_SYSCALL_BIT } from '@sandtrap/syscalls';
import {
  isBlockingAction,
  type EventAction,
  type EventSyscall,
  type SecurityEvent,
} from '../security-event.js';
import { boundRaw } from '../wire/bound-raw.js';

export interface BpfSensorAdapterOptions {
  host: string;
  bootId: string;
  /**
   * Wall-clock milliseconds at which the sensor's clock read zero. The program stamps events
   * with bpftrace `nsecs` (CLOCK_MONOTONIC), the clock of Node's `process.hrtime`, so:
   * `Date.now() - Number(process.hrtime.bigint()) / 1e6`.
   */
  bootTimeMs: number;
  /** The host's syscall arch as libs/syscalls spells it (`x86_64`, `aarch64`, ...). */
  arch: string;
}

export type BpfSensorErrorCode =
  'BPF_LINE_TOO_LONG' | 'BPF_BAD_JSON' | 'BPF_BAD_ENVELOPE' | 'BPF_UNKNOWN_LINE' | 'BPF_BAD_RECORD';

export interface BpfSensorError {
  code: BpfSensorErrorCode;
  message: string;
}

export type BpfSensorLineResult =
  { ok: true; event: SecurityEvent | null; lost?: number } | { ok: false; error: BpfSensorError };

export interface BpfSensorAdapter {
  adaptLine(line: string): BpfSensorLineResult;
}

/** Longer than any line the program prints (comm is at most 15 bytes); beyond it, garbage. */
export const BPF_SENSOR_MAX_LINE = 4096;

const RECORD_PREFIX = 'sandtrap-bpf/1 ';
const DENY_RE =
  /^sandtrap-bpf\/1 deny ts=(\d{1,20}) pid=(\d{1,10}) tid=(\d{1,10}) nr=(-?\d{1,10}) ret=(-\d{1,10}) cgroup=(\d{1,20}) comm=(.{0,64})$/su;
const SIGSYS_RE =
  /^sandtrap-bpf\/1 sigsys ts=(\d{1,20}) pid=(\d{1,10}) tid=(\d{1,10}) nr=(-?\d{1,10}) sig=(\d{1,3}) code=(-?\d{1,10}) handler=([01]) cgroup=(\d{1,20}) comm=(.{0,64})$/su;
const LOST_TEXT_RE = /^Lost (\d{1,19}) events$/;
const ATTACHING_TEXT_RE = /^Attaching \d+ probes?\.\.\.$/;
/** bpftrace -f json message types that carry nothing for us. */
const CHATTER_TYPES = new Set(['attached_probes', 'map', 'hist', 'stats', 'value', 'time', 'join']);
/** Kernel errnos are 1..4095 (MAX_ERRNO). */
const MAX_ERRNO = 4095;
const SYS_SECCOMP = 1;
const U64_MAX = (1n << 64n) - 1n;
const PID_MAX = 4_194_304; // PID_MAX_LIMIT

export function createBpfSensorAdapter(options: BpfSensorAdapterOptions): BpfSensorAdapter {
  if (!Number.isFinite(options.bootTimeMs)) {
    throw new RangeError(`bootTimeMs must be a finite number, got ${String(options.bootTimeMs)}`);
  }
  const bootMicros = BigInt(Math.round(options.bootTimeMs * 1000));
  return {
    adaptLine(line) {
      if (line.length > BPF_SENSOR_MAX_LINE) {
        return fail('BPF_LINE_TOO_LONG', `line of ${line.length} chars exceeds ${BPF_SENSOR_MAX_LINE}`);
      }
      const trimmed = line.replace(/\r?\n$/, '');
      if (trimmed.startsWith('{')) return adaptEnvelope(trimmed, line);
      return adaptText(trimmed, line);
    },
  };

  function adaptEnvelope(text: string, raw: string): BpfSensorLineResult {
    let message: unknown;
    try {
      message = JSON.parse(text);
    } catch (error) {
      return fail('BPF_BAD_JSON', `not JSON: ${(error as Error).message}`);
    }
    if (typeof message !== 'object' || message === null || Array.isArray(message)) {
      return fail('BPF_BAD_ENVELOPE', 'a bpftrace JSON message is an object');
    }
    const { type, data } = message as { type?: unknown; data?: unknown };
    if (type === 'printf') {
      if (typeof data !== 'string') return fail('BPF_BAD_ENVELOPE', 'printf data is not a string');
      // One printf per record, ending in exactly one newline; comm itself may hold one.
      const record = data.endsWith('\n') ? data.slice(0, -1) : data;
      return adaptRecord(record, raw);
    }
    if (type === 'lost_events') {
      const events = (data as { events?: unknown } | null)?.events;
      if (typeof events !== 'number' || !Number.isSafeInteger(events) || events < 0) {
        return fail('BPF_BAD_ENVELOPE', 'lost_events without a count');
      }
      return { ok: true, event: null, lost: events };
    }
    if (typeof type === 'string' && CHATTER_TYPES.has(type)) return { ok: true, event: null };
    return fail('BPF_BAD_ENVELOPE', `unexpected bpftrace message type ${JSON.stringify(type)}`);
  }

  function adaptText(text: string, raw: string): BpfSensorLineResult {
    if (text.startsWith(RECORD_PREFIX)) return adaptRecord(text, raw);
    if (text.trim() === '' || ATTACHING_TEXT_RE.test(text)) return { ok: true, event: null };
    const lost = LOST_TEXT_RE.exec(text);
    if (lost) {
      const count = Number(lost[1]);
      if (!Number.isSafeInteger(count)) return fail('BPF_BAD_RECORD', 'lost count out of range');
      return { ok: true, event: null, lost: count };
    }
    return fail('BPF_UNKNOWN_LINE', `not a sensor line: ${JSON.stringify(text.slice(0, 80))}`);
  }

  function adaptRecord(record: string, raw: string): BpfSensorLineResult {
    const deny = DENY_RE.exec(record);
    if (deny) {
      const [, ts, pid, tid, nr, ret, cgroup, comm] = deny;
      const common = commonFields(ts, pid, tid, nr, cgroup, comm);
      if (typeof common === 'string') return fail('BPF_BAD_RECORD', common);
      const errno = -Number(ret);
      if (!Number.isSafeInteger(errno) || errno < 1 || errno > MAX_ERRNO) {
        return fail('BPF_BAD_RECORD', `ret ${ret} is not -errno`);
      }
      return ok(
        common,
        'errno',
        raw,
        { errno: { nr: errno, name: errnoName(errno) } },
        { inferredFrom: 'sys_exit without sys_enter' },
      );
    }
    const sigsys = SIGSYS_RE.exec(record);
    if (sigsys) {
      const [, ts, pid, tid, nr, sig, code, handler, cgroup, comm] = sigsys;
      const common = commonFields(ts, pid, tid, nr, cgroup, comm);
      if (typeof common === 'string') return fail('BPF_BAD_RECORD', common);
      const signal = Number(sig);
      if (signal < 1 || signal > 64) return fail('BPF_BAD_RECORD', `sig ${sig} is not a signal`);
      if (Number(code) !== SYS_SECCOMP) return fail('BPF_BAD_RECORD', `code ${code} is not SYS_SECCOMP`);
      const caught = handler === '1';
      return ok(
        common,
        caught ? 'trap' : 'kill_process',
        raw,
        { signal: { nr: signal, name: signalName(signal) } },
        {
          sigsysHandler: caught,
          inferredFrom: caught ? 'SIGSYS caught by a handler' : 'SIGSYS with the default action',
        },
      );
    }
    return fail('BPF_BAD_RECORD', `malformed sensor record: ${JSON.stringify(record.slice(0, 80))}`);
  }

  function ok(
    common: CommonFields,
    action: EventAction,
    raw: string,
    extra: Pick<SecurityEvent, 'errno' | 'signal'>,
    details: Record<string, unknown>,
  ): BpfSensorLineResult {
    const event: SecurityEvent = {
      eventKey: `bpf:${options.bootId}:${common.tid}:${common.ts}`,
      observedAt: isoMicros(bootMicros + common.ts / 1000n),
      host: options.host,
      bootId: options.bootId,
      source: 'bpf',
      kind: 'seccomp',
      process: { pid: common.pid, tid: common.tid, comm: common.comm },
      syscall: syscallOf(options.arch, common.nr),
      action,
      ...extra,
      blocked: isBlockingAction(action),
      details: { cgroupId: common.cgroupId, ...details },
      raw: boundRaw(raw),
    };
    return { ok: true, event };
  }

  function commonFields(
    ts: string,
    pid: string,
    tid: string,
    nr: string,
    cgroup: string,
    comm: string,
  ): CommonFields | string {
    const tsNs = BigInt(ts);
    if (tsNs > U64_MAX) return `ts ${ts} out of range`;
    if (BigInt(cgroup) > U64_MAX) return `cgroup ${cgroup} out of range`;
    const pidN = Number(pid);
    const tidN = Number(tid);
    if (pidN < 1 || pidN > PID_MAX || tidN < 1 || tidN > PID_MAX) return `pid/tid ${pid}/${tid} out of range`;
    const nrN = Number(nr);
    if (nrN < -1 || nrN > 0x7fffffff) return `syscall nr ${nr} out of range`;
    return { ts: tsNs, pid: pidN, tid: tidN, nr: nrN, cgroupId: cgroup, comm };
  }
}

interface CommonFields {
  ts: bigint;
  pid: number;
  tid: number;
  nr: number;
  /** A u64, kept as a decimal string. */
  cgroupId: string;
  comm: string;
}

function fail(code: BpfSensorErrorCode, message: string): BpfSensorLineResult {
  return { ok: false, error: { code, message } };
}

/** ISO 8601 with microseconds; Date alone keeps only milliseconds. */
function isoMicros(micros: bigint): string {
  const millis = micros / 1000n;
  const iso = new Date(Number(millis)).toISOString(); // 2026-11-29T06:00:00.123Z
  const sub = (micros % 1000n).toString().padStart(3, '0');
  return `${iso.slice(0, -1)}${sub}Z`;
}

/**
 * The syscall as the task saw it. On x86_64 an x32 task's numbers carry 0x40000000, so they are
 * told apart here; ia32 tasks are not (the program does not see the compat flag) and are named
 * from the host table.
 */
function syscallOf(arch: string, nr: number): EventSyscall {
  if (nr === -1) return { arch, nr };
  if (arch === 'x86_64' && nr >= X32_SYSCALL_BIT) {
    return { arch: 'x32', nr, name: resolveSyscall('x32', nr), compat: true };
  }
  return { arch, nr, name: resolveSyscall(arch, nr) };
}
