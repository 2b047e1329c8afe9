import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { access, constants, lstat, mkdir, mkdtemp, readFile, rename, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const run = promisify(execFile);

export const PROBE_SOURCE = fileURLToPath(new URL('./seccomp-probe.c', import.meta.url));

let compiled: Promise<string> | undefined;

/**
 * Compiles test/kernel/seccomp-probe.c with gcc and returns the binary's path. The binary lives
 * in a temp dir named after the source's hash, so test processes share one build per version of
 * the source (and /tmp does not fill up with copies); within a process the promise is shared.
 */
export function compileProbe(): Promise<string> {
  compiled ??= compile().catch((error: unknown) => {
    compiled = undefined; // let a later call retry rather than cache the failure
    throw error;
  });
  return compiled;
}

async function compile(): Promise<string> {
  const source = await readFile(PROBE_SOURCE);
  const hash = createHash('sha256').update(source).digest('hex').slice(0, 16);
  let dir = join(tmpdir(), `sandtrap-probe-${hash}`);
  await mkdir(dir, { mode: 0o700 }).catch((error: NodeJS.ErrnoException) => {
    if (error.code !== 'EEXIST') throw error;
  });
  // Tests run it as root: trust a shared dir only if it is ours and nobody else can write to it.
  const info = await lstat(dir);
  if (!info.isDirectory() || info.uid !== process.getuid?.() || (info.mode & 0o022) !== 0) {
    dir = await mkdtemp(join(tmpdir(), 'sandtrap-probe-'));
  }
  const binary = join(dir, 'seccomp-probe');
  const built = await access(binary, constants.X_OK).then(
    () => true,
    () => false,
  );
  if (built) return binary;
  // Build beside it and rename: processes compiling at once never see a half-written binary.
  const partial = `${binary}.${process.pid}.tmp`;
  try {
    await run('gcc', ['-O2', '-Wall', '-Wextra', '-Werror', '-o', partial, PROBE_SOURCE, '-lpthread']);
    await rename(partial, binary);
  } catch (error) {
    await rm(partial, { force: true });
    const stderr = (error as { stderr?: string }).stderr ?? '';
    throw new Error(`gcc failed to compile ${PROBE_SOURCE}: ${stderr || String(error)}`, { cause: error });
  }
  return binary;
}
