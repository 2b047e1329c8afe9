/**
 * What the ingest byte scanner (event-scanner.ts) accepts: the keys of a SecurityEvent line with
 * their types and bounds (the validator's rules, validate-security-event.ts, plus the service's),
 * and the value slots they fill, in COPY column order.
 */

// Value slots, in COPY column order after host_id (VIOLATION_COLUMNS).
export const EVENT_KEY = 0;
export const OBSERVED_AT = 1;
export const SOURCE = 2;
export const KIND = 3;
export const ACTION = 4;
export const BLOCKED = 5;
export const ARCH = 6;
export const NR = 7;
export const SYSCALL_NAME = 8;
const COMPAT = 9;
const PID = 10;
const TID = 11;
const PPID = 12;
const UID = 13;
const GID = 14;
const AUID = 15;
const SES = 16;
const COMM = 17;
export const EXE = 18;
const CMDLINE = 19;
export const CONTAINER_ID = 20;
export const CONTAINER_NAME = 21;
const CONTAINER_IMAGE = 22;
export const POD = 23;
export const NAMESPACE = 24;
const ERRNO_NR = 25;
const ERRNO_NAME = 26;
const SIGNAL_NR = 27;
const SIGNAL_NAME = 28;
export const POLICY = 29;
const RULE = 30;
const SEVERITY = 31;
const BOOT_ID = 32;
const DETAILS = 33;
const RAW = 34;
export const HOST = 35;
export const SLOTS = 36;

/** Slots of bigint columns: their numbers go to COPY as int8, the other integers' as int4. */
export const BIGINT_SLOT: readonly boolean[] = Array.from(
  { length: SLOTS },
  (_, slot) => slot === UID || slot === GID || slot === AUID || slot === SES,
);

/** The slots a shape is made of: what listeners (metrics labels, alert prefilter) and rollups read. */
export const SHAPE_SLOTS = [
  HOST,
  SOURCE,
  ACTION,
  POLICY,
  ARCH,
  NR,
  SYSCALL_NAME,
  EXE,
  CONTAINER_ID,
  CONTAINER_NAME,
  POD,
  NAMESPACE,
];

// What a slot holds for the event being read.
export const ABSENT = 0;
export const PLAIN = 1; // a string without escapes: its bytes as they are
export const ESCAPED = 2; // a string with escapes
export const NUMBER = 3; // the digits of a non-negative integer
export const TRUE = 4;
export const FALSE = 5;
export const JSON_TEXT = 6; // details: JSON text already in JSON.stringify's spelling

export const STRING = 0;
export const INTEGER = 1;
export const BOOLEAN = 2;
export const OBJECT = 3;
const DETAILS_OBJECT = 4;

export interface KeySpec {
  name: Uint8Array;
  type: number;
  slot: number;
  /** Strings: shortest and longest length (UTF-16 units); integers: largest value. */
  min: number;
  max: number;
  keys?: KeySpec[];
  index?: Uint8Array;
}

export const ascii = (s: string) => Uint8Array.from(s, (c) => c.charCodeAt(0));
const str = (name: string, slot: number, max: number, min = 0): KeySpec => ({
  name: ascii(name),
  type: STRING,
  slot,
  min,
  max,
});
const int = (name: string, slot: number, max: number): KeySpec => ({
  name: ascii(name),
  type: INTEGER,
  slot,
  min: 0,
  max,
});
const bool = (name: string, slot: number): KeySpec => ({
  name: ascii(name),
  type: BOOLEAN,
  slot,
  min: 0,
  max: 0,
});
const obj = (name: string, keys: KeySpec[]): KeySpec => ({
  name: ascii(name),
  type: OBJECT,
  slot: -1,
  min: 0,
  max: 0,
  keys,
});

const INT32_MAX = 2147483647;
const U32_MAX = 4294967295;
const STRING_MAX = 4096; // STRING_MAX_CHARS
const RAW_MAX = 8192; // RAW_MAX_BYTES: ASCII text has as many bytes as characters

/** The validator's rules (validate-security-event.ts), plus the service's: syscall.nr is an int. */
export const EVENT_KEYS: KeySpec[] = [
  str('eventKey', EVENT_KEY, 256, 1),
  str('observedAt', OBSERVED_AT, 27, 27),
  str('host', HOST, 253, 1),
  str('bootId', BOOT_ID, 64, 1),
  str('source', SOURCE, 64, 1),
  str('kind', KIND, 64, 1),
  str('action', ACTION, 64, 1),
  bool('blocked', BLOCKED),
  obj('process', [
    int('pid', PID, INT32_MAX),
    int('tid', TID, INT32_MAX),
    int('ppid', PPID, INT32_MAX),
    int('uid', UID, U32_MAX),
    int('gid', GID, U32_MAX),
    int('auid', AUID, U32_MAX),
    int('ses', SES, U32_MAX),
    str('comm', COMM, STRING_MAX),
    str('exe', EXE, STRING_MAX),
    str('cmdline', CMDLINE, STRING_MAX),
  ]),
  obj('container', [
    str('id', CONTAINER_ID, STRING_MAX),
    str('name', CONTAINER_NAME, STRING_MAX),
    str('image', CONTAINER_IMAGE, STRING_MAX),
    str('pod', POD, STRING_MAX),
    str('namespace', NAMESPACE, STRING_MAX),
  ]),
  obj('syscall', [
    str('arch', ARCH, 32, 1),
    int('nr', NR, INT32_MAX),
    str('name', SYSCALL_NAME, 128, 1),
    bool('compat', COMPAT),
  ]),
  obj('errno', [int('nr', ERRNO_NR, 4095), str('name', ERRNO_NAME, 64, 1)]),
  obj('signal', [int('nr', SIGNAL_NR, 128), str('name', SIGNAL_NAME, 64, 1)]),
  str('policy', POLICY, STRING_MAX),
  str('rule', RULE, STRING_MAX),
  str('severity', SEVERITY, STRING_MAX),
  { name: ascii('details'), type: DETAILS_OBJECT, slot: DETAILS, min: 0, max: 0 },
  str('raw', RAW, RAW_MAX),
];

const bitOf = (name: string) => 1 << EVENT_KEYS.findIndex((k) => String.fromCharCode(...k.name) === name);
export const PROCESS_BIT = bitOf('process');
export const CONTAINER_BIT = bitOf('container');
export const SYSCALL_BIT = bitOf('syscall');
export const REQUIRED_SLOTS = [EVENT_KEY, OBSERVED_AT, HOST, SOURCE, KIND, ACTION];

/** Slots of a key table's index: a key's slot comes from its length, first and last byte. */
const INDEX_SLOTS = 256;
export const lookupKey = (length: number, first: number, last: number) =>
  (length + first * 12 + last) & (INDEX_SLOTS - 1);
/**
 * A key table's keys by lookupKey (no two of a table share a slot; checked here), as an array
 * read per key of every line: slot to key + 1, 0 for none.
 */
function keyIndex(keys: KeySpec[]): Uint8Array {
  const index = new Uint8Array(INDEX_SLOTS);
  for (const [k, { name }] of keys.entries()) {
    const slot = lookupKey(name.length, name[0], name[name.length - 1]);
    if (index[slot] !== 0) throw new Error(`event-scanner: keys ${k} and ${index[slot] - 1} share a slot`);
    index[slot] = k + 1;
  }
  return index;
}
export const EVENT_INDEX = keyIndex(EVENT_KEYS);
for (const spec of EVENT_KEYS) if (spec.keys) spec.index = keyIndex(spec.keys);
