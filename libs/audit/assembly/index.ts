// The byte reader's WebAssembly module: what byte-body.ts (its JS side) uses. A JS byte loop
// costs about 1 ns a byte; here the bytes of the lines the kernel and auditd write every day are
// read at a fraction of that. Built into src/record/byte-reader-wasm.generated.ts by
// `node libs/audit/scripts/build-wasm.mjs` (a spec checks the committed module is this source's).
//   shared.ts    the input and its layout
//   intern.ts    repeated values interned by their bytes, string entries
//   body.ts      the SECCOMP body
//   line.ts      whole SECCOMP lines: auditd, enriched, kmsg, dmesg, syslog
//   journald.ts  journald's JSON members
//   text.ts      the window's newlines, JSON strings
//   event-json.ts  the JSON line of a SECCOMP event

export { COPY_AT, INPUT, INPUT_SIZE, VALUES_AT, VALUES_SIZE, WINDOW_SIZE } from './shared';
export { KEY_KIND, KEY_LENGTH, KEY_WORD, NUMBERS, PRESENT, STRINGS, body, setKeys } from './body';
export { HEADER, HOST_ENTRY, line } from './line';
export { MEMBER_END, MEMBER_START, NAME_LENGTH, NAME_TEXT, journald, setNames } from './journald';
export { JSON_IN, JSON_MAX, JSON_OUT, NEWLINE_AT, jsonString, newlines } from './text';
export {
  EVENT_NUMBERS,
  EVENT_OUT,
  EVENT_OUT_SIZE,
  EVENT_PIECES,
  EVENT_STRINGS,
  EVENT_TEXT,
  PIECE_AT,
  PIECE_BYTES,
  PIECE_BYTES_SIZE,
  PIECE_COUNT,
  PIECE_LENGTH,
  PIECE_MAX,
  TEXT_MAX,
  eventJson,
} from './event-json';
