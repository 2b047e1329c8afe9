import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { auditCorpus } from './support/audit-corpus.js';

const run = promisify(execFile);
const BIN = path.resolve('apps/cli/bin/sandtrap.js');

interface Result {
  code: number;
  stdout: string;
  stderr: string;
}

/** The built `sandtrap parse` (npm test builds dist first), with the parse worker settings in env. */
async function parse(args: string[], env: Record<string, string>, input?: string): Promise<Result> {
  const options = { env: { ...process.env, ...env }, maxBuffer: 1 << 30, encoding: 'latin1' as const };
  try {
    const child = run(
      process.execPath,
      input === undefined ? [BIN, 'parse', ...args] : [BIN, 'parse', ...args],
      options,
    );
    if (input !== undefined) child.child.stdin?.end(input);
    const { stdout, stderr } = await child;
    return { code: 0, stdout, stderr };
  } catch (error) {
    const e = error as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

const ONE_THREAD = { SANDTRAP_PARSE_WORKERS: '0' };
// Small chunks and short lead-ins put many chunk edges inside held events and force re-parses.
const SETTINGS: Record<string, string>[] = [
  { SANDTRAP_PARSE_WORKERS: '2' },
  // The default lead-in, sized from the spans of the states seen, over many chunk edges.
  { SANDTRAP_PARSE_WORKERS: '2', SANDTRAP_PARSE_CHUNK_BYTES: '32768' },
  { SANDTRAP_PARSE_WORKERS: '2', SANDTRAP_PARSE_CHUNK_BYTES: '4096', SANDTRAP_PARSE_PREFIX_LINES: '1' },
  { SANDTRAP_PARSE_WORKERS: '3', SANDTRAP_PARSE_CHUNK_BYTES: '65536', SANDTRAP_PARSE_PREFIX_LINES: '300' },
  { SANDTRAP_PARSE_WORKERS: '1', SANDTRAP_PARSE_CHUNK_BYTES: '20000', SANDTRAP_PARSE_PREFIX_LINES: '5000' },
];

/**
 * The worker-thread parse must write exactly what the single-threaded one writes (events on
 * stdout byte for byte and in order, errors with their line numbers, the summary), whatever the
 * chunk edges cut through: held SECCOMP events, siblings before and after them, duplicates.
 */
describe('sandtrap parse on worker threads', () => {
  let dir: string;
  const file = (name: string) => path.join(dir, name);

  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'sandtrap-parse-'));
    await writeFile(file('a.log'), auditCorpus({ events: 8_000, seed: 7 }));
    await writeFile(file('mutated.log'), auditCorpus({ events: 6_000, seed: 11, mutate: 0.15 }));
    await writeFile(file('tools.log'), auditCorpus({ events: 4_000, seed: 5, tools: true }));
    await writeFile(file('huge.log'), auditCorpus({ events: 3_000, seed: 3, huge: true }));
    await writeFile(file('empty.log'), '');
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  const same = async (args: string[]) => {
    const one = await parse(args, ONE_THREAD);
    expect(one.stdout.length).toBeGreaterThan(0);
    for (const env of SETTINGS) {
      const many = await parse(args, env);
      expect(many.code, JSON.stringify(env)).toBe(one.code);
      expect(many.stderr === one.stderr, `stderr with ${JSON.stringify(env)}`).toBe(true);
      expect(many.stdout === one.stdout, `stdout with ${JSON.stringify(env)}`).toBe(true);
    }
    return one;
  };

  it('writes the same events, errors and summary as one thread', async () => {
    const one = await same(['--host', 'h', file('a.log')]);
    expect(one.stderr).toMatch(/^parsed \d+, skipped \d+, errors \d+, lost \d+\n$/m);
    expect(one.stdout.split('\n').length).toBeGreaterThan(6_000);
  }, 120_000);

  it('the same on mutated lines, with no --host (no_host errors at release)', async () => {
    const one = await same([file('mutated.log')]);
    expect(one.stderr).toMatch(/: no_host: /);
  }, 120_000);

  it('the same with eBPF tool events among the audit lines, and over several files with labels', async () => {
    await same(['--host', 'h', file('tools.log')]);
    const one = await same([
      '--host',
      'h',
      file('a.log'),
      file('empty.log'),
      file('tools.log'),
      file('mutated.log'),
    ]);
    expect(one.stderr).toContain(`${file('mutated.log')}:`);
  }, 240_000);

  it('the same around lines past the reader bound', async () => {
    const one = await same(['--host', 'h', file('huge.log')]);
    expect(one.stderr.match(/line_too_long: line longer than the reader bound/g)).toHaveLength(2);
  }, 120_000);

  it('reports a missing file as before and goes on with the next', async () => {
    const one = await same(['--host', 'h', file('missing.log'), file('a.log')]);
    expect(one.code).toBe(2);
    expect(one.stderr).toContain(`${file('missing.log')}: ENOENT`);
  }, 120_000);

  it('reads stdin on the main thread, as before', async () => {
    const piped = await parse(['--host', 'h'], { SANDTRAP_PARSE_WORKERS: '2' }, 'garbage\n');
    expect(piped.stderr).toBe(
      '1: unrecognised_shape: not an audit.log, kernel log or journald JSON line\nparsed 0, skipped 0, errors 1, lost 0\n',
    );
  });
});
