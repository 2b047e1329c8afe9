import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { readLines, type InputLine } from './line-reader.js';
import { ParseRun, type ParseFormat } from './parse-run.js';
import { StdoutSink } from './stdout-sink.js';

const SECCOMP =
  'type=SECCOMP msg=audit(1795933840.675:75): auid=4294967295 uid=0 gid=0 ses=4294967295 pid=10270 comm="slp" exe="/tmp/slp" sig=0 arch=c000003e syscall=110 compat=0 ip=0x7f93f4882829 code=0x7ffc0000';
const FALCO = JSON.stringify({
  time: '2026-11-29T06:30:40.123456789Z',
  rule: 'Terminal shell in container',
  priority: 'Notice',
  source: 'syscall',
  hostname: 'f-1',
  output: 'shell',
  output_fields: { 'evt.type': 'execve', 'proc.name': 'bash', 'container.id': 'abc' },
});

async function* batches(lines: string[]): AsyncGenerator<InputLine[]> {
  yield lines.map((text) => ({ text, truncated: false }));
}

async function run(lines: string[], from: ParseFormat = 'auto', host: string | null = 'h') {
  const stream = new PassThrough();
  const chunks: string[] = [];
  stream.on('data', (c: Buffer) => chunks.push(c.toString()));
  const sink = new StdoutSink(stream);
  const errors: string[] = [];
  const parse = new ParseRun({ from, host: host ?? undefined }, sink, (t) => errors.push(t));
  await parse.consume(batches(lines));
  await sink.end();
  const events = chunks
    .join('')
    .split('\n')
    .filter((l) => l.length > 0)
    .map((l) => JSON.parse(l) as { source: string; host: string; syscall?: { name?: string } });
  return { events, errors, summary: parse.summary() };
}

describe('ParseRun', () => {
  it('auto-detects audit lines and eBPF tool JSON, reports garbage with line numbers', async () => {
    const r = await run(['garbage', SECCOMP, FALCO, '{"not": "a tool"}', '']);
    // Audit events wait briefly for sibling records, so they may come after a later tool event.
    expect(r.events.map((e) => e.source).sort()).toEqual(['auditd', 'falco']);
    expect(r.events.find((e) => e.source === 'auditd')?.syscall?.name).toBe('getppid');
    expect(r.errors).toEqual([
      '1: unrecognised_shape: not an audit.log, kernel log or journald JSON line',
      expect.stringMatching(/^4: /),
    ]);
    expect(r.summary).toEqual({ parsed: 2, skipped: 1, errors: 2, lost: 0 });
  });

  it('forces a tool and forces the audit source', async () => {
    const falco = await run([FALCO, SECCOMP], 'falco');
    expect(falco.events).toHaveLength(1);
    expect(falco.summary.errors).toBe(1);
    const kmsg = await run([SECCOMP], 'kmsg');
    expect(kmsg.events[0].source).toBe('kmsg');
  });

  it('reports no_host when --host is missing and the line names none', async () => {
    const r = await run([SECCOMP], 'auto', null);
    expect(r.errors).toEqual([expect.stringMatching(/^1: no_host: /)]);
  });
});

describe('ParseRun.lineBytes', () => {
  const JOURNALD = JSON.stringify({
    _TRANSPORT: 'audit',
    _AUDIT_TYPE: '1326',
    _AUDIT_ID: '76',
    _SOURCE_REALTIME_TIMESTAMP: '1795933840675000',
    MESSAGE: SECCOMP.slice(SECCOMP.indexOf('auid=')).replace('auid', 'SECCOMP auid'),
  });
  const LINES = [
    SECCOMP,
    FALCO,
    JOURNALD,
    '{"not": "a tool"}',
    '{"_TRANSPORT":"x"',
    'garbage',
    'é ' + SECCOMP,
    '',
  ];

  /** What line() or lineBytes() writes and reports for LINES (the last one truncated). */
  function outputs(from: ParseFormat, bytes: boolean) {
    const written: string[] = [];
    const sink = new StdoutSink(new PassThrough());
    sink.write = (line) => written.push(line);
    const errors: string[] = [];
    const parse = new ParseRun({ from, host: 'h' }, sink, (t) => errors.push(t));
    const buf = Buffer.from(`\n${LINES.join('\n')}\n`);
    let start = 1;
    LINES.forEach((line, i) => {
      const end = start + Buffer.byteLength(line);
      const truncated = i === LINES.length - 1;
      if (bytes) parse.lineBytes(buf, start, end, truncated, i + 1, 1000);
      else parse.line(line, truncated, i + 1, 1000);
      start = end + 1;
    });
    parse.end();
    return { written, taken: sink.take().map((b) => b.toString()), errors, summary: parse.summary() };
  }

  it.each<ParseFormat>(['auto', 'audit', 'falco'])('writes what line() writes (--from %s)', (from) => {
    const want = outputs(from, false);
    expect(want.summary.parsed).toBeGreaterThan(0);
    expect(outputs(from, true)).toEqual(want);
  });
});

describe('readLines', () => {
  async function collect(chunks: string[], max?: number) {
    const out: InputLine[] = [];
    for await (const batch of readLines(
      (async function* () {
        for (const c of chunks) yield Buffer.from(c);
      })(),
      max,
    ))
      out.push(...batch);
    return out;
  }

  it('joins lines split across chunks, strips CR and keeps a last line without newline', async () => {
    const lines = await collect(['ab', 'c\r\nde', 'f\ng']);
    expect(lines.map((l) => l.text)).toEqual(['abc', 'def', 'g']);
  });

  it('decodes UTF-8 split inside a character and flags overlong lines', async () => {
    const bytes = Buffer.from('é\n');
    const lines: InputLine[] = [];
    for await (const b of readLines(
      (async function* () {
        yield bytes.subarray(0, 1);
        yield bytes.subarray(1);
      })(),
    ))
      lines.push(...b);
    expect(lines).toEqual([{ text: 'é', truncated: false }]);
    const long = await collect(['x'.repeat(10), 'y'.repeat(10), '\nok\n'], 8);
    expect(long).toEqual([
      { text: 'xxxxxxxx', truncated: true },
      { text: 'ok', truncated: false },
    ]);
  });
});
