import { AuditParseError } from '../audit-error.js';
import { decimalAt, untrustedString } from './audit-value.js';
import type { SeccompFields, SiblingFields } from './audit-record.js';

type FieldSink = (key: string, text: string, start: number, end: number, quoted: boolean) => void;

/**
 * Walks `key=value` pairs of a record body in text[start, end). Values are quoted (no escapes:
 * the kernel hex-encodes anything with a quote) or run to the next space; `subj` may contain
 * spaces (AppArmor's `docker-default (enforce)`), so it runs to the next ` pid=`.
 */
export function scanFields(text: string, start: number, end: number, sink: FieldSink): void {
  let i = start;
  let pidAt = -2;
  while (i < end) {
    while (i < end && text.charCodeAt(i) === 32) i++;
    if (i >= end) return;
    const eq = text.indexOf('=', i);
    if (eq < 0 || eq >= end)
      throw new AuditParseError('malformed_record', `field without "=" at column ${i}`);
    const key = text.slice(i, eq);
    if (key.indexOf(' ') >= 0)
      throw new AuditParseError('malformed_record', `bad field name near column ${i}`);
    let v = eq + 1;
    let valueEnd: number;
    let next: number;
    if (text.charCodeAt(v) === 34 /* " */) {
      v++;
      valueEnd = text.indexOf('"', v);
      if (valueEnd < 0 || valueEnd >= end)
        throw new AuditParseError('malformed_record', `unterminated quote in ${key}`);
      next = valueEnd + 1;
      sink(key, text, v, valueEnd, true);
    } else {
      if (key === 'subj') {
        if (pidAt === -2 || (pidAt >= 0 && pidAt < v)) pidAt = text.indexOf(' pid=', v);
        valueEnd = pidAt >= 0 && pidAt < end ? pidAt : text.indexOf(' ', v);
      } else valueEnd = text.indexOf(' ', v);
      if (valueEnd < 0 || valueEnd > end) valueEnd = end;
      next = valueEnd;
      sink(key, text, v, valueEnd, false);
    }
    i = next;
  }
}

// The kernel writes SECCOMP fields in this order (FORMATS.md 1); matching the next expected key
// with startsWith avoids slicing key strings on the hot path. `reason` is the old ANOM_ABEND form.
const SECCOMP_KEYS = [
  'auid',
  'uid',
  'gid',
  'ses',
  'subj',
  'pid',
  'comm',
  'exe',
  'reason',
  'sig',
  'arch',
  'syscall',
  'compat',
  'ip',
  'code',
];
// Length and first, second, third and last characters tell the kernel's keys apart cheaply.
const KEY_FIRST = SECCOMP_KEYS.map((k) => k.charCodeAt(0));
const KEY_SECOND = SECCOMP_KEYS.map((k) => k.charCodeAt(1));
const KEY_THIRD = SECCOMP_KEYS.map((k) => k.charCodeAt(2));
const KEY_LAST = SECCOMP_KEYS.map((k) => k.charCodeAt(k.length - 1));
const KEY_LENGTH = SECCOMP_KEYS.map((k) => k.length);
const SECCOMP_KEY_INDEX = new Map(SECCOMP_KEYS.map((k, i) => [k, i]));
const SUBJ = 4;

/** The fields of a SECCOMP (or seccomp ANOM_ABEND) record body in text[start, end). */
export function parseSeccompBody(text: string, start: number, end: number): SeccompFields {
  // Every field present from the start keeps one hidden class for all records (monomorphic reads).
  const f: SeccompFields = {
    auid: undefined,
    uid: undefined,
    gid: undefined,
    ses: undefined,
    subj: undefined,
    pid: undefined,
    comm: undefined,
    exe: undefined,
    sig: undefined,
    arch: undefined,
    syscall: undefined,
    compat: undefined,
    ip: undefined,
    code: undefined,
    reason: undefined,
  };
  let i = start;
  let expected = 0;
  // Where the next ` pid=` is: searched once, not once per subj, so repeated subj= stays linear.
  let pidAt = -2;
  while (i < end) {
    while (text.charCodeAt(i) === 32) i++;
    if (i >= end) break;
    let key = -1;
    const c0 = text.charCodeAt(i);
    const c1 = text.charCodeAt(i + 1);
    for (let k = expected; k < SECCOMP_KEYS.length; k++) {
      const len = KEY_LENGTH[k];
      if (
        c0 === KEY_FIRST[k] &&
        c1 === KEY_SECOND[k] &&
        text.charCodeAt(i + len) === 61 /* = */ &&
        text.charCodeAt(i + len - 1) === KEY_LAST[k] &&
        (len < 4 || text.charCodeAt(i + 2) === KEY_THIRD[k])
      ) {
        key = k;
        break;
      }
    }
    let v: number;
    if (key >= 0) {
      v = i + KEY_LENGTH[key] + 1;
      expected = key + 1;
    } else {
      const eq = text.indexOf('=', i);
      if (eq < 0 || eq >= end)
        throw new AuditParseError('malformed_record', `field without "=" at column ${i}`);
      const name = text.slice(i, eq);
      if (name.indexOf(' ') >= 0)
        throw new AuditParseError('malformed_record', `bad field name near column ${i}`);
      key = SECCOMP_KEY_INDEX.get(name) ?? -1;
      v = eq + 1;
    }
    let valueEnd: number;
    const quoted = text.charCodeAt(v) === 34; /* " */
    if (quoted) {
      v++;
      valueEnd = text.indexOf('"', v);
      if (valueEnd < 0 || valueEnd >= end)
        throw new AuditParseError('malformed_record', `unterminated quote near column ${v}`);
      i = valueEnd + 1;
    } else {
      if (key === SUBJ) {
        if (pidAt === -2 || (pidAt >= 0 && pidAt < v)) pidAt = text.indexOf(' pid=', v);
        valueEnd = pidAt >= 0 ? pidAt : text.indexOf(' ', v);
      } else valueEnd = text.indexOf(' ', v);
      if (valueEnd < 0 || valueEnd > end) valueEnd = end;
      i = valueEnd;
    }
    switch (key) {
      case 0:
        f.auid = decimalAt(text, v, valueEnd, 'auid');
        break;
      case 1:
        f.uid = decimalAt(text, v, valueEnd, 'uid');
        break;
      case 2:
        f.gid = decimalAt(text, v, valueEnd, 'gid');
        break;
      case 3:
        f.ses = decimalAt(text, v, valueEnd, 'ses');
        break;
      case 4:
        f.subj = text.slice(v, valueEnd);
        break;
      case 5:
        f.pid = decimalAt(text, v, valueEnd, 'pid');
        break;
      case 6:
        f.comm = untrustedString(text.slice(v, valueEnd), quoted);
        break;
      case 7: {
        const raw = text.slice(v, valueEnd);
        f.exe = !quoted && raw === '(null)' ? null : untrustedString(raw, quoted);
        break;
      }
      case 8:
        f.reason = text.slice(v, valueEnd);
        break;
      case 9:
        f.sig = decimalAt(text, v, valueEnd, 'sig');
        break;
      case 10: {
        const arch = text.slice(v, valueEnd);
        f.arch = /[A-F]/.test(arch) ? arch.toLowerCase() : arch;
        break;
      }
      case 11:
        f.syscall = decimalAt(text, v, valueEnd, 'syscall');
        break;
      case 12:
        f.compat = decimalAt(text, v, valueEnd, 'compat') !== 0;
        break;
      case 13:
        f.ip = text.slice(v, valueEnd);
        break;
      case 14:
        f.code = text.slice(v, valueEnd);
        break;
      default:
        break;
    }
  }
  return f;
}

/** The few fields of a sibling record that enrich a SECCOMP event. */
export function parseSiblingBody(typeName: string, text: string, start: number, end: number): SiblingFields {
  const f: SiblingFields = {};
  const argv: string[] = [];
  scanFields(text, start, end, (key, t, s, e, quoted) => {
    if (typeName === 'SYSCALL') {
      if (key === 'ppid') f.ppid = decimalAt(t, s, e, key);
      else if (key === 'success') f.success = t.slice(s, e);
      else if (key === 'exit') f.exit = decimalAt(t, s, e, key);
      else if (key === 'key') f.key = untrustedString(t.slice(s, e), quoted);
    } else if (typeName === 'PROCTITLE' && key === 'proctitle') {
      f.cmdline = untrustedString(t.slice(s, e), quoted);
    } else if (typeName === 'CWD' && key === 'cwd') {
      f.cwd = untrustedString(t.slice(s, e), quoted);
    } else if (typeName === 'EXECVE' && key.length > 1 && key.charCodeAt(0) === 97 /* a */) {
      const index = Number(key.slice(1));
      if (Number.isInteger(index) && index < 1024) argv[index] = untrustedString(t.slice(s, e), quoted) ?? '';
    } else if (typeName === 'CONTAINER_ID' && key === 'contid') {
      f.containerId = untrustedString(t.slice(s, e), quoted);
    }
  });
  if (argv.length > 0) f.cmdline = argv.join(' ');
  return f;
}
