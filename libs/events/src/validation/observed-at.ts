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
 * Parses an ISO 8601 / RFC 3339 timestamp that carries an offset (`Z`, `+02:00`, `+0000`).
 * A timestamp without an offset is ambiguous (whose local time?) and is refused.
 */
export function parseIsoTimestamp(text: string): NormalisedTime | undefined {
  if (text.length > 40) return undefined;
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
  const fraction = (m[7] ?? '').padEnd(9, '0');
  const millis = Number(fraction.slice(0, 3));
  const micros = Number(fraction.slice(0, 6));
  const base = new Date(0);
  base.setUTCFullYear(year, month - 1, day);
  base.setUTCHours(hour, minute, second, millis);
  const epochMs = base.getTime() - offsetMinutes * 60_000;
  const iso = format(epochMs, micros);
  return iso === undefined ? undefined : { iso, epochMs };
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
