/** A problem the user can fix: printed as one message, never as a stack trace. */
export class UserError extends Error {
  constructor(
    message: string,
    readonly exitCode = 1,
  ) {
    super(message);
    this.name = 'UserError';
  }
}

/** Ctrl-C at a prompt or during rendering: the shell convention for SIGINT is 128 + 2. */
export class CancelledError extends UserError {
  constructor() {
    super('Cancelled: nothing was written.', 130);
    this.name = 'CancelledError';
  }
}
