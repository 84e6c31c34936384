/** What every subcommand gets and returns: arguments and environment in, an exit code out. */
export interface CommandContext {
  readonly args: readonly string[];
  readonly env: NodeJS.ProcessEnv;
  readonly stdout: NodeJS.WritableStream;
  readonly stderr: NodeJS.WritableStream;
}

export type Command = (context: CommandContext) => number | Promise<number>;

/** EX_CONFIG from sysexits.h: what service managers expect for a configuration error. */
export const EXIT_CONFIG = 78;
