/**
 * Event times as exact microseconds since the epoch. JavaScript dates stop at milliseconds, and
 * the unique key includes `observed_at`, so the microseconds must survive the trip to Postgres
 * untouched (they travel as bigint, see violation-writer.repository.ts).
 */
const ISO_8601 = /^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?(Z|z|[+-]\d{2}:?\d{2})$/;

export const MICROS_PER_DAY = 86_400_000_000;

/** Microseconds since 1970-01-01T00:00:00Z, or undefined when `text` is not an ISO 8601 time. */
export function parseObservedAt(text: string): number | undefined {
  const m = ISO_8601.exec(text);
  if (!m) return undefined;
  const [, y, mo, d, h, mi, s, frac = '', zone] = m;
  const year = Number(y);
  const month = Number(mo);
  const day = Number(d);
  if (month < 1 || month > 12 || day < 1 || day > 31) return undefined;
  if (Number(h) > 23 || Number(mi) > 59 || Number(s) > 59) return undefined;
  const ms = Date.UTC(year, month - 1, day, Number(h), Number(mi), Number(s));
  // Date.UTC rolls 2026-02-31 over into March: refuse such dates instead.
  if (new Date(ms).getUTCDate() !== day) return undefined;
  let offsetMinutes = 0;
  if (zone !== 'Z' && zone !== 'z') {
    const sign = zone.startsWith('-') ? -1 : 1;
    const digits = zone.slice(1).replace(':', '');
    const oh = Number(digits.slice(0, 2));
    const om = Number(digits.slice(2, 4));
    if (oh > 23 || om > 59) return undefined;
    offsetMinutes = sign * (oh * 60 + om);
  }
  // Nanoseconds (Falco, Tracee) are cut to microseconds, as Postgres stores them.
  const micros = Number(frac.padEnd(6, '0').slice(0, 6));
  return (ms - offsetMinutes * 60_000) * 1000 + micros;
}

/** `2026-11-29T05:54:27.123456Z`: the wire form of an observed time. */
export function formatObservedAt(micros: number): string {
  const ms = Math.floor(micros / 1000);
  const rest = micros - ms * 1000;
  const iso = new Date(ms).toISOString(); // ....sssZ
  return `${iso.slice(0, -1)}${String(rest).padStart(3, '0')}Z`;
}

/** The UTC day (as its first microsecond) that holds `micros`. */
export function dayStartOf(micros: number): number {
  return Math.floor(micros / MICROS_PER_DAY) * MICROS_PER_DAY;
}
