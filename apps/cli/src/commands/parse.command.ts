import { createReadStream, statSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { Option, type Command } from 'commander';
import { PARSE_FORMATS, isTool, type ParseFormat } from '../parse/parse-format.js';

interface ParseOptions {
  from: ParseFormat;
  host?: string;
  bootId?: string;
}

export function registerParseCommand(program: Command): void {
  program
    .command('parse')
    .description('Read audit/kmsg/journald lines or eBPF tool events and write one SecurityEvent JSON a line')
    .addOption(new Option('--from <format>', 'input format').choices(PARSE_FORMATS).default('auto'))
    .option('--host <name>', 'host for records that do not name one')
    .option('--boot-id <id>', 'boot id for audit records (part of their eventKey)')
    .argument('[files...]', 'files to read (default: stdin)')
    .action(async (files: string[], options: ParseOptions) => {
      process.exitCode = await runParse(files, options);
    });
}

/** The file's size when it is a regular file, else undefined. */
function regularFileSize(file: string): number | undefined {
  try {
    const st = statSync(file);
    return st.isFile() ? st.size : undefined;
  } catch {
    return undefined; // the reader reports why
  }
}

// Below this much input, starting worker threads costs more than they save.
const WORKERS_MIN_BYTES = 16 << 20;

/**
 * SANDTRAP_PARSE_WORKERS (0: parse in the main thread). Default, for 16 MiB of input or more:
 * one per core, at most 4. The output is the same either way. Measured on 2 cores
 * (test/bench/RESULTS.md, 2026-11-29 19:05): two workers took 2.7 s against 4.3 s for one
 * thread on an idle machine, 3.7 against 4.1 s beside one busy process, 5.6 against 6.8-8.4 s
 * beside two, for about 20% more CPU seconds. (Until then they started only when the 1-minute
 * load average left a core idle, which a batch of earlier work, the bench's own included, did
 * not: one thread was chosen where two were faster.)
 */
function workerCount(): number {
  const set = process.env.SANDTRAP_PARSE_WORKERS;
  if (set !== undefined && set !== '') return Math.max(0, Math.min(64, Number.parseInt(set, 10) || 0));
  const cores = availableParallelism();
  return cores > 1 ? Math.min(cores, 4) : 0;
}

function envNumber(name: string): number | undefined {
  const v = Number.parseInt(process.env[name] ?? '', 10);
  return Number.isFinite(v) && v > 0 ? v : undefined;
}

async function runParse(files: string[], options: ParseOptions): Promise<number> {
  const report = (text: string) => process.stderr.write(`${text}\n`);
  const runOptions = { from: options.from, host: options.host, bootId: options.bootId };
  let status = 0;
  const inputs = files.length === 0 ? ['-'] : files;
  // Files on disk are read whole: held audit events wait for siblings in the file, not for the
  // clock (one reading per file), so the output is the same however fast the machine is, and the
  // work can be split over worker threads. stdin and pipes keep the live hold of holdMs.
  const sizes = inputs.map(regularFileSize);
  const onDisk = files.length > 0 && !isTool(options.from) && sizes.every((n) => n !== undefined);
  const total = sizes.reduce<number>((sum, n) => sum + (n ?? 0), 0);
  const forced = (process.env.SANDTRAP_PARSE_WORKERS ?? '') !== '';
  const workers = onDisk && (forced || total >= WORKERS_MIN_BYTES) ? workerCount() : 0;
  // The parsers are loaded here, not with the CLI: the workers start loading theirs first.
  const { ParallelParse } = await import('../parse/parallel-parse.js');
  const parallel =
    workers > 0
      ? new ParallelParse(runOptions, report, {
          workers,
          chunkBytes: envNumber('SANDTRAP_PARSE_CHUNK_BYTES'),
          prefixLines: envNumber('SANDTRAP_PARSE_PREFIX_LINES'),
        })
      : undefined;
  const [{ ParseRun }, { readLines }, { StdoutSink }] = await Promise.all([
    import('../parse/parse-run.js'),
    import('../parse/line-reader.js'),
    import('../parse/stdout-sink.js'),
  ]);
  // process.stdout writes to a file descriptor: a buffer written is free to be written into again.
  const out = new StdoutSink(process.stdout, undefined, true);
  parallel?.writeTo(out);
  const run = new ParseRun(runOptions, out, report);
  for (const [i, file] of inputs.entries()) {
    const label = inputs.length > 1 ? file : undefined;
    // A regular file gets its one clock reading even when another input is not one (a missing
    // file): its output must not depend on how fast the machine reads it.
    const fileOnDisk = files.length > 0 && !isTool(options.from) && sizes[i] !== undefined;
    try {
      if (parallel !== undefined) await parallel.consume(file, label);
      else {
        // Large reads: fewer chunks to split and fewer awaits per line.
        const stream = file === '-' ? process.stdin : createReadStream(file, { highWaterMark: 1 << 20 });
        const start = Date.now();
        await run.consume(readLines(stream), label, fileOnDisk ? () => start : Date.now);
      }
    } catch (error) {
      process.stderr.write(`${file}: ${(error as Error).message}\n`);
      status = 2;
    }
  }
  await out.end();
  if (parallel !== undefined) await parallel.close();
  const s = parallel?.summary() ?? run.summary();
  process.stderr.write(`parsed ${s.parsed}, skipped ${s.skipped}, errors ${s.errors}, lost ${s.lost}\n`);
  return status;
}
