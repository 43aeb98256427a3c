// A problem the user fixes by changing the command line or an input file. The CLI prints its message as
// one line and exits 2; it never carries a stack trace to the user.
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}
