import type { EventAction, EventSyscall } from '../security-event.js';
import { parseIsoTimestamp } from '../validation/observed-at.js';
import { AdapterError } from './adapter-error.js';
import { detailsOf } from './bounded-details.js';
import {
  asObject,
  defined,
  readBounded,
  readId,
  readPid,
  readString,
  type SourceObject,
} from './source-reader.js';
import { TetragonProcessCache, type TetragonProcessContext } from './tetragon-process-cache.js';
import type { AdaptedFields } from './tool-adapter.js';

/** Event types that are policy hits; the others only describe processes or are not ours. */
const VIOLATION_TYPES = ['process_kprobe', 'process_tracepoint', 'process_lsm', 'process_uprobe'] as const;

/** KprobeAction values as numbers, for exports that write enums as integers. */
const NUMERIC_ACTIONS: Record<number, string> = { 1: 'POST', 3: 'SIGKILL', 5: 'OVERRIDE', 10: 'SIGNAL' };

/** Tetragon's KprobeAction: only these change what the call did; the rest only report. */
export function tetragonAction(value: unknown): EventAction {
  const name =
    typeof value === 'number' ? (NUMERIC_ACTIONS[value] ?? '') : typeof value === 'string' ? value : '';
  switch (name.replace(/^KPROBE_ACTION_/, '')) {
    case 'SIGKILL':
      return 'sigkill';
    case 'OVERRIDE':
      return 'override';
    case 'SIGNAL':
      return 'signal';
    default:
      return 'alert';
  }
}

const SYSCALL_FUNCTION = /^__(x64|arm64|ia32|x32|riscv|s390x)_sys_([a-z0-9_]+)$/;
const FUNCTION_ARCH: Record<string, { arch: string; compat?: boolean }> = {
  x64: { arch: 'x86_64' },
  arm64: { arch: 'aarch64' },
  ia32: { arch: 'i386', compat: true },
  x32: { arch: 'x32' },
  riscv: { arch: 'riscv64' },
  s390x: { arch: 's390x' },
};

/** `__x64_sys_write` is the write syscall on x86_64; `sys_enter_openat` the openat tracepoint. */
function syscallOf(type: string, body: SourceObject): EventSyscall | undefined {
  if (type === 'process_tracepoint') {
    const event = readString(body.event, 128);
    if (readString(body.subsys, 64) === 'raw_syscalls' && (event === 'sys_enter' || event === 'sys_exit')) {
      // raw_syscalls/sys_enter: the first argument is the syscall number.
      const first = Array.isArray(body.args) ? asObject(body.args[0]) : undefined;
      const nr = readBounded(first?.long_arg ?? first?.int_arg ?? first?.size_arg, 0, 4294967295);
      return nr === undefined ? undefined : { nr };
    }
    const match = event === undefined ? null : /^sys_(?:enter|exit)_([a-z0-9_]+)$/.exec(event);
    return match === null ? undefined : { name: match[1] };
  }
  const fn = readString(body.function_name, 128);
  if (fn === undefined) return undefined;
  const match = SYSCALL_FUNCTION.exec(fn);
  if (match !== null) return { ...FUNCTION_ARCH[match[1]], name: match[2] };
  // A policy may hook `sys_NAME` itself (syscall: true); the arch prefix is then unknown.
  const bare = /^sys_([a-z0-9_]+)$/.exec(fn);
  return bare === null ? undefined : { name: bare[1] };
}

function cmdlineOf(process: SourceObject): string | undefined {
  const binary = readString(process.binary);
  const args = readString(process.arguments);
  if (binary === undefined) return undefined;
  return args === undefined ? binary : `${binary} ${args}`.slice(0, 4096);
}

/** `containerd://abc...` names the runtime; the id is what the other sources report. */
function containerId(value: unknown): string | undefined {
  const id = readString(value);
  return id?.replace(/^[a-z0-9-]+:\/\//, '');
}

export class TetragonAdapter {
  readonly cache: TetragonProcessCache;

  constructor(cache?: TetragonProcessCache) {
    this.cache = cache ?? new TetragonProcessCache();
  }

  adapt(json: SourceObject): AdaptedFields | null {
    const exec = asObject(json.process_exec);
    if (exec !== undefined) {
      this.rememberExec(exec);
      return null;
    }
    const type = VIOLATION_TYPES.find((name) => asObject(json[name]) !== undefined);
    if (type === undefined) {
      // process_exit, process_loader, rate_limit_info ...: valid Tetragon output, no violation.
      if (Object.keys(json).some((key) => key.startsWith('process_') || key === 'rate_limit_info'))
        return null;
      throw new AdapterError('unknown_event_type', 'tetragon: no process_* event in the object');
    }
    const body = asObject(json[type]) as SourceObject;
    const process = asObject(body.process);
    if (process === undefined) throw new AdapterError('missing_field', `tetragon: ${type} has no process`);
    if (typeof json.time !== 'string')
      throw new AdapterError('missing_field', 'tetragon: the event has no time');
    const time = parseIsoTimestamp(json.time);
    if (time === undefined)
      throw new AdapterError('invalid_field', 'tetragon: time is not an ISO 8601 timestamp');

    const execId = readString(process.exec_id, 512);
    const known = this.cache.lookup(execId);
    const parent = asObject(body.parent);
    const parentExecId = readString(process.parent_exec_id, 512);
    const ppid = readPid(parent?.pid) ?? this.cache.lookup(parentExecId)?.pid ?? known?.ppid;
    const credentials = asObject(process.process_credentials);
    const pod = asObject(process.pod);
    const container = asObject(pod?.container);
    const action = tetragonAction(body.action);
    return {
      sourceHost: readString(json.node_name, 253),
      observedAt: time.iso,
      kind: 'runtime',
      action,
      policy: readString(body.policy_name),
      signal: action === 'sigkill' ? { nr: 9, name: 'SIGKILL' } : undefined,
      process: defined({
        pid: readPid(process.pid) ?? known?.pid,
        tid: readPid(process.tid),
        ppid,
        uid: readId(process.uid),
        gid: readId(credentials?.gid),
        auid: readId(process.auid),
        exe: readString(process.binary) ?? known?.exe,
        cmdline: cmdlineOf(process) ?? known?.cmdline,
      }),
      container: defined({
        id: containerId(container?.id) ?? readString(process.docker),
        name: readString(container?.name),
        image: readString(asObject(container?.image)?.name),
        pod: readString(pod?.name),
        namespace: readString(pod?.namespace),
      }),
      syscall: syscallOf(type, body),
      details: detailsOf({
        type,
        execId,
        functionName: body.function_name,
        subsys: body.subsys,
        event: body.event,
        message: body.message,
        args: body.args,
        return: body.return,
        returnAction: body.return_action,
        action: body.action,
        tags: body.tags,
        workload: pod?.workload,
        workloadKind: pod?.workload_kind,
      }),
    };
  }

  private rememberExec(exec: SourceObject): void {
    const process = asObject(exec.process);
    const execId = readString(process?.exec_id, 512);
    if (process === undefined || execId === undefined) return;
    const context: TetragonProcessContext = {
      pid: readPid(process.pid),
      ppid: readPid(asObject(exec.parent)?.pid),
      exe: readString(process.binary),
      cmdline: cmdlineOf(process),
    };
    this.cache.remember(execId, context);
  }
}
