/**
 * Event times as exact microseconds since the epoch. JavaScript dates stop at milliseconds, and
 * the unique key includes `observed_at`, so the microseconds must survive the trip to Postgres
 * untouched (they travel as bigint, see violation-writer.repository.ts).
 */
const ISO_8601 = /^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?(Z|z|[+-]\d{2}:?\d{2})$/;

export const MICROS_PER_DAY = 86_400_000_000;

/**
 * The second of the last canonical time parsed (`YYYY-MM-DDTHH:MM:SS`, checked by the full
 * parse) and its microseconds: the events of a batch mostly share their second, so they skip
 * the regular expression and Date.UTC.
 */
let lastSecond = '';
let lastSecondMicros = 0;

/** The canonical wire form `YYYY-MM-DDTHH:MM:SS.ffffffZ` of a second parsed before, or undefined. */
function parseKnownSecond(text: string): number | undefined {
  if (text.length !== 27 || text.charCodeAt(19) !== 46 /* . */ || text.charCodeAt(26) !== 90 /* Z */) {
    return undefined;
  }
  if (!text.startsWith(lastSecond)) return undefined;
  let fraction = 0;
  for (let i = 20; i < 26; i++) {
    const digit = text.charCodeAt(i) - 48;
    if (digit < 0 || digit > 9) return undefined;
    fraction = fraction * 10 + digit;
  }
  return lastSecondMicros + fraction;
}

/** Microseconds since 1970-01-01T00:00:00Z, or undefined when `text` is not an ISO 8601 time. */
export function parseObservedAt(text: string): number | undefined {
  if (lastSecond !== '') {
    const known = parseKnownSecond(text);
    if (known !== undefined) return known;
  }
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
  const secondMicros = (ms - offsetMinutes * 60_000) * 1000;
  if (zone === 'Z' && frac.length === 6 && text.length === 27 && text.charCodeAt(10) === 84 /* T */) {
    lastSecond = text.slice(0, 19);
    lastSecondMicros = secondMicros;
  }
  return secondMicros + micros;
}

/** The second last formatted (its first microsecond) and its `YYYY-MM-DDTHH:MM:SS.`. */
let formattedSecond = Number.NaN;
let formattedPrefix = '';

/** `2026-11-29T05:54:27.123456Z`: the wire form of an observed time. */
export function formatObservedAt(micros: number): string {
  const second = Math.floor(micros / 1_000_000) * 1_000_000;
  if (second !== formattedSecond) {
    formattedPrefix = new Date(second / 1000).toISOString().slice(0, -4); // drops "sssZ"
    formattedSecond = second;
  }
  return `${formattedPrefix}${String(micros - second).padStart(6, '0')}Z`;
}

/** The UTC day (as its first microsecond) that holds `micros`. */
export function dayStartOf(micros: number): number {
  return Math.floor(micros / MICROS_PER_DAY) * MICROS_PER_DAY;
}
