// Secrets (bearer tokens) must not end up in reports, labels or messages: one masking rule for all.

/** Replaces every secret of at least 4 characters in `text` by `mask` (shorter ones would mask ordinary text). */
export function redact(text: string, secrets: readonly string[], mask = '***'): string {
  return secrets.filter((s) => s.length >= 4).reduce((acc, s) => acc.split(s).join(mask), text);
}
