import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
// eslint-disable-next-line no-restricted-imports -- this suite drives the agent's journald source with a stand-in journalctl
import { JournaldSource } from '../apps/agent/src/sources/journald.source.js';
import { collectingContext, emittedAtLeast } from './agent-support.js';

/** A journald entry of the audit transport, of our own making. */
const entry = (serial: number) =>
  JSON.stringify({
    __CURSOR: `s=feed;i=${serial}`,
    __REALTIME_TIMESTAMP: '1795935734200000',
    _TRANSPORT: 'audit',
    _AUDIT_TYPE: '1326',
    _AUDIT_ID: String(serial),
    _AUDIT_TYPE_NAME: 'SECCOMP',
    _SOURCE_REALTIME_TIMESTAMP: '1795935734175000',
    MESSAGE: `SECCOMP auid=0 uid=0 gid=0 ses=1 subj=? pid=${700 + serial} comm="probe" exe="/usr/bin/probe" sig=0 arch=c000003e syscall=110 compat=0 ip=0x7f00 code=0x7ffc0000`,
  });

describe('agent journald source (stand-in journalctl)', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'sandtrap-journald-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('parses audit-transport entries, skips garbage, saves the cursor and resumes after it', async () => {
    const fake = join(dir, 'journalctl');
    const argsFile = join(dir, 'args');
    const output = join(dir, 'output');
    writeFileSync(output, `${entry(41)}\n{not json\n${entry(42)}\n`);
    writeFileSync(fake, `#!/bin/sh\necho "$@" >> ${argsFile}\ncat ${output}\nexec sleep 30\n`);
    chmodSync(fake, 0o755);
    const ctx = collectingContext(dir, 'agent-host', '0c0ffee0-0000-4000-8000-000000000000');
    const emitted = ctx.emitted;
    const source = new JournaldSource({ journalctl: fake });
    await source.start(ctx);
    await emittedAtLeast(ctx, 2);
    await sleep(150);
    await source.stop();
    expect(emitted.map((e) => [e.source, e.host, e.action, e.syscall?.name, e.process?.pid])).toEqual([
      ['journald', 'agent-host', 'log', 'getppid', 741],
      ['journald', 'agent-host', 'log', 'getppid', 742],
    ]);
    expect(emitted[0].eventKey.startsWith(ctx.bootId)).toBe(true);
    expect(JSON.parse(readFileSync(join(ctx.stateDir, 'cursor.json'), 'utf8'))).toEqual({
      cursor: 's=feed;i=42',
    });

    const again = new JournaldSource({ journalctl: fake });
    await again.start(ctx);
    await sleep(200);
    await again.stop();
    const calls = readFileSync(argsFile, 'utf8').trim().split('\n');
    expect(calls[0]).toContain('-n 0');
    expect(calls[1]).toContain('--after-cursor s=feed;i=42');
  });
});
