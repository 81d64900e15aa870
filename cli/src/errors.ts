/** A failure the user can act on: printed as one line, exit code 1 (2 for usage mistakes). */
export class CliError extends Error {
  constructor(
    message: string,
    readonly exitCode = 1,
  ) {
    super(message);
  }
}

export const usageError = (message: string) => new CliError(message, 2);
