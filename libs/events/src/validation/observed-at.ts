/**
 * Timestamps: every source's time becomes `YYYY-MM-DDTHH:MM:SS.ffffffZ` (UTC, microseconds),
 * the one spelling stored and compared. Sub-microsecond digits are truncated, never rounded, so
 * that the same source time always gives the same string.
 */

export interface NormalisedTime {
  /** `YYYY-MM-DDTHH:MM:SS.ffffffZ` */
  iso: string;
  /** Milliseconds since the epoch, for range checks. */
  epochMs: number;
}

const ISO_PATTERN =
  /^(\d{4})-(\d{2})-(\d{2})[Tt ](\d{2}):(\d{2}):(\d{2})(?:[.,](\d{1,9}))?(?:([Zz])|([+-])(\d{2}):?(\d{2}))$/;

const DAYS_IN_MONTH = [31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

function pad(value: number, width: number): string {
  return String(value).padStart(width, '0');
}

function format(epochMs: number, micros: number): string | undefined {
  const date = new Date(epochMs);
  const year = date.getUTCFullYear();
  if (!Number.isFinite(year) || year < 1 || year > 9999) return undefined;
  return (
    `${pad(year, 4)}-${pad(date.getUTCMonth() + 1, 2)}-${pad(date.getUTCDate(), 2)}` +
    `T${pad(date.getUTCHours(), 2)}:${pad(date.getUTCMinutes(), 2)}:${pad(date.getUTCSeconds(), 2)}` +
    `.${pad(micros, 6)}Z`
  );
}

/**
 * The second (`YYYY-MM-DDTHH:MM:SS`) of the last canonical timestamp parsed, and its epoch
 * milliseconds: an agent's batch mostly shares its seconds, and its times skip the pattern.
 */
let lastSecond = '';
let lastSecondMs = 0;

/** A canonical `YYYY-MM-DDTHH:MM:SS.ffffffZ` of the second parsed last, returned as is. */
function parseKnownSecond(text: string): NormalisedTime | undefined {
  if (text.length !== 27 || text.charCodeAt(19) !== 46 /* . */ || text.charCodeAt(26) !== 90 /* Z */) {
    return undefined;
  }
  if (!text.startsWith(lastSecond)) return undefined;
  let millis = 0;
  for (let i = 20; i < 26; i++) {
    const digit = text.charCodeAt(i) - 48;
    if (digit < 0 || digit > 9) return undefined;
    if (i < 23) millis = millis * 10 + digit;
  }
  return { iso: text, epochMs: lastSecondMs + millis };
}

/**
 * Parses an ISO 8601 / RFC 3339 timestamp that carries an offset (`Z`, `+02:00`, `+0000`).
 * A timestamp without an offset is ambiguous (whose local time?) and is refused.
 */
export function parseIsoTimestamp(text: string): NormalisedTime | undefined {
  if (text.length > 40) return undefined;
  if (lastSecond !== '') {
    const known = parseKnownSecond(text);
    if (known !== undefined) return known;
  }
  const m = ISO_PATTERN.exec(text);
  if (m === null) return undefined;
  const year = Number(m[1]);
  const month = Number(m[2]);
  const day = Number(m[3]);
  const hour = Number(m[4]);
  const minute = Number(m[5]);
  const second = Number(m[6]);
  if (month < 1 || month > 12 || day < 1 || hour > 23 || minute > 59 || second > 59) return undefined;
  const leap = year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0);
  const maxDay = month === 2 && !leap ? 28 : DAYS_IN_MONTH[month - 1];
  if (day > maxDay) return undefined;
  let offsetMinutes = 0;
  if (m[8] === undefined) {
    const offsetHours = Number(m[10]);
    const offsetMins = Number(m[11]);
    if (offsetHours > 23 || offsetMins > 59) return undefined;
    offsetMinutes = (offsetHours * 60 + offsetMins) * (m[9] === '-' ? -1 : 1);
  }
  const fraction = m[7] ?? '';
  const epochMs =
    (daysFromCivil(year, month, day) * 86_400 + hour * 3600 + minute * 60 + second) * 1000 +
    Number(fraction.slice(0, 3).padEnd(3, '0')) -
    offsetMinutes * 60_000;
  // Agents send the canonical spelling already: return it as is, without re-formatting.
  if (
    fraction.length === 6 &&
    m[8] === 'Z' &&
    year >= 1 &&
    text.charCodeAt(10) === 84 /* T */ &&
    text.charCodeAt(19) === 46 /* . */
  ) {
    lastSecond = text.slice(0, 19);
    lastSecondMs = epochMs - Number(fraction.slice(0, 3));
    return { iso: text, epochMs };
  }
  const iso = format(epochMs, Number(fraction.slice(0, 6).padEnd(6, '0')));
  return iso === undefined ? undefined : { iso, epochMs };
}

/** Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's days_from_civil). */
function daysFromCivil(year: number, month: number, day: number): number {
  const y = month <= 2 ? year - 1 : year;
  const era = Math.floor(y / 400);
  const yoe = y - era * 400;
  const doy = Math.floor((153 * (month + (month > 2 ? -3 : 9)) + 2) / 5) + day - 1;
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy;
  return era * 146097 + doe - 719468;
}

/** Nanoseconds since the epoch (as eBPF tools report them): a bigint, a safe number or digits. */
export function fromEpochNanos(value: bigint): NormalisedTime | undefined {
  if (value < 0n || value >= 253402300800000000000n) return undefined;
  const micros = value / 1000n;
  const epochMs = Number(micros / 1000n);
  const iso = format(epochMs, Number(micros % 1_000_000n));
  return iso === undefined ? undefined : { iso, epochMs };
}

/** Seconds plus nanoseconds, the shape of a protobuf Timestamp. */
export function fromSecondsAndNanos(seconds: bigint, nanos: number): NormalisedTime | undefined {
  if (!Number.isInteger(nanos) || nanos < 0 || nanos > 999_999_999) return undefined;
  return fromEpochNanos(seconds * 1_000_000_000n + BigInt(nanos));
}
