import { appendFileSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
// eslint-disable-next-line no-restricted-imports -- this suite drives the agent's tool source on real files
import { ToolFileSource } from '../apps/agent/src/sources/tool-file.source.js';
import { collectingContext, emittedAtLeast } from './agent-support.js';

/** A Falco alert of our own making (JSON output, one line). */
const falcoAlert = (n: number) =>
  JSON.stringify({
    time: `2026-11-29T07:00:${String(n % 60).padStart(2, '0')}.123456789Z`,
    rule: 'Unexpected syscall',
    priority: 'Warning',
    output: `alert ${n}`,
    hostname: 'somewhere-else',
    output_fields: { 'proc.pid': 100 + n, 'proc.name': 'probe', 'evt.type': 'ptrace' },
  });

describe('agent tool-file source (falco JSON output)', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'sandtrap-tool-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('adapts each line under the agent host, skips garbage, and resumes after its checkpoint', async () => {
    const file = join(dir, 'falco.json');
    writeFileSync(file, `${falcoAlert(1)}\nnot json at all\n${falcoAlert(2)}\n`);
    const ctx = collectingContext(dir, 'agent-host', 'boot');
    const emitted = ctx.emitted;
    const first = new ToolFileSource({ tool: 'falco', path: file, fromStart: true });
    await first.start(ctx);
    await emittedAtLeast(ctx, 2);
    await first.stop();
    expect(emitted.map((e) => [e.host, e.source, e.kind, e.rule])).toEqual([
      ['agent-host', 'falco', 'runtime', 'Unexpected syscall'],
      ['agent-host', 'falco', 'runtime', 'Unexpected syscall'],
    ]);
    appendFileSync(file, `${falcoAlert(3)}\n`);
    const second = new ToolFileSource({ tool: 'falco', path: file, fromStart: true });
    await second.start(ctx);
    await emittedAtLeast(ctx, 3);
    await sleep(100);
    await second.stop();
    expect(emitted).toHaveLength(3);
    expect(new Set(emitted.map((e) => e.eventKey)).size).toBe(3);
  });
});
