import { parseIsoTimestamp, fromEpochNanos } from '../validation/observed-at.js';
import { AdapterError } from './adapter-error.js';
import { detailsOf } from './bounded-details.js';
import {
  asObject,
  defined,
  readId,
  readNanosExact,
  readPid,
  readString,
  type SourceObject,
} from './source-reader.js';
import type { AdaptedFields } from './tool-adapter.js';

function observedAt(json: SourceObject, fields: SourceObject, raw: string | undefined): string {
  if (json.time !== undefined && json.time !== null) {
    const time = typeof json.time === 'string' ? parseIsoTimestamp(json.time) : undefined;
    if (time === undefined)
      throw new AdapterError('invalid_field', 'falco: time is not an ISO 8601 timestamp');
    return time.iso;
  }
  const nanos = readNanosExact(fields['evt.time'], raw, 'evt.time');
  const fallback = nanos === undefined ? undefined : fromEpochNanos(nanos);
  if (fallback === undefined) throw new AdapterError('missing_field', 'falco: the alert has no time');
  return fallback.iso;
}

function image(fields: SourceObject): string | undefined {
  const repository = readString(fields['container.image.repository']);
  const tag = readString(fields['container.image.tag']);
  if (repository !== undefined) return tag === undefined ? repository : `${repository}:${tag}`;
  return readString(fields['container.image']);
}

/**
 * A Falco alert as `json_output` / `http_output` writes it. Falco only reports (it never blocks):
 * action `alert`, kind `runtime`. output_fields values may be null and depend on the rule.
 */
export function adaptFalco(json: SourceObject, _context: unknown, raw?: string): AdaptedFields {
  const rule = readString(json.rule);
  if (rule === undefined) throw new AdapterError('missing_field', 'falco: the alert has no rule');
  const fields = asObject(json.output_fields) ?? {};
  const containerId = readString(fields['container.id']);
  // Falco names the host itself "host" in container.id: no container.
  const inContainer = containerId !== undefined && containerId !== 'host';
  const eventSource = readString(json.source);
  const evtType = readString(fields['evt.type'], 128);
  return {
    sourceHost: readString(json.hostname, 253),
    observedAt: observedAt(json, fields, raw),
    kind: 'runtime',
    action: 'alert',
    rule,
    severity: readString(json.priority, 64)?.toLowerCase(),
    process: defined({
      pid: readPid(fields['proc.pid']),
      tid: readPid(fields['thread.tid']),
      ppid: readPid(fields['proc.ppid']),
      uid: readId(fields['user.uid']),
      gid: readId(fields['group.gid']),
      auid: readId(fields['user.loginuid']),
      comm: readString(fields['proc.name']),
      exe: readString(fields['proc.exepath']) ?? readString(fields['proc.exe']),
      cmdline: readString(fields['proc.cmdline']),
    }),
    container: defined({
      id: inContainer ? containerId : undefined,
      name: inContainer ? readString(fields['container.name']) : undefined,
      image: inContainer ? image(fields) : undefined,
      pod: readString(fields['k8s.pod.name']),
      namespace: readString(fields['k8s.ns.name']),
    }),
    syscall:
      evtType !== undefined && (eventSource === undefined || eventSource === 'syscall')
        ? { name: evtType }
        : undefined,
    details: detailsOf({
      output: json.output,
      source: eventSource,
      tags: json.tags,
      uuid: json.uuid,
      outputFields: json.output_fields,
    }),
  };
}
