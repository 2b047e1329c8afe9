import { describe, expect, it } from 'vitest';
import { AuditStreamParser, type AuditOutput } from './audit-stream-parser.js';

const BODY =
  'auid=4294967295 uid=0 gid=0 ses=4294967295 pid=10270 comm="slp" exe="/tmp/slp" sig=0 arch=c000003e syscall=110 compat=0 ip=0x7f93f4882829 code=0x7ffc0000';

/** SECCOMP records with siblings before, after and far after, EOE, duplicates and serials reused. */
function lines(n: number): string[] {
  const out: string[] = [];
  let seed = 12345;
  const r = () => {
    seed = (seed * 1103515245 + 12345) & 0x7fffffff;
    return seed / 0x7fffffff;
  };
  for (let i = 0; i < n; i++) {
    const serial = r() < 0.05 ? 7 : i;
    const stamp = `audit(1795933840.${String(i % 1000).padStart(3, '0')}:${serial}):`;
    if (r() < 0.3) out.push(`type=CWD msg=${stamp} cwd="/a${i}"`);
    out.push(`type=SECCOMP msg=${stamp} ${BODY}`);
    if (r() < 0.05) out.push(`type=SECCOMP msg=${stamp} ${BODY}`);
    if (r() < 0.4)
      out.push(`type=SYSCALL msg=${stamp} arch=c000003e syscall=1 success=no exit=-1 ppid=${i} pid=5`);
    if (r() < 0.2) out.push(`type=EOE msg=${stamp} `);
    // A sibling of an event further back (past the hold bound, some of them).
    const back = i - Math.floor(r() * 400);
    if (back >= 0 && r() < 0.3)
      out.push(
        `type=PROCTITLE msg=audit(1795933840.${String(back % 1000).padStart(3, '0')}:${back}): proctitle=2F6200${i}`,
      );
    if (r() < 0.02) out.push('garbage');
  }
  return out;
}

function run(p: AuditStreamParser, input: string[], from: number, to: number): AuditOutput[] {
  const out: AuditOutput[] = [];
  for (let i = from; i < to; i++) out.push(...p.push(input[i], i + 1, 1000));
  return out;
}

describe('AuditStreamParser state export and import', () => {
  it('a parser given the exported state goes on exactly as the one it came from', () => {
    const input = lines(3000);
    const options = { host: 'h', maxHeld: 64 };
    const whole = new AuditStreamParser(options);
    const expected = [...run(whole, input, 0, input.length), ...whole.flush()];
    for (const cut of [0, 1, 17, 500, 1234, input.length - 1, input.length]) {
      const first = new AuditStreamParser(options);
      const before = run(first, input, 0, cut);
      // Through structured clone, as a worker thread gets it.
      const state = structuredClone(first.exportState());
      const second = new AuditStreamParser(options);
      second.importState(state);
      const after = [...run(second, input, cut, input.length), ...second.flush()];
      expect([...before, ...after], `cut at ${cut}`).toEqual(expected);
      // The first parser is unchanged by exporting.
      expect([...before, ...run(first, input, cut, input.length), ...first.flush()]).toEqual(expected);
    }
    expect(expected.filter((o) => o.type === 'event').length).toBeGreaterThan(3000);
  });

  it('exports held events in order with their siblings, and early siblings', () => {
    const p = new AuditStreamParser({ host: 'h' });
    p.push(`type=CWD msg=audit(1.000:9): cwd="/x"`, 1, 0);
    p.push(`type=SECCOMP msg=audit(1.000:5): ${BODY}`, 2, 0);
    p.push(`type=SYSCALL msg=audit(1.000:5): arch=c000003e syscall=1 ppid=3 pid=4`, 3, 0);
    p.push(`type=SECCOMP msg=audit(1.000:6): ${BODY}`, 4, 0);
    const state = p.exportState();
    expect(state.held.map((h) => [h.line, h.sibling?.ppid])).toEqual([
      [2, 3],
      [4, undefined],
    ]);
    expect(state.early.map((e) => [e.key, e.line, e.fields.cwd])).toEqual([[9, 1, '/x']]);
    const q = new AuditStreamParser({ host: 'h' });
    q.importState(state);
    expect(q.exportState()).toEqual(state);
  });
});
