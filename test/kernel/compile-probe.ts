import { execFile } from 'node:child_process';
import { rmSync } from 'node:fs';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const run = promisify(execFile);

export const PROBE_SOURCE = fileURLToPath(new URL('./seccomp-probe.c', import.meta.url));

let compiled: Promise<string> | undefined;

/**
 * Compiles test/kernel/seccomp-probe.c with gcc into a fresh temp dir and returns the binary's
 * path. Compiled once per test process (the promise is shared), so suites may call it freely.
 */
export function compileProbe(): Promise<string> {
  compiled ??= compile().catch((error: unknown) => {
    compiled = undefined; // let a later call retry rather than cache the failure
    throw error;
  });
  return compiled;
}

async function compile(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'sandtrap-probe-'));
  const binary = join(dir, 'seccomp-probe');
  // Each test process compiles its own copy; leave no trace in /tmp when it ends.
  process.once('exit', () => rmSync(dir, { recursive: true, force: true }));
  try {
    await run('gcc', ['-O2', '-Wall', '-Wextra', '-Werror', '-o', binary, PROBE_SOURCE, '-lpthread']);
  } catch (error) {
    const stderr = (error as { stderr?: string }).stderr ?? '';
    throw new Error(`gcc failed to compile ${PROBE_SOURCE}: ${stderr || String(error)}`, { cause: error });
  }
  return binary;
}
