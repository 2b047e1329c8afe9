import type { EventContainer, SecurityEvent } from '../security-event.js';

/**
 * The container of an audit line's process, as the agent attaches it to a line it sends as
 * audit text (`POST /v1/ingest/audit`): the agent reads /proc/<pid>/cgroup while the process
 * lives; the service cannot. The line is followed by the byte 0x1E (ASCII record separator, which
 * the kernel and auditd never write: they hex-encode control characters) and space-separated
 * `key=value` pairs of EventContainer's fields:
 *
 *   type=SECCOMP msg=audit(...): ... code=0x50000<0x1E>id=4f1c...e2 pod=7d8c...-...
 *
 * Values are 1 to 256 visible ASCII characters (no spaces); each key at most once.
 */
export const CONTAINER_ANNOTATION_SEPARATOR = '\u001e';

const KEYS: ReadonlySet<string> = new Set(['id', 'name', 'image', 'pod', 'namespace']);
const VALUE_MAX_CHARS = 256;

/** Whether a value can go in an annotation as it is: visible ASCII, no space, not empty, bounded. */
function isAnnotationValue(value: string): boolean {
  if (value.length === 0 || value.length > VALUE_MAX_CHARS) return false;
  for (let i = 0; i < value.length; i++) {
    const c = value.charCodeAt(i);
    if (c < 0x21 || c > 0x7e) return false;
  }
  return true;
}

/**
 * The annotation (separator included) for a container, or '' when it has no field to carry.
 * Throws when a value cannot be carried (a space, a control or non-ASCII character, too long).
 */
export function formatContainerAnnotation(container: EventContainer): string {
  let text = '';
  for (const key of KEYS) {
    const value = container[key as keyof EventContainer];
    if (value === undefined) continue;
    if (!isAnnotationValue(value))
      throw new Error(`container ${key} ${JSON.stringify(value)} cannot be annotated`);
    text += `${text === '' ? '' : ' '}${key}=${value}`;
  }
  return text === '' ? '' : CONTAINER_ANNOTATION_SEPARATOR + text;
}

export type SplitAnnotation =
  { ok: true; line: string; container?: EventContainer } | { ok: false; message: string };

/**
 * A line without its container annotation, and the container it named. A line without the
 * separator comes back as it is; an annotation that does not read as described above is an error
 * naming what is wrong.
 */
export function splitContainerAnnotation(text: string): SplitAnnotation {
  const at = text.indexOf(CONTAINER_ANNOTATION_SEPARATOR);
  if (at < 0) return { ok: true, line: text };
  const container: Record<string, string> = {};
  const annotation = text.slice(at + 1);
  if (annotation === '') return { ok: false, message: 'The container annotation after 0x1E is empty' };
  for (const pair of annotation.split(' ')) {
    const eq = pair.indexOf('=');
    const key = eq < 0 ? pair : pair.slice(0, eq);
    if (!KEYS.has(key)) {
      return {
        ok: false,
        message: `The container annotation has an unknown field ${JSON.stringify(key.slice(0, 40))} (known: ${[...KEYS].join(', ')})`,
      };
    }
    if (eq < 0) return { ok: false, message: `The container annotation's ${key} has no value` };
    if (container[key] !== undefined)
      return { ok: false, message: `The container annotation names ${key} twice` };
    const value = pair.slice(eq + 1);
    if (!isAnnotationValue(value)) {
      return {
        ok: false,
        message: `The container annotation's ${key} must be 1 to ${VALUE_MAX_CHARS} visible ASCII characters`,
      };
    }
    container[key] = value;
  }
  return { ok: true, line: text.slice(0, at), container };
}

/**
 * The event with the container found for its process: an event whose record named its container
 * (an id) keeps it; otherwise the fields are added to what it has. The agent enriches the events
 * it parses this way, and the service applies an annotation the same way.
 */
export function withContainer(event: SecurityEvent, container: EventContainer | undefined): SecurityEvent {
  return container === undefined || event.container?.id
    ? event
    : { ...event, container: { ...event.container, ...container } };
}
