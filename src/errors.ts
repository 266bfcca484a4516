// Typed errors. Library code throws these; only the CLI entry point (src/cli/main.ts) prints them
// and maps them to exit codes. Each carries a one-line message and an optional hint.

export type ExitCode = 0 | 1 | 2 | 130 | 143;

export class RnnError extends Error {
  readonly hint: string | undefined;
  readonly exitCode: ExitCode = 1;
  constructor(message: string, hint?: string) {
    super(message);
    this.name = new.target.name;
    this.hint = hint;
  }
}

/** Bad flags or arguments: exit code 2. */
export class UsageError extends RnnError {
  override readonly exitCode = 2;
}

/** Bad corpus or input text: exit code 1. */
export class DataError extends RnnError {}

/** A checkpoint that cannot be read, or fails validation: exit code 1. */
export class CheckpointError extends RnnError {}

/** A failure while training or running the model (divergence, I/O): exit code 1. */
export class RuntimeError extends RnnError {}

/** The run was interrupted by a signal; the checkpoint was saved. */
export class InterruptedError extends RnnError {
  override readonly exitCode: ExitCode;
  constructor(message: string, signal: 'SIGINT' | 'SIGTERM', hint?: string) {
    super(message, hint);
    this.exitCode = signal === 'SIGINT' ? 130 : 143;
  }
}
