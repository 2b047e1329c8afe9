import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { RAW_MAX_BYTES } from '../security-event.js';
import { detectTool } from './detect-tool.js';
import { createToolAdapter, LINE_MAX_CHARS, TOOL_NAMES, type ToolName } from './tool-adapter.js';

function fixture(tool: ToolName): string[] {
  return readFileSync(new URL(`../../../../test/fixtures/events/${tool}.jsonl`, import.meta.url), 'utf8')
    .split('\n')
    .filter((line) => line.length > 0);
}

describe('createToolAdapter', () => {
  it('refuses lines that are not JSON, with code invalid_json', () => {
    for (const tool of TOOL_NAMES) {
      const adapter = createToolAdapter(tool, { host: 'h' });
      for (const line of ['{"rule":', 'not json', '{"a":1}}', '\u0000', fixture(tool)[0].slice(0, -7)]) {
        const result = adapter.adaptLine(line);
        expect(result.ok ? 'ok' : result.error.code, `${tool}: ${line.slice(0, 40)}`).toBe('invalid_json');
      }
    }
  });

  it('refuses over-long lines before parsing them', () => {
    const line = `{"rule":"${'x'.repeat(LINE_MAX_CHARS)}"}`;
    const result = createToolAdapter('falco', { host: 'h' }).adaptLine(line);
    expect(result).toEqual({
      ok: false,
      error: { code: 'line_too_long', message: expect.stringContaining('1048576') },
    });
  });

  it('answers a pathologically nested line with an error, not a stack overflow', () => {
    const deep = `${'['.repeat(100_000)}${']'.repeat(100_000)}`;
    const line = `{"rule":"r","hostname":"h","time":"2026-03-02T10:00:00Z","tags":${deep}}`;
    const result = createToolAdapter('falco').adaptLine(line);
    expect(result).toEqual({
      ok: false,
      error: { code: 'adapter_failed', message: expect.stringContaining('nested deeper than 256') },
    });
  });

  it('skips blank lines and tolerates CRLF', () => {
    const adapter = createToolAdapter('falco');
    expect(adapter.adaptLine('')).toEqual({ ok: true, event: null });
    expect(adapter.adaptLine('  \r')).toEqual({ ok: true, event: null });
    const crlf = adapter.adaptLine(`${fixture('falco')[0]}\r`);
    expect(crlf.ok && crlf.event?.raw).toBe(fixture('falco')[0]);
  });

  it('bounds raw and huge strings so the event stays storable', () => {
    const huge = 'A'.repeat(200_000);
    const line = JSON.stringify({
      rule: 'r',
      hostname: 'h',
      time: '2026-03-02T10:00:00Z',
      output: huge,
      output_fields: { 'proc.cmdline': huge, 'fd.name': huge },
    });
    const result = createToolAdapter('falco').adaptLine(line);
    expect(result.ok).toBe(true);
    if (!result.ok || result.event === null) return;
    expect(Buffer.byteLength(result.event.raw ?? '')).toBeLessThanOrEqual(RAW_MAX_BYTES);
    expect(result.event.process?.cmdline?.length).toBe(4096);
    expect(String(result.event.details?.output).length).toBe(4097);
  });

  it('leaves the time window to the caller unless maxFutureSkewMs is given', () => {
    const alert = { rule: 'r', hostname: 'h'.repeat(300), time: '2126-03-02T10:00:00Z' };
    const open = createToolAdapter('falco').adapt(alert);
    expect(open.ok && open.event?.host).toBe('h'.repeat(253));
    const bounded = createToolAdapter('falco', { maxFutureSkewMs: 60_000 }).adapt(alert);
    expect(bounded).toEqual({
      ok: false,
      error: { code: 'invalid_event', message: expect.stringContaining('/observedAt') },
    });
  });

  it('gives every fixture event a stable key: adapting twice yields the same key', () => {
    for (const tool of TOOL_NAMES) {
      for (const line of fixture(tool)) {
        const a = createToolAdapter(tool, { host: 'h', now: () => 0 }).adaptLine(line);
        const b = createToolAdapter(tool, { host: 'h', now: () => 0 }).adaptLine(line);
        expect(a.ok && b.ok).toBe(true);
        if (a.ok && b.ok) expect(a.event?.eventKey).toBe(b.event?.eventKey);
      }
    }
  });
});

describe('detectTool', () => {
  it('recognises every fixture of every tool', () => {
    for (const tool of TOOL_NAMES) {
      for (const line of fixture(tool))
        expect(detectTool(JSON.parse(line)), `${tool}: ${line.slice(0, 60)}`).toBe(tool);
    }
  });

  it('recognises shapes without their usual markers', () => {
    expect(detectTool({ timestamp: { seconds: '1', nanos: 0 }, name: 'sig', threat: {} })).toBe('tracee');
    expect(detectTool({ proc: { comm: 'x' }, code_raw: 0, syscall: 'SYS_X' })).toBe('inspektor-gadget');
  });

  it('returns undefined for anything else', () => {
    for (const value of [null, 1, 'falco', [], {}, { rule: 1 }, { code: 'log' }, { timestamp: 1 }]) {
      expect(detectTool(value)).toBeUndefined();
    }
  });
});
