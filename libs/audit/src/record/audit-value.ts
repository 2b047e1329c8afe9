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

function isUpperHex(text: string): boolean {
  if (text.length === 0 || text.length % 2 !== 0) return false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (!((c >= 48 && c <= 57) || (c >= 65 && c <= 70))) return false;
  }
  return true;
}

/**
 * An untrusted string value as the kernel logs it (audit_log_untrustedstring): quoted when
 * harmless, else upper-case hex without quotes. `raw` is the value without its quotes;
 * `quoted` says whether it had them. Returns undefined for `?` (unknown).
 */
export function untrustedString(raw: string, quoted: boolean): string | undefined {
  if (quoted) return raw;
  if (raw === '?' || raw === '(null)') return undefined;
  // Hex is how the kernel escapes a value with a space, quote or control byte; NULs separate argv.
  if (isUpperHex(raw))
    return Buffer.from(raw, 'hex').toString('utf8').replace(/\0+$/, '').replace(/\0/g, ' ');
  return raw;
}
