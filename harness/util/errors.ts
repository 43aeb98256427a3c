// Errors as the user sees them: UsageError (a problem fixed on the command line or in an input file; the
// CLI prints its message as one line and exits 2, never with a stack trace), and one-line error text.

export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

/** The message of anything thrown (the error's name when it has no message). */
export function errorText(err: unknown): string {
  if (err instanceof Error) return err.message || err.name;
  return String(err);
}

/** The first line of a text (error messages printed as one line). */
export const oneLine = (s: string): string => s.split('\n')[0] ?? s;
