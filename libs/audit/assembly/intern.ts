// Values that repeat from record to record (comm, exe, subj, arch, code, hosts), interned by
// their bytes: a value gets an id, and JS keeps one string per id. Each value read is written to
// a string entry [form, id, start, end, new] (form ABSENT: none) that JS reads back.

import { INPUT, low, sameBytes } from './shared';

// What an entry says of a value: absent, its bytes (interned as they are, or to be decoded from
// the kernel's hex by JS), `?`, `(null)`, or a span to cut as it is (ip). TEXT, DECODED and HOST
// are also the namespaces of the table: the same bytes in two of them are two values.
export const ABSENT: i32 = 0;
export const TEXT: i32 = 1;
export const DECODED: i32 = 2;
export const QUESTION: i32 = 3;
export const NULL: i32 = 4;
export const SPAN: i32 = 5;
export const HOST: i32 = 6;

// Values read from one line at most (each line starts with room for this many).
export const MAX_VALUES = 32;
// Longer values are not kept (JS makes their string each time).
const MAX_KEPT: i32 = 128;
const SLOTS: i32 = 8192;
const MAX_ENTRIES: i32 = 4096;
const ARENA_SIZE: i32 = MAX_ENTRIES * (MAX_KEPT + 8);
const EMPTY: u32 = 0xffffffff;

// Per slot [hash, where in the arena, length | namespace << 24, id].
const slots = memory.data(SLOTS * 16, 16);
const arena = memory.data(ARENA_SIZE + 16, 16);
let arenaUsed: i32 = 0;
let entries: i32 = 0;
// The slots filled by the line being read, emptied again if it is refused (JS never learns of
// their ids). Emptying the last filled first leaves the table as it was before them.
const filled = memory.data(MAX_VALUES * 4, 16);
let fills: i32 = 0;

/** Forgets every interned value: ids start again at 0. */
export function forget(): void {
  for (let s = 0; s < SLOTS; s++) store<u32>(slots + ((<usize>s) << 4), EMPTY, 8);
  arenaUsed = 0;
  entries = 0;
}

/** Before a line of `n` bytes: room for every value it holds, so no id is forgotten while it is read. */
export function beginLine(n: i32): void {
  if (entries + MAX_VALUES > MAX_ENTRIES || arenaUsed + n + MAX_VALUES * 8 > ARENA_SIZE) forget();
  fills = 0;
}

/** A refused line: the values it interned are forgotten. Returns -1. */
export function refuse(): i32 {
  while (fills > 0) {
    fills--;
    const at = slots + ((<usize>load<i32>(filled + ((<usize>fills) << 2))) << 4);
    entries--;
    arenaUsed = load<i32>(at, 4);
    store<u32>(at, EMPTY, 8);
  }
  return -1;
}

export function setEntry(entry: usize, form: i32, id: i32, start: i32, end: i32, isNew: i32): void {
  store<i32>(entry, form);
  store<i32>(entry, id, 4);
  store<i32>(entry, start, 8);
  store<i32>(entry, end, 12);
  store<i32>(entry, isNew, 16);
}

/** Interns input[start, end) (ASCII) in namespace `form`, into the string entry at `entry`. */
export function intern(entry: usize, form: i32, start: i32, end: i32): void {
  const n = end - start;
  if (n > MAX_KEPT) {
    setEntry(entry, form, -1, start, end, 0);
    return;
  }
  const bytes = INPUT + <usize>start;
  let h: u64 = <u64>n * 0x9e3779b97f4a7c15 + <u64>form;
  let i = 0;
  for (; i + 8 <= n; i += 8) h = (h ^ load<u64>(bytes + <usize>i)) * 0x100000001b3;
  if (i < n) h = (h ^ low(load<u64>(bytes + <usize>i), n - i)) * 0x100000001b3;
  h ^= h >> 29;
  h *= 0xbf58476d1ce4e5b9;
  const hash = <u32>(h >> 32);
  const lengthForm = (<u32>n) | ((<u32>form) << 24);
  let slot = <i32>(hash & (<u32>(SLOTS - 1)));
  for (;;) {
    const at = slots + ((<usize>slot) << 4);
    const kept = load<u32>(at, 8);
    if (kept == EMPTY) break;
    if (kept == lengthForm && load<u32>(at) == hash && sameBytes(arena + <usize>load<i32>(at, 4), bytes, n)) {
      setEntry(entry, form, load<i32>(at, 12), start, end, 0);
      return;
    }
    slot = (slot + 1) & (SLOTS - 1);
  }
  // beginLine made room.
  const at = slots + ((<usize>slot) << 4);
  memory.copy(arena + <usize>arenaUsed, bytes, <usize>n);
  store<u32>(at, hash);
  store<i32>(at, arenaUsed, 4);
  store<u32>(at, lengthForm, 8);
  store<i32>(at, entries, 12);
  store<i32>(filled + ((<usize>fills) << 2), slot);
  fills++;
  setEntry(entry, form, entries, start, end, 1);
  entries++;
  arenaUsed += (n + 7) & ~7;
}
