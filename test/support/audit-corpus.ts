/**
 * Test input for the parse paths: audit lines of every shape with siblings before and after
 * their SECCOMP record (some further than the parser's hold bound), EOE, duplicates, lost
 * counts, garbage, CRLF, NUL, invalid UTF-8, long lines and random byte edits. Deterministic.
 */
export interface CorpusOptions {
  events: number;
  seed: number;
  /** Share of lines given random byte edits (0..1). */
  mutate?: number;
  /** Put a falco event in now and then. */
  tools?: boolean;
  /** Lines past the reader's bound (1 MiB of UTF-16, or 3 MiB of bytes). */
  huge?: boolean;
}

function rng(seed: number): () => number {
  let s = seed >>> 0 || 1;
  return () => {
    s ^= s << 13;
    s ^= s >>> 17;
    s ^= s << 5;
    return (s >>> 0) / 4294967296;
  };
}

const ARCHES: [string, number[]][] = [
  ['c000003e', [0, 1, 41, 59, 110, 1073741865]],
  ['c00000b7', [63, 198, 221]],
  ['40000003', [3, 11, 102]],
  ['40000028', [3, 281, 0xf0005]],
  ['deadbeef', [1]],
];
const CODES = ['0x7ffc0000', '0x50000', '0x80000000', '0x0', '0x30000', '0x7fc00000', 'zz'];
const COMMS = ['"curl"', '"nginx"', '57656220436F6E74656E74', '"py thon"', '"a\u00e9b"'];

export function auditCorpus(o: CorpusOptions): Buffer {
  const r = rng(o.seed);
  const pick = <T>(a: readonly T[]): T => a[Math.floor(r() * a.length)];
  // Lines waiting to be placed: [position in output, line].
  const later: [number, Buffer][] = [];
  const out: Buffer[] = [];
  const put = (line: string | Buffer) => out.push(typeof line === 'string' ? Buffer.from(line) : line);
  for (let i = 0; i < o.events; i++) {
    while (later.length > 0 && later[0][0] <= out.length) out.push((later.shift() as [number, Buffer])[1]);
    const serial = 1000 + (r() < 0.02 ? Math.floor(r() * 50) : i); // some serials repeat
    const sec = 1795900000 + Math.floor(i / 700);
    const stamp = `audit(${sec}.${String(i % 1000).padStart(3, '0')}:${serial}):`;
    const [arch, nrs] = pick(ARCHES);
    const code = pick(CODES);
    const subj = r() < 0.2 ? ' subj==docker-default (enforce)' : '';
    const body =
      `auid=${r() < 0.5 ? 4294967295 : 1000} uid=${Math.floor(r() * 2000)} gid=1000 ses=4294967295${subj} ` +
      `pid=${Math.floor(r() * 40000)} comm=${pick(COMMS)} exe=${r() < 0.05 ? '(null)' : '"/usr/bin/x"'} ` +
      `sig=${r() < 0.3 ? 31 : 0} arch=${arch} syscall=${pick(nrs)} compat=0 ip=0x7f${i.toString(16)} code=${code}`;
    const node = r() < 0.2 ? `node=n${Math.floor(r() * 3)} ` : '';
    const siblings = [
      `${node}type=SYSCALL msg=${stamp} arch=${arch} syscall=1 success=no exit=-1 ppid=${i % 900} pid=5 key="k${i % 4}"`,
      `${node}type=EXECVE msg=${stamp} argc=2 a0="ls" a1=2F612062`,
      `${node}type=PROCTITLE msg=${stamp} proctitle=2F746D702F736C700031`,
      `${node}type=CWD msg=${stamp} cwd="/srv/${i % 5}"`,
      `${node}type=CONTAINER_ID msg=${stamp} contid=c${i % 11}`,
    ].filter(() => r() < 0.35);
    const shape = r();
    let seccomp: string;
    if (shape < 0.5) seccomp = `${node}type=SECCOMP msg=${stamp} ${body}`;
    else if (shape < 0.6) seccomp = `5,${i},${i * 17},-;audit: type=1326 ${stamp} ${body}`;
    else if (shape < 0.7)
      seccomp = `Nov 29 06:00:01 db-${i % 4} kernel: [ 270.852] audit: type=1326 ${stamp} ${body}`;
    else if (shape < 0.75)
      seccomp = `type=ANOM_ABEND msg=${stamp} auid=1 uid=0 pid=9 comm="x" reason="seccomp" sig=31`;
    else if (shape < 0.85)
      seccomp = JSON.stringify({
        _TRANSPORT: 'audit',
        _AUDIT_TYPE: '1326',
        _AUDIT_ID: String(serial),
        _HOSTNAME: r() < 0.5 ? 'j-1' : undefined,
        _SOURCE_REALTIME_TIMESTAMP: `${sec}${String(i % 1000).padStart(3, '0')}000`,
        MESSAGE: `SECCOMP ${body}`,
      });
    else seccomp = `[ ${(i / 1000).toFixed(6)}] audit: type=1326 ${stamp} ${body}`;
    const before = siblings.filter(() => r() < 0.3);
    for (const s of before) put(s);
    put(seccomp);
    if (r() < 0.03) put(seccomp); // a second copy
    for (const s of siblings) {
      if (before.includes(s)) continue;
      const far = r();
      // Mostly next to it, sometimes beyond the hold bound (256 events).
      const gap = far < 0.7 ? 0 : far < 0.95 ? Math.floor(r() * 40) : 200 + Math.floor(r() * 900);
      if (gap === 0) put(s);
      else {
        later.push([out.length + gap, Buffer.from(s)]);
        later.sort((a, b) => a[0] - b[0]);
      }
    }
    if (r() < 0.3) put(`${node}type=EOE msg=${stamp} `);
    const noise = r();
    if (noise < 0.02) put('garbage line that is nothing');
    else if (noise < 0.03) put('');
    else if (noise < 0.04) put('[ 3.0] kauditd_printk_skb: 4 callbacks suppressed');
    else if (noise < 0.05) put(`type=SECCOMP msg=${stamp} ${body}\r`);
    else if (noise < 0.055) put(Buffer.from([0x74, 0x79, 0xff, 0xfe, 0xe2, 0x82, 0x20, 0xc3]));
    else if (noise < 0.06) put(`type=SECCOMP msg=${stamp} comm="a\u0000b" ${body}`);
    else if (noise < 0.062) put(`type=SECCOMP msg=${stamp} ${'x'.repeat(70_000)}`);
    else if (noise < 0.07) put(`{"not": "a tool", "n": ${i}}`);
    if (o.tools === true && r() < 0.01)
      put(
        JSON.stringify({
          time: '2026-11-29T06:30:40.123456789Z',
          rule: 'Terminal shell in container',
          priority: 'Notice',
          source: 'syscall',
          hostname: `f-${i}`,
          output: 'shell',
          output_fields: { 'evt.type': 'execve', 'proc.name': 'bash', 'container.id': 'abc' },
        }),
      );
    if (o.huge === true && i === Math.floor(o.events / 3)) put('y'.repeat(1024 * 1024 + 5));
    if (o.huge === true && i === Math.floor(o.events / 2)) put(Buffer.alloc(3 * 1024 * 1024 + 100, 0xe2));
  }
  for (const [, s] of later) out.push(s);
  const mutate = o.mutate ?? 0;
  for (let i = 0; i < out.length; i++) {
    if (r() >= mutate) continue;
    const b = Buffer.from(out[i]);
    for (let k = 1 + Math.floor(r() * 4); k > 0 && b.length > 0; k--) {
      // No newlines: a mutation edits one line.
      b[Math.floor(r() * b.length)] = pick([0x00, 0x20, 0x22, 0x3d, 0x0d, 0xff, 0x80, 0x61, 0x39]);
    }
    out[i] = b;
  }
  const lines: Buffer[] = [];
  for (const line of out) lines.push(line, Buffer.from(r() < 0.02 ? '\r\n' : '\n'));
  if (r() < 0.5) lines.pop(); // sometimes no final newline
  return Buffer.concat(lines);
}
