import type { Command } from 'commander';
import { registerParseCommand } from './parse.command.js';
import { registerPolicyCommand } from './policy.command.js';
import { registerRolloutCommand } from './rollout.command.js';

/** A command adds itself to the program. Adding one is one line here. */
export type RegisterCommand = (program: Command) => void;

export const CLI_COMMANDS: readonly RegisterCommand[] = [
  registerParseCommand,
  registerPolicyCommand,
  registerRolloutCommand,
];
