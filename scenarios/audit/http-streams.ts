// T25-HTTP-02, passive Streamable HTTP stream rules over every recorded HTTP message:
// each server message on one stream only, no JSON-RPC response on the standalone GET stream (except
// when resuming), SSE event ids unique within a session.
import { fail, info, pass, worst, type Verdict, type WireEntry } from '../../harness/checks.js';
import { cite } from './observations.js';

const MAX_CITED = 10;

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Identity of a message: requests and responses by JSON-RPC id, notifications by their content. */
function identity(m: Record<string, unknown>): string | undefined {
  if (typeof m.method === 'string') return 'id' in m ? `request ${JSON.stringify(m.id)}` : `notification ${JSON.stringify(m)}`;
  if ('result' in m || 'error' in m) return m.id === undefined || m.id === null ? undefined : `response ${JSON.stringify(m.id)}`;
  return undefined;
}

const isResponse = (m: Record<string, unknown>) => typeof m.method !== 'string' && ('result' in m || 'error' in m);

export function httpStreamRules(entries: WireEntry[]): Verdict {
  const received = entries.filter((e) => e.transport === 'http' && e.dir === 'recv' && !(e.http && e.http.status >= 300));
  const messages = received.filter((e) => isObject(e.message));
  if (messages.length === 0) return info('no HTTP server message was recorded; nothing to check');
  const verdicts: Verdict[] = [];
  const byConnection = new Map<string, WireEntry[]>();
  for (const e of received) byConnection.set(e.connection, [...(byConnection.get(e.connection) ?? []), e]);

  const duplicates: Array<Record<string, unknown>> = [];
  const onGet: WireEntry[] = [];
  const reusedIds: Array<Record<string, unknown>> = [];
  for (const list of byConnection.values()) {
    // (1) one stream per message; a replay after resumption repeats the event id and is not a second delivery.
    const seen = new Map<string, WireEntry[]>();
    for (const e of list) {
      if (!isObject(e.message)) continue;
      const id = identity(e.message);
      if (!id) continue;
      seen.set(id, [...(seen.get(id) ?? []), e]);
    }
    for (const [id, copies] of seen) {
      const channels = new Set(copies.map((e) => e.channel));
      if (channels.size < 2) continue;
      const events = copies.map((e) => e.eventId);
      if (events.every((ev) => ev !== undefined) && new Set(events).size === 1) continue;
      duplicates.push({
        message: id.length > 200 ? `${id.slice(0, 200)}…` : id,
        channels: [...channels],
        copies: copies.slice(0, 4).map((e) => cite(e, 300)),
      });
    }
    // (2) the standalone GET stream carries requests and notifications only, unless it resumes a POST stream.
    for (const e of list) if (e.channel === 'GET' && isObject(e.message) && isResponse(e.message)) onGet.push(e);
    // (3) an event id names one event in the whole session; the same id with the same data is a replay.
    const byEvent = new Map<string, WireEntry>();
    for (const e of list) {
      if (e.eventId === undefined || e.eventId === '') continue;
      const first = byEvent.get(e.eventId);
      if (!first) {
        byEvent.set(e.eventId, e);
        continue;
      }
      if (JSON.stringify(first.message) !== JSON.stringify(e.message))
        reusedIds.push({ eventId: e.eventId, connection: e.connection, first: cite(first, 200), again: cite(e, 200) });
    }
  }
  if (duplicates.length) {
    verdicts.push(
      fail(
        `${duplicates.length} server message(s) were delivered on more than one stream of a session (e.g. ${String(duplicates[0]!.message).slice(0, 120)} on ${(duplicates[0]!.channels as string[]).join(' and ')}); a message must go on one stream only`,
        { duplicates: duplicates.slice(0, MAX_CITED) },
      ),
    );
  }
  if (onGet.length) {
    verdicts.push(
      fail(
        `${onGet.length} JSON-RPC response(s) arrived on the standalone GET stream (not a resumption); responses belong on the POST stream of their request`,
        { responsesOnGet: onGet.slice(0, MAX_CITED).map((e) => cite(e, 300)) },
      ),
    );
  }
  if (reusedIds.length) {
    verdicts.push(
      fail(
        `${reusedIds.length} SSE event id(s) were used for different events within one session (e.g. "${String(reusedIds[0]!.eventId)}"); event ids must be unique across the session's streams`,
        { reusedEventIds: reusedIds.slice(0, MAX_CITED) },
      ),
    );
  }
  const events = received.filter((e) => e.eventId !== undefined).length;
  verdicts.push(
    pass(
      `${messages.length} HTTP server message(s) on ${byConnection.size} session(s): each on one stream, no response on a GET stream, ${events} SSE event id(s) unique per session`,
    ),
  );
  return worst(verdicts);
}
