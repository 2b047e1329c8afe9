import { Command } from 'commander';
import { CLI_COMMANDS } from './commands/cli-commands.js';

// `sandtrap parse big.log | head` closes stdout early: stop quietly instead of crashing.
process.stdout.on('error', (error: NodeJS.ErrnoException) => {
  if (error.code === 'EPIPE') process.exit(0);
  throw error;
});

const program = new Command('sandtrap')
  .description('Sandtrap: fleet-wide observatory for Linux seccomp sandboxes')
  .showHelpAfterError();
for (const register of CLI_COMMANDS) register(program);

await program.parseAsync(process.argv);
