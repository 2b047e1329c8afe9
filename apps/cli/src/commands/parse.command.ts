import { createReadStream } from 'node:fs';
import { Option, type Command } from 'commander';
import { PARSE_FORMATS, ParseRun, type ParseFormat } from '../parse/parse-run.js';
import { readLines } from '../parse/line-reader.js';
import { StdoutSink } from '../parse/stdout-sink.js';

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

async function runParse(files: string[], options: ParseOptions): Promise<number> {
  const out = new StdoutSink(process.stdout);
  const run = new ParseRun({ from: options.from, host: options.host, bootId: options.bootId }, out, (text) =>
    process.stderr.write(`${text}\n`),
  );
  let status = 0;
  const inputs = files.length === 0 ? ['-'] : files;
  for (const file of inputs) {
    // Large reads: fewer chunks to split and fewer awaits per line.
    const stream = file === '-' ? process.stdin : createReadStream(file, { highWaterMark: 1 << 20 });
    const label = inputs.length > 1 ? file : undefined;
    try {
      await run.consume(readLines(stream), label);
    } catch (error) {
      process.stderr.write(`${file}: ${(error as Error).message}\n`);
      status = 2;
    }
  }
  await out.end();
  const s = run.summary();
  process.stderr.write(`parsed ${s.parsed}, skipped ${s.skipped}, errors ${s.errors}, lost ${s.lost}\n`);
  return status;
}
