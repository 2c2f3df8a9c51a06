// Errors a user caused (a bad flag, a bad file). main.ts prints their message on one line
// and exits non-zero, never a stack trace.
export class CliError extends Error {
  constructor(
    message: string,
    readonly exitCode = 2,
  ) {
    super(message);
    this.name = 'CliError';
  }
}
