import { Command } from 'commander';
import { CLI_COMMANDS } from './commands/cli-commands.js';

const program = new Command('sandtrap')
  .description('Sandtrap: fleet-wide observatory for Linux seccomp sandboxes')
  .showHelpAfterError();
for (const register of CLI_COMMANDS) register(program);

await program.parseAsync(process.argv);
