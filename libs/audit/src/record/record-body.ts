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
        valueEnd = text.indexOf(' pid=', v);
        if (valueEnd < 0 || valueEnd >= end) valueEnd = text.indexOf(' ', v);
      } else valueEnd = text.indexOf(' ', v);
      if (valueEnd < 0 || valueEnd > end) valueEnd = end;
      next = valueEnd;
      sink(key, text, v, valueEnd, false);
    }
    i = next;
  }
}

/** The fields of a SECCOMP (or seccomp ANOM_ABEND) record body. */
export function parseSeccompBody(text: string, start: number, end: number): SeccompFields {
  const f: SeccompFields = {};
  scanFields(text, start, end, (key, t, s, e, quoted) => {
    switch (key) {
      case 'auid':
        f.auid = decimalAt(t, s, e, key);
        break;
      case 'uid':
        f.uid = decimalAt(t, s, e, key);
        break;
      case 'gid':
        f.gid = decimalAt(t, s, e, key);
        break;
      case 'ses':
        f.ses = decimalAt(t, s, e, key);
        break;
      case 'pid':
        f.pid = decimalAt(t, s, e, key);
        break;
      case 'sig':
        f.sig = decimalAt(t, s, e, key);
        break;
      case 'syscall':
        f.syscall = decimalAt(t, s, e, key);
        break;
      case 'compat':
        f.compat = decimalAt(t, s, e, key) !== 0;
        break;
      case 'subj':
        f.subj = t.slice(s, e);
        break;
      case 'comm':
        f.comm = untrustedString(t.slice(s, e), quoted);
        break;
      case 'exe': {
        const raw = t.slice(s, e);
        f.exe = !quoted && raw === '(null)' ? null : untrustedString(raw, quoted);
        break;
      }
      case 'arch':
        f.arch = t.slice(s, e).toLowerCase();
        break;
      case 'ip':
        f.ip = t.slice(s, e);
        break;
      case 'code':
        f.code = t.slice(s, e);
        break;
      case 'reason':
        f.reason = t.slice(s, e);
        break;
      default:
        break;
    }
  });
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
