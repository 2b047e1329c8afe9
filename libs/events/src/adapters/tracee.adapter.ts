import type { EventContainer, EventProcess } from '../security-event.js';
import { fromEpochNanos, fromSecondsAndNanos, parseIsoTimestamp } from '../validation/observed-at.js';
import { AdapterError } from './adapter-error.js';
import { detailsOf } from './bounded-details.js';
import {
  asObject,
  defined,
  readId,
  readInteger,
  readNanosExact,
  readPid,
  readString,
  type SourceObject,
} from './source-reader.js';
import type { AdaptedFields } from './tool-adapter.js';

/** Tracee reports; it does not block. Every event it emits matched a policy, so each is kept. */

/** The legacy `trace.Event` (Tracee <= 0.2x `--output json`): flat camelCase fields. */
function isLegacy(json: SourceObject): boolean {
  return typeof json.eventName === 'string' || typeof json.processName === 'string';
}

function legacyContainer(json: SourceObject): EventContainer | undefined {
  const nested = asObject(json.container);
  const kubernetes = asObject(json.kubernetes);
  return defined({
    id: readString(nested?.id) ?? readString(json.containerId),
    name: readString(nested?.name) ?? readString(json.containerName),
    image: readString(nested?.image) ?? readString(json.containerImage),
    pod: readString(kubernetes?.podName) ?? readString(json.podName),
    namespace: readString(kubernetes?.podNamespace) ?? readString(json.podNamespace),
  });
}

function adaptLegacy(json: SourceObject, raw: string | undefined): AdaptedFields {
  const nanos = readNanosExact(json.timestamp, raw, 'timestamp');
  const time = nanos === undefined ? undefined : fromEpochNanos(nanos);
  if (time === undefined) throw new AdapterError('missing_field', 'tracee: the event has no timestamp');
  const eventName = readString(json.eventName, 256);
  if (eventName === undefined) throw new AdapterError('missing_field', 'tracee: the event has no eventName');
  const metadata = asObject(json.metadata);
  const properties = asObject(metadata?.Properties);
  const severity = readInteger(properties?.Severity) ?? readString(properties?.Severity, 64);
  const policies = Array.isArray(json.matchedPolicies) ? json.matchedPolicies : [];
  const flags = asObject(json.contextFlags);
  const syscall = readString(json.syscall, 128);
  // Host pids: they match what the kernel and the other sources report for the same process.
  const process: EventProcess | undefined = defined({
    pid: readPid(json.hostProcessId) ?? readPid(json.processId),
    tid: readPid(json.hostThreadId) ?? readPid(json.threadId),
    ppid: readPid(json.hostParentProcessId) ?? readPid(json.parentProcessId),
    uid: readId(json.userId),
    comm: readString(json.processName),
    exe: readString(asObject(json.executable)?.path),
  });
  return {
    sourceHost: readString(json.hostName, 253),
    observedAt: time.iso,
    kind: 'runtime',
    action: 'alert',
    rule: readString(properties?.signatureName) ?? eventName,
    severity: severity === undefined ? undefined : String(severity),
    policy: policies.map((p) => readString(p)).find((p) => p !== undefined),
    process,
    container: legacyContainer(json),
    syscall:
      syscall === undefined
        ? undefined
        : { name: syscall, compat: typeof flags?.isCompat === 'boolean' ? flags.isCompat : undefined },
    details: detailsOf({
      eventId: json.eventId,
      eventName,
      signatureId: properties?.signatureID,
      namespacePid: readPid(json.processId),
      namespaceTid: readPid(json.threadId),
      mountNamespace: json.mountNamespace,
      pidNamespace: json.pidNamespace,
      cgroupId: json.cgroupId,
      returnValue: json.returnValue,
      matchedPolicies: json.matchedPolicies,
      args: json.args,
      metadata,
    }),
  };
}

function v1beta1Time(value: unknown): string | undefined {
  if (typeof value === 'string') return parseIsoTimestamp(value)?.iso;
  const stamp = asObject(value);
  if (stamp === undefined) return undefined;
  const seconds = readInteger(stamp.seconds);
  const nanos = stamp.nanos === undefined ? 0 : readInteger(stamp.nanos);
  if (seconds === undefined || seconds < 0 || nanos === undefined) return undefined;
  return fromSecondsAndNanos(BigInt(seconds), nanos)?.iso;
}

/** The current `v1beta1.Event`: timestamp, name, workload{process, container, k8s}, data[], threat. */
function adaptV1beta1(json: SourceObject): AdaptedFields {
  const observedAt = v1beta1Time(json.timestamp);
  if (observedAt === undefined)
    throw new AdapterError('missing_field', 'tracee: the event has no valid timestamp');
  const name = readString(json.name, 256) ?? readString(json.id, 256);
  if (name === undefined) throw new AdapterError('missing_field', 'tracee: the event has no name');
  const workload = asObject(json.workload);
  const process = asObject(workload?.process);
  const thread = asObject(process?.thread);
  const ancestors = Array.isArray(process?.ancestors) ? process.ancestors : [];
  const parent = asObject(ancestors[0]);
  const container = asObject(workload?.container);
  const k8s = asObject(workload?.k8s);
  const threat = asObject(json.threat);
  const matched = asObject(json.policies)?.matched;
  const syscall = readString(thread?.syscall, 128);
  return {
    sourceHost: readString(json.hostname, 253) ?? readString(json.node, 253),
    observedAt,
    kind: 'runtime',
    action: 'alert',
    rule: readString(threat?.name) ?? name,
    severity: readString(threat?.severity, 64) ?? readInteger(threat?.severity)?.toString(),
    policy: Array.isArray(matched)
      ? matched.map((p) => readString(p)).find((p) => p !== undefined)
      : undefined,
    process: defined({
      pid: readPid(process?.host_pid) ?? readPid(process?.pid),
      tid: readPid(thread?.host_tid) ?? readPid(thread?.tid),
      ppid: readPid(parent?.host_pid) ?? readPid(parent?.pid),
      uid: readId(asObject(process?.real_user)?.id),
      comm: readString(thread?.name),
      exe: readString(asObject(process?.executable)?.path),
    }),
    container: defined({
      id: readString(container?.id),
      name: readString(container?.name),
      image: readString(asObject(container?.image)?.name),
      pod: readString(asObject(k8s?.pod)?.name),
      namespace: readString(asObject(k8s?.namespace)?.name),
    }),
    syscall:
      syscall === undefined
        ? undefined
        : { name: syscall, compat: thread?.compat === true ? true : undefined },
    details: detailsOf({
      id: json.id,
      name,
      matchedPolicies: matched,
      data: json.data,
      threat,
      triggeredBy: json.triggered_by,
      detectedFrom: json.detected_from,
    }),
  };
}

export function adaptTracee(json: SourceObject, _context: unknown, raw?: string): AdaptedFields {
  if (isLegacy(json)) return adaptLegacy(json, raw);
  if (
    json.workload !== undefined ||
    (json.timestamp !== undefined && (json.name !== undefined || json.id !== undefined))
  ) {
    return adaptV1beta1(json);
  }
  throw new AdapterError('unknown_event_type', 'tracee: neither a trace.Event nor a v1beta1 event');
}
