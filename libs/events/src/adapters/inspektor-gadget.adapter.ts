import type { EventAction } from '../security-event.js';
import { fromEpochNanos, parseIsoTimestamp, type NormalisedTime } from '../validation/observed-at.js';
import { AdapterError } from './adapter-error.js';
import { detailsOf } from './bounded-details.js';
import {
  asObject,
  defined,
  readBounded,
  readId,
  readNanosExact,
  readPid,
  readString,
  type SourceObject,
} from './source-reader.js';
import type { AdaptedFields, AdapterContext } from './tool-adapter.js';

/**
 * `audit_seccomp` spells the seccomp return code `SECCOMP_RET_KILL_THREAD` (image-based gadget)
 * or `kill_thread` (the v0.x built-in gadget). Both name the kernel's actions.
 */
const SECCOMP_CODES: Record<string, EventAction> = {
  kill_process: 'kill_process',
  kill_thread: 'kill_thread',
  kill: 'kill_thread',
  trap: 'trap',
  errno: 'errno',
  user_notif: 'user_notif',
  trace: 'trace',
  log: 'log',
  allow: 'allow',
};

export function seccompCodeAction(code: string): EventAction | undefined {
  const key = code.toLowerCase().replace(/^seccomp_ret_/, '');
  return Object.hasOwn(SECCOMP_CODES, key) ? SECCOMP_CODES[key] : undefined;
}

/** SECCOMP_RET_* action values (the top 16 bits of a filter's return), for `code_raw`. */
const SECCOMP_RET_ACTIONS: ReadonlyMap<number, EventAction> = new Map<number, EventAction>([
  [0x80000000, 'kill_process'],
  [0x00000000, 'kill_thread'],
  [0x00030000, 'trap'],
  [0x00050000, 'errno'],
  [0x7fc00000, 'user_notif'],
  [0x7ff00000, 'trace'],
  [0x7ffc0000, 'log'],
  [0x7fff0000, 'allow'],
]);

/** The action of a raw return value; the low 16 bits (errno, trace data) do not matter. */
export function seccompRawAction(value: unknown): EventAction | undefined {
  const raw = readBounded(value, 0, 0xffffffff);
  return raw === undefined ? undefined : SECCOMP_RET_ACTIONS.get((raw & 0xffff0000) >>> 0);
}

function observedAt(
  json: SourceObject,
  context: AdapterContext,
  raw: string | undefined,
): { time: NormalisedTime; fromReceipt: boolean } {
  if (typeof json.timestamp === 'string') {
    const time = parseIsoTimestamp(json.timestamp);
    if (time !== undefined) return { time, fromReceipt: false };
  }
  const nanos =
    readNanosExact(json.timestamp_raw, raw, 'timestamp_raw') ??
    readNanosExact(json.timestamp, raw, 'timestamp');
  const time = nanos === undefined ? undefined : fromEpochNanos(nanos);
  if (time !== undefined) return { time, fromReceipt: false };
  if (json.timestamp !== undefined || json.timestamp_raw !== undefined) {
    throw new AdapterError(
      'invalid_field',
      'inspektor-gadget: timestamp is neither ISO 8601 nor nanoseconds',
    );
  }
  // The v0.x gadget wrote no time at all: the receipt time is the best there is (said in details).
  const receipt = fromEpochNanos(BigInt(Math.trunc(context.now())) * 1_000_000n);
  if (receipt === undefined)
    throw new AdapterError('invalid_field', 'inspektor-gadget: the clock is out of range');
  return { time: receipt, fromReceipt: true };
}

/** `SYS_UNSHARE` (current gadget) or `unshare` (v0.x) both name the unshare syscall. */
function syscallName(value: unknown): string | undefined {
  const name = readString(value, 128);
  if (name === undefined) return undefined;
  const bare = name.replace(/^SYS_/, '').toLowerCase();
  return /^[a-z0-9_]+$/.test(bare) ? bare : undefined;
}

/** Inspektor Gadget's `audit_seccomp` gadget: a seccomp filter decided (kind `seccomp`). */
export function adaptInspektorGadget(
  json: SourceObject,
  context: AdapterContext,
  raw?: string,
): AdaptedFields {
  const codeText = readString(json.code, 64);
  const action = codeText === undefined ? seccompRawAction(json.code_raw) : seccompCodeAction(codeText);
  if (codeText === undefined && action === undefined) {
    throw new AdapterError(
      'missing_field',
      'inspektor-gadget: the event has no code (not an audit_seccomp event?)',
    );
  }
  if (action === undefined) {
    throw new AdapterError(
      'unknown_action',
      `inspektor-gadget: unknown seccomp code ${JSON.stringify(codeText)}`,
    );
  }
  const proc = asObject(json.proc);
  const creds = asObject(proc?.creds);
  const parent = asObject(proc?.parent);
  const runtime = asObject(json.runtime);
  const k8s = asObject(json.k8s);
  const { time, fromReceipt } = observedAt(json, context, raw);
  const name = syscallName(json.syscall);
  const nr = readBounded(json.syscall_raw, 0, 4294967295);
  return {
    sourceHost: readString(k8s?.node, 253) ?? readString(json.node, 253),
    observedAt: time.iso,
    kind: 'seccomp',
    action,
    process: defined({
      pid: readPid(proc?.pid) ?? readPid(json.pid),
      tid: readPid(proc?.tid) ?? readPid(json.tid),
      ppid: readPid(parent?.pid) ?? readPid(json.ppid),
      uid: readId(creds?.uid) ?? readId(json.uid),
      gid: readId(creds?.gid) ?? readId(json.gid),
      comm: readString(proc?.comm) ?? readString(json.comm) ?? readString(json.pcomm),
    }),
    container: defined({
      id: readString(runtime?.containerId),
      name:
        readString(runtime?.containerName) ?? readString(k8s?.containerName) ?? readString(json.container),
      image: readString(runtime?.containerImageName),
      pod: readString(k8s?.podName) ?? readString(json.pod),
      namespace: readString(k8s?.namespace) ?? readString(json.namespace),
    }),
    syscall: name === undefined && nr === undefined ? undefined : defined({ nr, name }),
    details: detailsOf({
      code: codeText,
      codeRaw: json.code_raw,
      mountNamespace: proc?.mntns_id ?? json.mntns ?? json.mountnsid,
      parentComm: parent?.comm,
      runtimeName: runtime?.runtimeName,
      imageDigest: runtime?.containerImageDigest,
      observedAtFrom: fromReceipt ? 'receipt' : undefined,
    }),
  };
}
