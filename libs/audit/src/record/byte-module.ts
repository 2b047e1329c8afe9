import { BYTE_READER_WASM } from './byte-reader-wasm.generated.js';

/**
 * The byte reader's WebAssembly module (../../assembly/index.ts and the files it names, where its
 * rules are), instantiated once per thread: byte-body.ts reads with it, seccomp-parts-module.ts
 * writes events' JSON lines with it.
 */

// The module's exports: functions, and constants (WebAssembly.Global) for its sizes and where
// its areas are in its memory.
export type ByteModule = Record<string, unknown> & {
  memory: WebAssembly.Memory;
  setKeys(count: number): void;
  setNames(count: number): void;
  body(start: number, end: number): number;
  line(start: number, end: number): number;
  journald(start: number, end: number): number;
  newlines(size: number): number;
  jsonString(n: number): number;
  eventJson(rawLength: number): number;
};

export const wasm = new WebAssembly.Instance(new WebAssembly.Module(Buffer.from(BYTE_READER_WASM, 'base64')))
  .exports as ByteModule;

/** The value of one of the module's constants. */
export const constant = (name: string): number => (wasm[name] as WebAssembly.Global).value as number;

/** The module's memory: it never grows (its areas are static), so views over it stay valid. */
export const memory = wasm.memory.buffer;
