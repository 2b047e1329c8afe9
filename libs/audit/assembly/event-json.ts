// The JSON line of a SECCOMP event (writeSeccompPartsJson in src/stream/seccomp-parts-json.ts,
// whose JS path writes the same bytes): JS hands over the event's numbers, its strings as UTF-16
// units, the raw line in JSON_IN and the ids of byte pieces it registered (the constant runs
// between values, and the values from small sets encoded once); one call writes the line to
// EVENT_OUT. Anything the JS path writes differently (a number that is not a safe integer, a
// character past ASCII) makes the call return -1, and JS writes the event itself.
//
// The slots of each area, in this order (mirrored by seccomp-parts-module.ts):
//   EVENT_NUMBERS (f64): msec, serial, pid, ppid, uid, gid, auid, ses, syscallNr, sig, exit
//   EVENT_STRINGS ([start, length] in EVENT_TEXT, length -1: absent): comm, exe, cmdline,
//     containerId, auditArch, ip, subj, reason, cwd, auditKey
//   EVENT_PIECES (piece ids; -1: absent): stamp, stamp's observedAt, stream, arch, call, code's
//     action, signal, code's details; then 1 when exe is (null); then a bit per number present
//     (bit k for EVENT_NUMBERS[k], from pid on)
//   key pieces (ids 0 to 20, registered first, never dropped): `,"pid":` `,"ppid":` `,"uid":`
//     `,"gid":` `,"auid":` `,"ses":` `,"comm":` `,"exe":` `,"cmdline":` `,"container":{"id":`
//     `,"auditArch":` `,"syscallNr":` `,"sig":` `,"exe":"(null)"` `,"ip":` `,"subj":` `,"reason":`
//     `,"cwd":` `,"auditKey":` `,"exit":` `},"raw":`

import { asciiJsonString, escapeAscii, JSON_IN } from './text';

export const PIECE_BYTES_SIZE: i32 = 256 << 10;
export const PIECE_COUNT: i32 = 4096;
export const PIECE_BYTES = memory.data(PIECE_BYTES_SIZE + 16, 16);
export const PIECE_AT = memory.data(PIECE_COUNT * 4, 16);
export const PIECE_LENGTH = memory.data(PIECE_COUNT * 4, 16);

export const EVENT_NUMBERS = memory.data(16 * 8, 16);
export const EVENT_STRINGS = memory.data(16 * 8, 16);
export const EVENT_PIECES = memory.data(16 * 4, 16);
// The strings' UTF-16 units, at most TEXT_MAX of them an event.
export const TEXT_MAX: i32 = 16384;
export const EVENT_TEXT = memory.data(TEXT_MAX * 2 + 16, 16);
// Room for the raw line (JSON_MAX bytes), TEXT_MAX units, six bytes each escaped, pieces of at
// most PIECE_MAX bytes and the rest.
export const PIECE_MAX: i32 = 4096;
export const EVENT_OUT_SIZE: i32 = 256 << 10;
export const EVENT_OUT = memory.data(EVENT_OUT_SIZE, 16);

const N_MSEC = 0;
const N_SERIAL = 1;
const N_PID = 2;
const N_SES = 7;
const N_SYSCALL_NR = 8;
const N_SIG = 9;
const N_EXIT = 10;
const S_COMM = 0;
const S_CMDLINE = 2;
const S_CONTAINER = 3;
const S_AUDIT_ARCH = 4;
const S_IP = 5;
const S_AUDIT_KEY = 9;
const P_STAMP = 0;
const P_STAMP_MORE = 1;
const P_STREAM = 2;
const P_ARCH = 3;
const P_CALL = 4;
const P_CODE_HEAD = 5;
const P_SIGNAL = 6;
const P_CODE_TAIL = 7;
const P_EXE_NULL = 8;
const P_NUMBERS_PRESENT = 9;
const K_PID = 0;
const K_COMM = 6;
const K_CONTAINER = 9;
const K_AUDIT_ARCH = 10;
const K_SYSCALL_NR = 11;
const K_SIG = 12;
const K_EXE_NULL = 13;
const K_IP = 14;
const K_EXIT = 19;
const K_RAW = 20;

const SAFE_MAX: f64 = 9007199254740991;

// Set when a value cannot be written as the JS path writes it.
let refused = false;

/** Piece `id` at `o` (without its leading comma when `first`); returns where it ends. */
function piece(o: usize, id: i32, first: bool): usize {
  const skip: i32 = first ? 1 : 0;
  const at = load<i32>(PIECE_AT + ((<usize>id) << 2)) + skip;
  const n = load<i32>(PIECE_LENGTH + ((<usize>id) << 2)) - skip;
  memory.copy(o, PIECE_BYTES + <usize>at, <usize>n);
  return o + <usize>n;
}

function pieceOf(slot: i32): i32 {
  return load<i32>(EVENT_PIECES + ((<usize>slot) << 2));
}

function numberOf(slot: i32): f64 {
  return load<f64>(EVENT_NUMBERS + ((<usize>slot) << 3));
}

/** A safe integer as JSON.stringify writes it (-0 as 0); anything else is refused. */
function number(o: usize, v: f64): usize {
  if (v != Math.floor(v) || Math.abs(v) > SAFE_MAX) {
    refused = true;
    return o;
  }
  let n = <i64>v;
  let at = o;
  if (n < 0) {
    store<u8>(at, 45); /* - */
    at++;
    n = -n;
  }
  let digits: usize = 1;
  for (let t = n; t >= 10; t /= 10) digits++;
  const end = at + digits;
  let p = end;
  do {
    p--;
    store<u8>(p, 48 + <u32>(n % 10));
    n /= 10;
  } while (n != 0);
  return end;
}

/** Three digits of 0..999. */
function threeDigits(o: usize, v: f64): usize {
  const m = <u32>v;
  store<u8>(o, 48 + m / 100);
  store<u8>(o + 1, 48 + ((m / 10) % 10));
  store<u8>(o + 2, 48 + (m % 10));
  return o + 3;
}

/** String `slot` (present) as JSON.stringify writes it; a unit past ASCII is refused. */
function text(o: usize, slot: i32): usize {
  const start = load<i32>(EVENT_STRINGS + ((<usize>slot) << 3));
  const n = load<i32>(EVENT_STRINGS + ((<usize>slot) << 3), 4);
  store<u8>(o, 34);
  let at = o + 1;
  const from = EVENT_TEXT + ((<usize>start) << 1);
  for (let i = 0; i < n; i++) {
    const c = <u32>load<u16>(from + ((<usize>i) << 1));
    if (c >= 32 && c < 127 && c != 34 && c != 92) {
      store<u8>(at, c);
      at++;
    } else if (c >= 128) {
      refused = true;
      return at;
    } else if (c == 127) {
      // JSON.stringify leaves DEL as it is.
      store<u8>(at, c);
      at++;
    } else at = escapeAscii(at, c);
  }
  store<u8>(at, 34);
  return at + 1;
}

function numberMember(o: usize, open: usize, key: i32, slot: i32): usize {
  if ((pieceOf(P_NUMBERS_PRESENT) & (1 << slot)) == 0) return o;
  return number(piece(o, key, o == open), numberOf(slot));
}

function textMember(o: usize, open: usize, key: i32, slot: i32): usize {
  if (load<i32>(EVENT_STRINGS + ((<usize>slot) << 3), 4) < 0) return o;
  return text(piece(o, key, o == open), slot);
}

/**
 * The event's JSON line (no newline) from what JS put in the areas, the raw line's `rawLength`
 * bytes in JSON_IN, into EVENT_OUT; returns its length, or -1 when refused.
 */
export function eventJson(rawLength: i32): i32 {
  refused = false;
  let o = piece(EVENT_OUT, pieceOf(P_STAMP), false);
  const msec = numberOf(N_MSEC);
  o = threeDigits(o, msec);
  store<u8>(o, 58); /* : */
  o = number(o + 1, numberOf(N_SERIAL));
  o = threeDigits(piece(o, pieceOf(P_STAMP_MORE), false), msec);
  o = piece(o, pieceOf(P_STREAM), false);
  // process: its numbers, then comm, exe and cmdline (keys in slot order).
  const open = o;
  for (let k = 0; k <= N_SES - N_PID; k++) o = numberMember(o, open, K_PID + k, N_PID + k);
  for (let k = 0; k <= S_CMDLINE - S_COMM; k++) o = textMember(o, open, K_COMM + k, S_COMM + k);
  store<u8>(o, 125); /* } */
  o++;
  if (load<i32>(EVENT_STRINGS + ((<usize>S_CONTAINER) << 3), 4) >= 0) {
    o = text(piece(o, K_CONTAINER, false), S_CONTAINER);
    store<u8>(o, 125);
    o++;
  }
  o = piece(piece(o, pieceOf(P_ARCH), false), pieceOf(P_CALL), false);
  o = piece(o, pieceOf(P_CODE_HEAD), false);
  const signal = pieceOf(P_SIGNAL);
  if (signal >= 0) o = piece(o, signal, false);
  // details: the code comes first, so no member is.
  o = piece(o, pieceOf(P_CODE_TAIL), false);
  o = textMember(o, 0, K_AUDIT_ARCH, S_AUDIT_ARCH);
  o = numberMember(o, 0, K_SYSCALL_NR, N_SYSCALL_NR);
  o = numberMember(o, 0, K_SIG, N_SIG);
  if (pieceOf(P_EXE_NULL) != 0) o = piece(o, K_EXE_NULL, false);
  for (let k = 0; k <= S_AUDIT_KEY - S_IP; k++) o = textMember(o, 0, K_IP + k, S_IP + k);
  o = numberMember(o, 0, K_EXIT, N_EXIT);
  o = asciiJsonString(JSON_IN, rawLength, piece(o, K_RAW, false));
  store<u8>(o, 125);
  o++;
  return refused ? -1 : <i32>(o - EVENT_OUT);
}
