// How much a server may send before the harness stops listening to it. A checker that buffers whatever a
// server announces can be taken down by it (a 2 GiB body, an endless SSE line, a notification flood), so
// every link reads through these caps and a session that exceeds one is ended: H25-22 reports it as a
// FAILURE with the limit and what was seen, and the run goes on.

export interface IntakeLimits {
  /** The largest single message: one HTTP body, one SSE event, one stdout line (bytes). */
  maxMessageBytes: number;
  /** Unsolicited server messages (notifications and server requests) one session accepts. */
  maxServerMessages: number;
}

export const DEFAULT_LIMITS: IntakeLimits = { maxMessageBytes: 16 * 1024 * 1024, maxServerMessages: 10_000 };

/** The command-line flag of each limit (for the messages that name what to change). */
export const LIMIT_FLAGS: Record<keyof IntakeLimits, string> = {
  maxMessageBytes: '--max-message-bytes',
  maxServerMessages: '--max-server-messages',
};

export function resolveLimits(given: Partial<IntakeLimits> = {}): IntakeLimits {
  return {
    maxMessageBytes: given.maxMessageBytes ?? DEFAULT_LIMITS.maxMessageBytes,
    maxServerMessages: given.maxServerMessages ?? DEFAULT_LIMITS.maxServerMessages,
  };
}

export function formatBytes(n: number): string {
  if (n >= 1024 * 1024) return `${Math.round((n / 1024 / 1024) * 10) / 10} MiB`;
  if (n >= 1024) return `${Math.round((n / 1024) * 10) / 10} KiB`;
  return `${n} bytes`;
}

/** The one-line reason of a message over the size cap. */
export function oversize(what: string, seenBytes: number, limits: IntakeLimits): string {
  return `${what} exceeded ${formatBytes(limits.maxMessageBytes)} (${formatBytes(seenBytes)} seen; ${LIMIT_FLAGS.maxMessageBytes} raises the limit)`;
}

/** An error thrown by a bounded read that went over the cap. */
export class OverLimitError extends Error {
  override name = 'OverLimitError';
}

/**
 * Reads a fetch Response body as text, at most `max` bytes: rejects with OverLimitError as soon as the
 * announced Content-Length or the bytes read exceed it (the rest is never buffered), and with the
 * signal's reason when the deadline passes first.
 */
export async function readBoundedText(res: Response, max: number, what: string, limits: IntakeLimits): Promise<string> {
  const announced = Number(res.headers.get('content-length'));
  if (Number.isFinite(announced) && announced > max) {
    await res.body?.cancel().catch(() => undefined);
    throw new OverLimitError(oversize(`${what} (Content-Length)`, announced, limits));
  }
  if (!res.body) return '';
  const reader = res.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { value, done } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > max) {
      await reader.cancel().catch(() => undefined);
      throw new OverLimitError(oversize(what, size, limits));
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks).toString('utf8');
}
