import { constant, memory, wasm } from '../record/byte-module.js';
import {
  AUDIT_ARCH,
  AUDIT_KEY,
  AUID,
  CMDLINE,
  COMM,
  CWD,
  EXE,
  EXE_NULL,
  EXIT,
  GID,
  IP,
  PID,
  PPID,
  RAW_OPEN,
  REASON,
  SES,
  SIG,
  SUBJ,
  SYSCALL_NR,
  UID,
  ascii,
} from './seccomp-event-json.js';
import type { SeccompEventParts } from './seccomp-event.js';

/**
 * An event's JSON line written by the byte reader's module (eventJson in
 * ../../assembly/event-json.ts, where the areas' slots are listed): JS stores the event's
 * numbers, strings and the ids of its byte pieces, one call writes the line, one copy takes
 * it. A JS byte store costs about 1 ns; the line is some 600 bytes.
 */

/** Bytes the module copies into lines by id: registered once, again after the store was emptied. */
export interface Piece {
  readonly bytes: Uint8Array;
  id: number;
  generation: number;
}

export const piece = (bytes: Uint8Array): Piece => ({ bytes, id: -1, generation: -1 });

const PIECE_COUNT = constant('PIECE_COUNT');
const PIECE_BYTES_SIZE = constant('PIECE_BYTES_SIZE');
const PIECE_MAX = constant('PIECE_MAX');
const TEXT_MAX = constant('TEXT_MAX');
const JSON_MAX = constant('JSON_MAX');
const pieceBytes = new Uint8Array(memory, constant('PIECE_BYTES'), PIECE_BYTES_SIZE);
const pieceAt = new Int32Array(memory, constant('PIECE_AT'), PIECE_COUNT);
const pieceLength = new Int32Array(memory, constant('PIECE_LENGTH'), PIECE_COUNT);
const eventNumbers = new Float64Array(memory, constant('EVENT_NUMBERS'), 16);
const eventStrings = new Int32Array(memory, constant('EVENT_STRINGS'), 32);
const eventPieces = new Int32Array(memory, constant('EVENT_PIECES'), 16);
const eventText = new Uint16Array(memory, constant('EVENT_TEXT'), TEXT_MAX);
const jsonIn = Buffer.from(memory, constant('JSON_IN'), JSON_MAX);
const eventOut = Buffer.from(memory, constant('EVENT_OUT'), constant('EVENT_OUT_SIZE'));

let generation = 0;
let pieces = 0;
let used = 0;

/** Piece ids 0 to 20: the keys eventJson writes, in its order; never dropped. */
const KEYS = [
  PID,
  PPID,
  UID,
  GID,
  AUID,
  SES,
  COMM,
  EXE,
  CMDLINE,
  ascii(',"container":{"id":'),
  AUDIT_ARCH,
  SYSCALL_NR,
  SIG,
  EXE_NULL,
  IP,
  SUBJ,
  REASON,
  CWD,
  AUDIT_KEY,
  EXIT,
  RAW_OPEN,
].map(piece);
for (const key of KEYS) register(key);
const KEPT_PIECES = pieces;
const KEPT_BYTES = used;

function register(p: Piece): void {
  const n = p.bytes.length;
  if (pieces === PIECE_COUNT || used + n > PIECE_BYTES_SIZE) {
    // Full: every piece but the keys is dropped, and registered again when next used.
    generation++;
    pieces = KEPT_PIECES;
    used = KEPT_BYTES;
  }
  pieceBytes.set(p.bytes, used);
  pieceAt[pieces] = used;
  pieceLength[pieces] = n;
  used += n;
  p.id = pieces++;
  p.generation = generation;
}

/** What writeEventInModule copies as pieces, in eventJson's order (signal may be undefined). */
export interface EventPieces {
  stamp: Piece;
  observedAt: Piece;
  stream: Piece;
  arch: Piece;
  call: Piece;
  action: Piece;
  signal: Piece | undefined;
  details: Piece;
}

/** Piece slot `slot`'s id (or -1 without one); false when the piece is too long for the module. */
function setPiece(slot: number, p: Piece | undefined): boolean {
  if (p === undefined) eventPieces[slot] = -1;
  else if (p.bytes.length > PIECE_MAX) return false;
  else {
    if (p.generation !== generation) register(p);
    eventPieces[slot] = p.id;
  }
  return true;
}

/** The ids of the pieces into EVENT_PIECES; false when one is too long for the module. */
function setPieces(e: EventPieces): boolean {
  return (
    setPiece(0, e.stamp) &&
    setPiece(1, e.observedAt) &&
    setPiece(2, e.stream) &&
    setPiece(3, e.arch) &&
    setPiece(4, e.call) &&
    setPiece(5, e.action) &&
    setPiece(6, e.signal) &&
    setPiece(7, e.details)
  );
}

/** String slot `slot` from `s` at `at` in EVENT_TEXT; returns where the next goes. */
function setString(slot: number, s: string | undefined, at: number): number {
  if (s === undefined) {
    eventStrings[2 * slot + 1] = -1;
    return at;
  }
  const n = s.length;
  eventStrings[2 * slot] = at;
  eventStrings[2 * slot + 1] = n;
  for (let i = 0; i < n; i++) eventText[at + i] = s.charCodeAt(i);
  return at + n;
}

/** Number slot `slot` from `v`; returns its bit of the numbers present. */
function setNumber(slot: number, v: number | undefined): number {
  if (v === undefined) return 0;
  eventNumbers[slot] = v;
  return 1 << slot;
}

const lengthOf = (s: string | undefined): number => (s === undefined ? 0 : s.length);

/**
 * The JSON line of `p` (no newline) written by the module into buf at `start`, with the pieces
 * of its stamp, stream, syscall, code and signal; returns where it ends, or -1 when the module
 * does not write it (a value past ASCII, a number that is not a safe integer, a string too
 * long): the caller writes it then. The caller leaves seccompPartsJsonMaxBytes(p) bytes of room.
 */
export function writeEventInModule(p: SeccompEventParts, e: EventPieces, buf: Buffer, start: number): number {
  const raw = p.raw;
  if (raw.length > JSON_MAX) return -1;
  const textLength =
    lengthOf(p.comm) +
    lengthOf(p.exe) +
    lengthOf(p.cmdline) +
    lengthOf(p.containerId) +
    lengthOf(p.auditArch) +
    lengthOf(p.ip) +
    lengthOf(p.subj) +
    lengthOf(p.reason) +
    lengthOf(p.cwd) +
    lengthOf(p.auditKey);
  if (textLength > TEXT_MAX) return -1;
  // A piece registered here may empty the store, dropping those set before it: set them again.
  const before = generation;
  if (!setPieces(e)) return -1;
  if (generation !== before) setPieces(e);
  eventPieces[8] = p.exeNull ? 1 : 0;
  const n = eventNumbers;
  n[0] = p.msec;
  n[1] = p.serial;
  // The numbers that may be absent, with a bit each in EVENT_PIECES[9] when present.
  let present = setNumber(2, p.pid);
  present |= setNumber(3, p.ppid);
  present |= setNumber(4, p.uid);
  present |= setNumber(5, p.gid);
  present |= setNumber(6, p.auid);
  present |= setNumber(7, p.ses);
  present |= setNumber(8, p.syscallNr);
  present |= setNumber(9, p.sig);
  present |= setNumber(10, p.exit);
  eventPieces[9] = present;
  let at = setString(0, p.comm, 0);
  at = setString(1, p.exe, at);
  at = setString(2, p.cmdline, at);
  at = setString(3, p.containerId, at);
  at = setString(4, p.auditArch, at);
  at = setString(5, p.ip, at);
  at = setString(6, p.subj, at);
  at = setString(7, p.reason, at);
  at = setString(8, p.cwd, at);
  setString(9, p.auditKey, at);
  // One byte a character only when every character is ASCII.
  const rawBytes = jsonIn.write(raw, 0, 'utf8');
  if (rawBytes !== raw.length) return -1;
  const length = wasm.eventJson(rawBytes);
  if (length < 0) return -1;
  return start + eventOut.copy(buf, start, 0, length);
}
