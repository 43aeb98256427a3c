// The schema oracle of the 2026-07-28 era for the reference server's tests: the harness's own (one oracle).
export { modernViolations } from '../../../harness/modern/schema.js';
