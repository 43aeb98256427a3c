// Note prefixes the transport writes on wire entries and scenarios/transport-hygiene.ts reads back:
// the one place both layers agree on, so the checks find exactly what the sessions recorded.

/** A session was ended for exceeding an intake limit (H25-22); the rest of the note is the limit and what was seen. */
export const INTAKE_LIMIT_NOTE = 'intake limit exceeded: ';
/** A response to an id that was already answered on this connection (H25-21). */
export const DUPLICATE_RESPONSE_NOTE = 'duplicate response to id ';
/** A response to an id this connection never sent (H25-21). */
export const UNKNOWN_ID_NOTE = 'response with unknown id ';
