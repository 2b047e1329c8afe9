import { StringDecoder } from 'node:string_decoder';

export interface InputLine {
  text: string;
  /** Set when the line was longer than the bound; `text` is then its start only. */
  truncated: boolean;
}

/**
 * Splits a byte stream into lines without holding more than one chunk and one bounded partial
 * line, so memory stays flat on any input size. A line past `maxLineChars` is cut and flagged.
 */
export async function* readLines(
  stream: AsyncIterable<Buffer | string>,
  maxLineChars = 1024 * 1024,
): AsyncGenerator<InputLine[]> {
  const decoder = new StringDecoder('utf8');
  let partial = '';
  let overlong = false;
  for await (const chunk of stream) {
    const text = typeof chunk === 'string' ? chunk : decoder.write(chunk);
    const lines: InputLine[] = [];
    let start = 0;
    let nl = text.indexOf('\n');
    while (nl >= 0) {
      let line = start === 0 && partial.length > 0 ? partial + text.slice(0, nl) : text.slice(start, nl);
      if (start === 0) partial = '';
      if (line.charCodeAt(line.length - 1) === 13) line = line.slice(0, -1);
      const truncated = overlong || line.length > maxLineChars;
      lines.push({ text: truncated ? line.slice(0, maxLineChars) : line, truncated });
      overlong = false;
      start = nl + 1;
      nl = text.indexOf('\n', start);
    }
    if (start < text.length) {
      partial = start === 0 ? partial + text : text.slice(start);
      if (partial.length > maxLineChars) {
        partial = partial.slice(0, maxLineChars);
        overlong = true;
      }
    }
    if (lines.length > 0) yield lines;
  }
  const rest = partial + decoder.end();
  if (rest.length > 0)
    yield [{ text: rest.slice(0, maxLineChars), truncated: overlong || rest.length > maxLineChars }];
}
