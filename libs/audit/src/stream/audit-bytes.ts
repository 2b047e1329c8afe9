import {
  AuditStreamParser,
  auditOutputSink,
  type AuditOutput,
  type AuditParserOptions,
  type AuditSink,
} from './audit-stream-parser.js';

/**
 * Every line of bytes[start, end) into `parser` (pushBytesTo), cut as parseAuditText cuts its
 * text: at each newline, a CR before it dropped, the last piece a line if not empty. One clock
 * reading for all. Returns the number of lines.
 */
export function pushAuditBytesTo(
  parser: AuditStreamParser,
  sink: AuditSink,
  bytes: Uint8Array,
  start = 0,
  end = bytes.length,
  nowMs = Date.now(),
): number {
  // Buffer's indexOf is memchr; a plain Uint8Array's walks element by element.
  const buf = Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let lines = 0;
  let at = start;
  while (at < end) {
    let stop = buf.indexOf(10, at);
    if (stop < 0 || stop > end) stop = end;
    const next = stop + 1;
    if (stop > at && bytes[stop - 1] === 13) stop--;
    parser.pushBytesTo(sink, buf, at, stop, undefined, nowMs);
    lines++;
    at = next;
  }
  return lines;
}

/** parseAuditText of the UTF-8 text in `bytes`, read from the bytes (AuditStreamParser.pushBytes). */
export function parseAuditBytes(bytes: Uint8Array, options?: AuditParserOptions): AuditOutput[] {
  const parser = new AuditStreamParser(options);
  const out: AuditOutput[] = [];
  const sink = auditOutputSink(out);
  pushAuditBytesTo(parser, sink, bytes);
  parser.flushTo(sink);
  return out;
}
