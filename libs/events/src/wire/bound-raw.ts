import { RAW_MAX_BYTES } from '../security-event.js';

/**
 * Cuts text to at most `maxBytes` of UTF-8 without splitting a character, so that `raw` stays
 * within RAW_MAX_BYTES and still decodes cleanly.
 */
export function boundRaw(text: string, maxBytes: number = RAW_MAX_BYTES): string {
  if (text.length * 3 <= maxBytes) return text;
  const bytes = Buffer.from(text, 'utf8');
  if (bytes.length <= maxBytes) return text;
  let end = maxBytes;
  // Step back over continuation bytes (10xxxxxx) to the start of the cut character.
  while (end > 0 && (bytes[end] & 0xc0) === 0x80) end -= 1;
  return bytes.subarray(0, end).toString('utf8');
}
