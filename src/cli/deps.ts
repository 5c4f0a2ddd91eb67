import type { CommandDeps } from '../platform/deps.js';
import { withRuntime } from '../runtime.js';
import { progressReporter } from './progress.js';

/** What every module's commands are given: the real runtime and the terminal's progress display. */
export const commandDeps: CommandDeps = { withRuntime, progressReporter };
