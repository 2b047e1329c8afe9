import { AuditParseError } from '../audit-error.js';

/** Decimal integer in text[start, end), optionally signed; throws on anything else. */
export function decimalAt(text: string, start: number, end: number, field: string): number {
  let i = start;
  let negative = false;
  if (text.charCodeAt(i) === 45 /* - */) {
    negative = true;
    i++;
  }
  if (i >= end || end - i > 16) throw new AuditParseError('malformed_record', `${field} is not a number`);
  let value = 0;
  for (; i < end; i++) {
    const c = text.charCodeAt(i) - 48;
    if (c < 0 || c > 9) throw new AuditParseError('malformed_record', `${field} is not a number`);
    value = value * 10 + c;
  }
  return negative ? -value : value;
}

/** Value of an upper-case hex digit, or -1. */
function upperHexDigit(c: number): number {
  if (c >= 48 && c <= 57) return c - 48;
  if (c >= 65 && c <= 70) return c - 55;
  return -1;
}

// Decoded bytes of one value; grown when a longer value comes.
let bytes = new Uint8Array(256);

/**
 * text[start, end) decoded as the kernel's upper-case hex, or undefined when it is not that.
 * Trailing NULs are dropped and inner ones (argv separators) become spaces.
 */
function decodeUpperHex(text: string, start: number, end: number): string | undefined {
  const length = end - start;
  if (length === 0 || length % 2 !== 0) return undefined;
  const n = length / 2;
  if (n > bytes.length) bytes = new Uint8Array(n * 2);
  let ascii = true;
  for (let i = 0; i < n; i++) {
    const hi = upperHexDigit(text.charCodeAt(start + 2 * i));
    const lo = upperHexDigit(text.charCodeAt(start + 2 * i + 1));
    if (hi < 0 || lo < 0) return undefined;
    const b = (hi << 4) | lo;
    if (b >= 0x80) ascii = false;
    bytes[i] = b;
  }
  let used = n;
  while (used > 0 && bytes[used - 1] === 0) used--;
  for (let i = 0; i < used; i++) if (bytes[i] === 0) bytes[i] = 32;
  // ASCII bytes are their own UTF-16 code units; anything else goes through the UTF-8 decoder.
  if (ascii && used <= 1024)
    return String.fromCharCode.apply(null, bytes.subarray(0, used) as unknown as number[]);
  return Buffer.from(bytes.buffer, 0, used).toString('utf8');
}

/**
 * An untrusted string value as the kernel logs it (audit_log_untrustedstring): quoted when
 * harmless, else upper-case hex without quotes. `raw` is the value without its quotes;
 * `quoted` says whether it had them. Returns undefined for `?` (unknown).
 */
export function untrustedString(raw: string, quoted: boolean): string | undefined {
  return untrustedStringAt(raw, 0, raw.length, quoted);
}

/** untrustedString of text[start, end), without slicing the hex form. */
export function untrustedStringAt(
  text: string,
  start: number,
  end: number,
  quoted: boolean,
): string | undefined {
  if (quoted) return text.slice(start, end);
  const length = end - start;
  if (length === 1 && text.charCodeAt(start) === 63 /* ? */) return undefined;
  if (length === 6 && text.startsWith('(null)', start)) return undefined;
  // Hex is how the kernel escapes a value with a space, quote or control byte; NULs separate argv.
  return decodeUpperHex(text, start, end) ?? text.slice(start, end);
}
