import type { EventAction, EventSource } from '@sandtrap/events';
import {
  ABSENT,
  ARCH,
  CONTAINER_BIT,
  CONTAINER_ID,
  CONTAINER_NAME,
  ESCAPED,
  EXE,
  HOST,
  NAMESPACE,
  NR,
  NUMBER,
  POD,
  POLICY,
  PROCESS_BIT,
  SHAPE_SLOTS,
  SYSCALL_BIT,
  SYSCALL_NAME,
} from './event-keys.js';
import type { EventShape } from './ingest-batch.js';

/**
 * The shapes of scanned events (event-scanner.ts): the EventShape (what listeners and rollups
 * read) shared by every event with the same bytes in SHAPE_SLOTS, found without making strings.
 */

/** What the scanner read of a line: per slot its kind, bytes b[start, end) and number. */
export interface ScannedSlots {
  readonly b: Buffer;
  readonly kind: Uint8Array;
  readonly start: Int32Array;
  readonly end: Int32Array;
  readonly value: Float64Array;
  /** Bits of the top-level sub-objects given (`{}` and absent differ in the event). */
  readonly given: number;
}

interface Shape {
  sig: Uint8Array;
  shape: EventShape;
  next: Shape | undefined;
}

/** Shapes (the EventShape of distinct listener fields) remembered; past it, forgotten. */
const SHAPES_MAX = 10_000;
/** Shapes by the hash of their signature (module-wide: batches of one fleet share them). */
const shapes = new Map<number, Shape>();
let shapeCount = 0;

/** The string of a slot (undefined when absent), unescaped. */
function text(slots: ScannedSlots, slot: number): string | undefined {
  const k = slots.kind[slot];
  if (k === ABSENT) return undefined;
  if (k === ESCAPED)
    return JSON.parse(slots.b.toString('latin1', slots.start[slot] - 1, slots.end[slot] + 1)) as string;
  return slots.b.toString('latin1', slots.start[slot], slots.end[slot]);
}

/**
 * The EventShape of the scanned event's shape: the same object for every event with the same bytes
 * in SHAPE_SLOTS, found by a hash of them without making strings.
 */
export function shapeOf(
  slots: ScannedSlots,
  source: EventSource,
  action: EventAction,
  blocked: boolean,
): EventShape {
  const { kind, start, end, b } = slots;
  // The signature: per slot its kind + 1, then when given its bytes and a 0 (no accepted value
  // holds a NUL byte); then the given sub-objects (`{}` and absent differ in the event).
  // Hashed straight from the line; written out only for a shape not seen yet.
  let hash = 0x811c9dc5;
  let n = 2;
  for (const slot of SHAPE_SLOTS) {
    const k = kind[slot];
    hash = Math.imul(hash ^ (k + 1), 0x01000193);
    n++;
    if (k !== ABSENT) {
      for (let j = start[slot]; j < end[slot]; j++) hash = Math.imul(hash ^ b[j], 0x01000193);
      hash = Math.imul(hash, 0x01000193);
      n += end[slot] - start[slot] + 1;
    }
  }
  hash = Math.imul(hash ^ (slots.given & 0xff), 0x01000193);
  hash = Math.imul(hash ^ ((slots.given >> 8) & 0xff), 0x01000193);
  for (let s = shapes.get(hash); s !== undefined; s = s.next) {
    if (s.sig.length === n && signatureIs(slots, s.sig)) return s.shape;
  }
  const sig = new Uint8Array(n);
  let at = 0;
  for (const slot of SHAPE_SLOTS) {
    const k = kind[slot];
    sig[at++] = k + 1;
    if (k !== ABSENT) {
      for (let j = start[slot]; j < end[slot]; j++) sig[at++] = b[j];
      sig[at++] = 0;
    }
  }
  sig[at] = slots.given & 0xff;
  sig[at + 1] = (slots.given >> 8) & 0xff;
  const shape = summary(slots, source, action, blocked);
  if (shapeCount >= SHAPES_MAX) {
    shapes.clear();
    shapeCount = 0;
  }
  shapes.set(hash, { sig, shape, next: shapes.get(hash) });
  shapeCount++;
  return shape;
}

/** Whether `sig` is the scanned event's signature (same length already checked). */
function signatureIs(slots: ScannedSlots, sig: Uint8Array): boolean {
  const { kind, start, end, b } = slots;
  let at = 0;
  for (const slot of SHAPE_SLOTS) {
    const k = kind[slot];
    if (sig[at++] !== k + 1) return false;
    if (k !== ABSENT) {
      for (let j = start[slot]; j < end[slot]; j++) if (sig[at++] !== b[j]) return false;
      if (sig[at++] !== 0) return false;
    }
  }
  return sig[at] === (slots.given & 0xff) && sig[at + 1] === ((slots.given >> 8) & 0xff);
}

function summary(
  slots: ScannedSlots,
  source: EventSource,
  action: EventAction,
  blocked: boolean,
): EventShape {
  const out: EventShape = { host: text(slots, HOST)!, source, action, blocked };
  const policy = text(slots, POLICY);
  if (policy !== undefined) out.policy = policy;
  if ((slots.given & SYSCALL_BIT) !== 0) {
    out.syscall = {};
    const arch = text(slots, ARCH);
    if (arch !== undefined) out.syscall.arch = arch;
    if (slots.kind[NR] === NUMBER) out.syscall.nr = slots.value[NR];
    const name = text(slots, SYSCALL_NAME);
    if (name !== undefined) out.syscall.name = name;
  }
  if ((slots.given & PROCESS_BIT) !== 0) {
    out.process = {};
    const exe = text(slots, EXE);
    if (exe !== undefined) out.process.exe = exe;
  }
  if ((slots.given & CONTAINER_BIT) !== 0) {
    out.container = {};
    const id = text(slots, CONTAINER_ID);
    if (id !== undefined) out.container.id = id;
    const name = text(slots, CONTAINER_NAME);
    if (name !== undefined) out.container.name = name;
    const pod = text(slots, POD);
    if (pod !== undefined) out.container.pod = pod;
    const namespace = text(slots, NAMESPACE);
    if (namespace !== undefined) out.container.namespace = namespace;
  }
  return out;
}
