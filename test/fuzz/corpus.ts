import { readFileSync } from 'node:fs';
import path from 'node:path';
import fc from 'fast-check';
import type { ToolName } from '@sandtrap/events';

/**
 * Seeds: audit lines of the shapes the kernel and auditd write (kmsg, audit.log, journald), and
 * the project's own tool fixtures. Mutations start from these so that the fuzzers reach deep
 * into the parsers instead of failing at the first byte.
 */
export const AUDIT_SEEDS: readonly string[] = [
  'type=SECCOMP msg=audit(1764400123.456:8812): auid=1000 uid=1000 gid=1000 ses=3 subj=unconfined pid=4242 comm="curl" exe="/usr/bin/curl" sig=31 arch=c000003e syscall=101 compat=0 ip=0x7f31a2b4c5d6 code=0x80000000',
  'type=SECCOMP msg=audit(1764400123.457:8813): auid=4294967295 uid=0 gid=0 ses=4294967295 pid=77 comm=2F62696E2F7368 exe="/bin/busybox" sig=0 arch=40000003 syscall=26 compat=1 ip=0xf7f0a1b2 code=0x50001',
  '[12345.678901] audit: type=1326 audit(1764400200.001:99): auid=4294967295 uid=65534 gid=65534 ses=4294967295 subj=cri-containerd.apparmor.d pid=9001 comm="node" exe="/usr/local/bin/node" sig=0 arch=c00000b7 syscall=220 compat=0 ip=0xffff8a1b2c3d code=0x7ffc0000',
  'audit: type=1326 audit(1764400300.100:5): auid=1000 uid=1000 gid=1000 ses=2 pid=3131 comm="python3" exe="/usr/bin/python3.12" sig=0 arch=c000003e syscall=165 compat=0 ip=0x7f00 code=0x7ff00000',
  'type=SYSCALL msg=audit(1764400123.456:8812): arch=c000003e syscall=101 success=no exit=-1 a0=10 a1=0 a2=0 a3=0 items=0 ppid=4200 pid=4242 auid=1000 uid=1000 gid=1000 euid=1000 suid=1000 fsuid=1000 egid=1000 sgid=1000 fsgid=1000 tty=pts0 ses=3 comm="curl" exe="/usr/bin/curl" key=(null)',
  'type=PROCTITLE msg=audit(1764400123.456:8812): proctitle=6375726C002D73006874747073',
  'type=CWD msg=audit(1764400123.456:8812): cwd="/home/dev"',
  'type=EOE msg=audit(1764400123.456:8812): ',
  'node=worker-3 type=SECCOMP msg=audit(1764400400.900:1201): auid=1000 uid=1000 gid=1000 ses=9 pid=555 comm="sh" exe="/bin/dash" sig=31 arch=c000003e syscall=59 compat=0 ip=0x7f code=0x0',
  'type=DAEMON_LOST msg=audit(1764400500.000:0): lost=17',
  'type=SECCOMP msg=audit(1764400600.123:42): pid=1 comm="a b" exe=(null) sig=0 arch=c000003e syscall=99999 compat=0 ip=0x0 code=0x7fc00000',
];

const FIXTURES = path.resolve('test/fixtures/events');

/** The JSON seed events of each tool (one object per line of its fixture). */
export function toolSeeds(tool: ToolName): unknown[] {
  return readFileSync(path.join(FIXTURES, `${tool}.jsonl`), 'utf8')
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => JSON.parse(l) as unknown);
}

/** A valid SecurityEvent seed for the validator and the events endpoint. */
export function eventSeed(i: number): Record<string, unknown> {
  return {
    eventKey: `b00t-${i}:1764400000.${i}:${i}`,
    observedAt: new Date(Date.now() - 600_000 + i).toISOString().replace('Z', '123Z'),
    host: `fuzz-host-${i % 3}`,
    bootId: 'b00t',
    source: 'kmsg',
    kind: 'seccomp',
    process: { pid: 4242, uid: 1000, gid: 1000, comm: 'curl', exe: '/usr/bin/curl', cmdline: 'curl -s x' },
    container: { id: 'c0ffee', name: 'web', image: 'nginx:1.27', pod: 'web-1', namespace: 'prod' },
    syscall: { arch: 'x86_64', nr: 101, name: 'ptrace', compat: false },
    action: 'kill_process',
    signal: { nr: 31, name: 'SIGSYS' },
    blocked: true,
    details: { code: '0x80000000', tags: ['a', 1, null] },
    raw: 'type=SECCOMP msg=audit(1764400000.1:1): pid=4242',
  };
}

/** Byte-level edits of a text: insert, delete, overwrite, duplicate, truncate. */
const edit = fc.record({
  op: fc.constantFrom('insert', 'delete', 'overwrite', 'duplicate', 'truncate'),
  at: fc.nat(),
  len: fc.nat({ max: 40 }),
  text: fc.oneof(
    fc.string({ unit: 'binary', maxLength: 20 }),
    fc.constantFrom(
      '"',
      '=',
      ' ',
      ':',
      ')',
      '(',
      '\\',
      '\n',
      '\u0000',
      '\ud800',
      '0x',
      '-1',
      '99999999999999999999',
      '{',
      '}',
      '[',
      ']',
      ',',
      'null',
    ),
  ),
});

export function mutatedText(seeds: readonly string[]): fc.Arbitrary<string> {
  return fc.tuple(fc.constantFrom(...seeds), fc.array(edit, { maxLength: 6 })).map(([seed, edits]) => {
    let s = seed;
    for (const e of edits) {
      const at = s.length === 0 ? 0 : e.at % (s.length + 1);
      if (e.op === 'insert') s = s.slice(0, at) + e.text + s.slice(at);
      else if (e.op === 'delete') s = s.slice(0, at) + s.slice(at + e.len);
      else if (e.op === 'overwrite') s = s.slice(0, at) + e.text + s.slice(at + e.text.length);
      else if (e.op === 'duplicate') s = s.slice(0, at) + s.slice(at, at + e.len) + s.slice(at);
      else s = s.slice(0, at);
    }
    return s;
  });
}

/** Every path (list of keys) into a JSON value. */
function paths(value: unknown, prefix: Array<string | number> = [], out: Array<Array<string | number>> = []) {
  out.push(prefix);
  if (Array.isArray(value)) value.forEach((v, i) => paths(v, [...prefix, i], out));
  else if (value !== null && typeof value === 'object')
    for (const [k, v] of Object.entries(value)) paths(v, [...prefix, k], out);
  return out;
}

const replacement = fc.oneof(
  fc.jsonValue({ maxDepth: 2 }),
  fc.constantFrom(null, '', -1, 2 ** 53, 1e308, -0, 'x'.repeat(5000), '\u0000', '\ud83d', [], {}, true),
);

/** A seed object with some values (leaves or whole subtrees) replaced by other JSON. */
export function mutatedJson(seeds: readonly unknown[]): fc.Arbitrary<unknown> {
  return fc
    .tuple(
      fc.constantFrom(...seeds),
      fc.array(fc.tuple(fc.nat(), replacement, fc.boolean()), { maxLength: 5 }),
    )
    .map(([seed, changes]) => {
      const current = structuredClone(seed) as unknown;
      for (const [pick, value, remove] of changes) {
        const all = paths(current).filter((p) => p.length > 0);
        if (all.length === 0) return value;
        const p = all[pick % all.length];
        let parent = current as Record<string | number, unknown>;
        for (const k of p.slice(0, -1)) parent = parent[k] as Record<string | number, unknown>;
        const last = p[p.length - 1];
        if (remove && !Array.isArray(parent)) delete parent[last];
        else parent[last] = value;
      }
      return current;
    });
}
