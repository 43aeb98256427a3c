// RFC 3339 UTC timestamps with milliseconds, the form `Date.toISOString()` gives, for the task wire forms.
// Every task transition formats one or two of them, so at 10 000 tasks a Date and its formatting per
// call showed in profiles; tasks ending together share their second, so the "YYYY-MM-DDTHH:MM:SS."
// prefix is formatted once per second and only the milliseconds are appended.
const MAX_FOUR_DIGIT_YEAR_MS = 253_402_300_799_999; // 9999-12-31T23:59:59.999Z: beyond it the format changes

let prefixSecond = Number.NaN;
let prefix = '';

/** `new Date(ms).toISOString()`, cheaper for integer epoch milliseconds of years 1970 to 9999. */
export function isoTimestamp(ms: number): string {
  if (!Number.isInteger(ms) || ms < 0 || ms > MAX_FOUR_DIGIT_YEAR_MS) return new Date(ms).toISOString();
  const second = Math.floor(ms / 1000);
  if (second !== prefixSecond) {
    prefix = new Date(second * 1000).toISOString().slice(0, 20);
    prefixSecond = second;
  }
  const milli = ms - second * 1000;
  return prefix + (milli < 10 ? '00' : milli < 100 ? '0' : '') + milli + 'Z';
}
