import { AuditParseError } from '../audit-error.js';
import { decimalAt, untrustedString, untrustedStringAt } from './audit-value.js';
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
export const SECCOMP_KEYS = [
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

// Interned text of the AUDIT_ARCH and code values seen, keyed by number, so the common values
// cost no slice and hit the translation caches with a string whose hash is already known.
const ARCH_TEXT = new Map<number, string>();
const CODE_TEXT = new Map<number, string>();
const INTERN_MAX = 64;

/** Value of a hex digit (either case), or -1. */
function hexDigit(c: number): number {
  if (c >= 48 && c <= 57) return c - 48;
  const l = c | 0x20;
  return l >= 97 && l <= 102 ? l - 87 : -1;
}

/** Eight hex digits in text[start, end) as lower-case AUDIT_ARCH text, interned; undefined if not that. */
function archText(text: string, start: number, end: number): string | undefined {
  if (end - start !== 8) return undefined;
  let value = 0;
  for (let i = start; i < end; i++) {
    const d = hexDigit(text.charCodeAt(i));
    if (d < 0) return undefined;
    value = value * 16 + d;
  }
  let interned = ARCH_TEXT.get(value);
  if (interned === undefined) {
    interned = value.toString(16).padStart(8, '0');
    if (ARCH_TEXT.size < INTERN_MAX) ARCH_TEXT.set(value, interned);
  }
  return interned;
}

/** text[start, end) as a `code=` value: the interned copy when it is one seen before. */
function codeText(text: string, start: number, end: number): string {
  const length = end - start;
  if (length > 2 && length <= 10 && text.charCodeAt(start) === 48 && text.charCodeAt(start + 1) === 120) {
    let value = 0;
    let i = start + 2;
    for (; i < end; i++) {
      const d = hexDigit(text.charCodeAt(i));
      if (d < 0) break;
      value = value * 16 + d;
    }
    if (i === end) {
      const known = CODE_TEXT.get(value);
      if (known !== undefined && known.length === length && text.startsWith(known, start)) return known;
      const code = text.slice(start, end);
      if (known === undefined && CODE_TEXT.size < INTERN_MAX) CODE_TEXT.set(value, code);
      return code;
    }
  }
  return text.slice(start, end);
}

// Keys whose unquoted value is a decimal number: read while scanning, without a second pass.
export const NUMERIC_KEY = SECCOMP_KEYS.map((k) =>
  ['auid', 'uid', 'gid', 'ses', 'pid', 'sig', 'syscall', 'compat'].includes(k),
);

/** SeccompFields with every member present and undefined (byte-body.ts makes them in this order too). */
function newSeccompFields(): SeccompFields {
  // Every field present from the start keeps one hidden class for all records (monomorphic reads).
  return {
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
}

/** The fields of a SECCOMP (or seccomp ANOM_ABEND) record body in text[start, end). */
export function parseSeccompBody(text: string, start: number, end: number): SeccompFields {
  const f = newSeccompFields();
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
    const quoted = text.charCodeAt(v) === 34; /* " */
    if (!quoted && key >= 0 && NUMERIC_KEY[key]) {
      // The common case in one pass: digits up to a space or the end of the body.
      let j = v;
      if (text.charCodeAt(j) === 45 /* - */) j++;
      const digits = j;
      let value = 0;
      for (; j < end; j++) {
        const d = text.charCodeAt(j) - 48;
        if (d < 0 || d > 9) break;
        value = value * 10 + d;
      }
      if (j > digits && j - digits <= 16 && (j === end || text.charCodeAt(j) === 32)) {
        if (digits !== v) value = -value;
        setNumber(f, key, value);
        i = j;
        continue;
      }
    }
    let valueEnd: number;
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
      case 1:
      case 2:
      case 3:
      case 5:
      case 9:
      case 11:
      case 12:
        setNumber(f, key, decimalAt(text, v, valueEnd, SECCOMP_KEYS[key]));
        break;
      case 4:
        f.subj = text.slice(v, valueEnd);
        break;
      case 6:
        f.comm = untrustedStringAt(text, v, valueEnd, quoted);
        break;
      case 7:
        f.exe =
          !quoted && valueEnd - v === 6 && text.startsWith('(null)', v)
            ? null
            : untrustedStringAt(text, v, valueEnd, quoted);
        break;
      case 8:
        f.reason = text.slice(v, valueEnd);
        break;
      case 10: {
        let arch = archText(text, v, valueEnd);
        if (arch === undefined) {
          arch = text.slice(v, valueEnd);
          if (/[A-F]/.test(arch)) arch = arch.toLowerCase();
        }
        f.arch = arch;
        break;
      }
      case 13:
        f.ip = text.slice(v, valueEnd);
        break;
      case 14:
        f.code = codeText(text, v, valueEnd);
        break;
      default:
        break;
    }
  }
  return f;
}

/** Sets the numeric field of SECCOMP_KEYS[key] (a NUMERIC_KEY). */
export function setNumber(f: SeccompFields, key: number, value: number): void {
  switch (key) {
    case 0:
      f.auid = value;
      break;
    case 1:
      f.uid = value;
      break;
    case 2:
      f.gid = value;
      break;
    case 3:
      f.ses = value;
      break;
    case 5:
      f.pid = value;
      break;
    case 9:
      f.sig = value;
      break;
    case 11:
      f.syscall = value;
      break;
    default:
      f.compat = value !== 0;
      break;
  }
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
