// Whole SECCOMP record lines in the shapes the kernel and auditd write them (seccompLineBytes in
// byte-body.ts, as byte-line.ts reads them): auditd's `[node=H ]type=SECCOMP msg=audit(STAMP):`
// (enriched when 0x1D and interpreted fields follow), and the kernel's `audit: type=1326
// audit(STAMP):` after a kmsg, dmesg or syslog prefix. The stamp goes to HEADER, a host to the
// HOST entry, the body's fields where body() puts them. Any other line, or anything unusual, -1:
// byte-line.ts reads it.

import { readBody } from './body';
import { ABSENT, HOST, beginLine, intern, refuse } from './intern';
import { INPUT, INPUT_SIZE, SPACE, byte, bytesAt, low } from './shared';

// The shapes (AuditLineShape in JS, in byte-body.ts's SHAPES order).
const AUDITD: i32 = 0;
const ENRICHED: i32 = 1;
const KMSG: i32 = 2;
const DMESG: i32 = 3;
const SYSLOG: i32 = 4;

// Little-endian words of `type=`, `node=`, `SECCOMP `, ` msg=au` and `dit(`, `audit: t` and
// `ype=`, ` kernel:` (a space follows), ` audit(`.
const TYPE_EQ: u64 = 0x3d65707974;
const NODE_EQ: u64 = 0x3d65646f6e;
const SECCOMP_SP: u64 = 0x20504d4f43434553;
const MSG_AU: u64 = 0x75613d67736d20;
const DIT_OPEN: u64 = 0x28746964;
const AUDIT_T: u64 = 0x74203a7469647561;
const YPE_EQ: u64 = 0x3d657079;
const KERNEL_COLON: u64 = 0x3a6c656e72656b20;
const AUDIT_OPEN: u64 = 0x28746964756120;

// The record's seconds, milliseconds and serial (f64), and its host as a string entry.
export const HEADER = memory.data(3 * 8, 16);
export const HOST_ENTRY = memory.data(20, 16);

// Where digits() stopped.
let digitsEnd: i32 = 0;

/** Unsigned decimal of 1 to `most` digits at input[at ...], before `end`; -1 when none. */
function digits(at: i32, end: i32, most: i32): i64 {
  let i = at;
  let value: i64 = 0;
  for (; i < end && i - at < most; i++) {
    const d = byte(i) - 48;
    if (d > 9) break;
    value = value * 10 + <i64>d;
  }
  digitsEnd = i;
  return i == at ? -1 : value;
}

/** The stamp `SEC.MSEC:SERIAL)` and an optional `:` at input[at ...] into HEADER: the body start, or -1. */
function stamp(at: i32, end: i32): i32 {
  // Up to one digit more than allowed, so that too many digits is told from enough.
  const sec = digits(at, end, 11);
  if (sec < 0 || digitsEnd - at > 10 || digitsEnd >= end || byte(digitsEnd) != 46 /* . */) return -1;
  let i = digitsEnd + 1;
  const msec = digits(i, end, 4);
  if (msec < 0 || digitsEnd - i != 3 || digitsEnd >= end || byte(digitsEnd) != 58 /* : */) return -1;
  i = digitsEnd + 1;
  const serial = digits(i, end, 16);
  if (serial < 0 || digitsEnd - i > 15 || digitsEnd >= end || byte(digitsEnd) != 41 /* ) */) return -1;
  i = digitsEnd + 1;
  if (i < end && byte(i) == 58 /* : */) i++;
  store<f64>(HEADER, <f64>sec);
  store<f64>(HEADER, <f64>msec, 8);
  store<f64>(HEADER, <f64>serial, 16);
  return i;
}

/** Every byte of input[start, end) is ASCII. */
function ascii(start: i32, end: i32): bool {
  let high: u64 = 0;
  let i = start;
  for (; i + 8 <= end; i += 8) high |= load<u64>(INPUT + <usize>i);
  if (i < end) high |= low(load<u64>(INPUT + <usize>i), end - i);
  return (high & 0x8080808080808080) == 0;
}

/** The prefix of a kernel line input[start, mark) (prefixOf in kernel-line.ts): its shape, -1 when unsure. */
function kernelShape(start: i32, mark: i32): i32 {
  if (mark == start) return DMESG;
  const c = byte(start);
  if (c >= 48 && c <= 57) {
    let semi = start;
    let comma = -1;
    for (; semi < mark && byte(semi) != 59 /* ; */; semi++) if (comma < 0 && byte(semi) == 44) comma = semi;
    // A `;` with no `,` before it: the string parser looks for a `,` further on (rare: let it).
    if (semi < mark && comma < 0) return -1;
    if (semi < mark) return KMSG;
  }
  let kernel = -1;
  for (let i = mark - 9; i > start; i--) {
    if (byte(i) == SPACE && bytesAt(i, mark, KERNEL_COLON, 8) && byte(i + 8) == SPACE) {
      kernel = i;
      break;
    }
  }
  if (kernel < 0) return DMESG;
  let hostStart = kernel - 1;
  while (hostStart >= start && byte(hostStart) != SPACE) hostStart--;
  hostStart++;
  if (hostStart < kernel) intern(HOST_ENTRY, HOST, hostStart, kernel);
  return SYSLOG;
}

/** auditd's line up to its body: the body's start, or -1 (the host, if any, is interned). */
function auditdPrefix(start: i32, end: i32): i32 {
  let i = start;
  if (byte(start) == 110 /* n */) {
    let space = start + 5;
    while (space < end && byte(space) != SPACE && byte(space) < 0x80) space++;
    if (space >= end || byte(space) != SPACE) return -1;
    intern(HOST_ENTRY, HOST, start + 5, space);
    i = space + 1;
  }
  if (!bytesAt(i, end, TYPE_EQ, 5) || !bytesAt(i + 5, end, SECCOMP_SP, 8)) return -1;
  // ` msg=audit(`
  if (!bytesAt(i + 12, end, MSG_AU, 7) || !bytesAt(i + 19, end, DIT_OPEN, 4)) return -1;
  return stamp(i + 23, end);
}

/** A kernel line up to its body: the body's start, or -1; `kernelLineShape` gets its shape. */
function kernelPrefix(start: i32, end: i32): i32 {
  // The first `audit: type=`, every byte before it ASCII.
  let mark = -1;
  for (let i = start; i + 12 <= end; i++) {
    const b = byte(i);
    if (b >= 0x80) return -1;
    if (b == 97 /* a */ && bytesAt(i, end, AUDIT_T, 8) && bytesAt(i + 8, end, YPE_EQ, 4)) {
      mark = i;
      break;
    }
  }
  if (mark < 0) return -1;
  kernelLineShape = kernelShape(start, mark);
  if (kernelLineShape < 0) return -1;
  const type = digits(mark + 12, end, 6);
  if (type != 1326 || !bytesAt(digitsEnd, end, AUDIT_OPEN, 7)) return -1;
  return stamp(digitsEnd + 7, end);
}
let kernelLineShape: i32 = 0;

/**
 * The SECCOMP record line in input[start, end): its shape (see above), with HEADER, HOST_ENTRY
 * and the body's fields set; -1 for any other line, or anything unusual.
 */
export function line(start: i32, end: i32): i32 {
  if (end - start > INPUT_SIZE) return -1;
  beginLine(end - start);
  store<i32>(HOST_ENTRY, ABSENT);
  const c = byte(start);
  const auditd =
    (c == 116 /* t */ && bytesAt(start, end, TYPE_EQ, 5)) ||
    (c == 110 /* n */ && bytesAt(start, end, NODE_EQ, 5));
  // journald's entries are read by journald().
  if (!auditd && c == 123 /* { */) return -1;
  const bodyStart = auditd ? auditdPrefix(start, end) : kernelPrefix(start, end);
  if (bodyStart < 0) return refuse();
  const stop = readBody(bodyStart, end);
  if (stop < 0) return -1;
  if (!auditd) return stop == end ? kernelLineShape : refuse();
  if (stop == end) return AUDITD;
  // After 0x1D, auditd's interpreted fields: ASCII, or the string parser's.
  return ascii(stop + 1, end) ? ENRICHED : refuse();
}
