// Judging a tool result by what its role's tool promises (harness/fixtures.ts expectedText): the contract's
// text for a contract tool, a mapping's `expect:`, or nothing. With nothing promised, a check compares
// only what needs no expectation (the direct call, the isError flag, the other requests' labels) and says so.
import type { FixtureRole } from '../../harness/checks.js';
import type { ExpectedText } from '../../harness/fixtures.js';
import { textMatches } from '../../harness/fixtures.js';
import type { JsonObject, RpcOutcome, ScenarioContext } from '../../harness/scenario.js';

export type TextJudgement =
  | { kind: 'match'; expected: string; source: 'contract' | 'mapping' }
  | { kind: 'mismatch'; expected: string; source: 'contract' | 'mapping'; actual: string | undefined }
  | { kind: 'unknown'; why: string };

/** Every text block of a CallToolResult. */
export function textsOf(result: unknown): string[] {
  const content = (result as { content?: unknown } | undefined)?.content;
  if (!Array.isArray(content)) return [];
  return content.flatMap((b) => {
    const t = (b as { type?: unknown; text?: unknown } | null)?.text;
    return (b as { type?: unknown } | null)?.type === 'text' && typeof t === 'string' ? [t] : [];
  });
}

/** Whether a result's text blocks hold what `role` promises for `values` (one matching block suffices). */
export function judgeText(ctx: ScenarioContext, role: FixtureRole, values: JsonObject, result: unknown): TextJudgement {
  const expected: ExpectedText = ctx.fixtures.expectedText(role, values);
  if (expected.kind === 'unknown') return expected;
  const texts = textsOf(result);
  if (texts.some((t) => textMatches(expected, t))) return { kind: 'match', expected: expected.text, source: expected.source };
  return { kind: 'mismatch', expected: expected.text, source: expected.source, actual: texts[0] };
}

/**
 * True when `o` is the result `role` promises for `values`; when nothing is promised, any result that is
 * not isError (the tool's own text is not judged).
 */
export function isPromisedResult(ctx: ScenarioContext, role: FixtureRole, values: JsonObject, o: RpcOutcome): boolean {
  if (o.kind !== 'result') return false;
  const judged = judgeText(ctx, role, values, o.result);
  return judged.kind === 'match' || (judged.kind === 'unknown' && o.result.isError !== true);
}

/** What `role` promises for `values`, for messages: `"released:g1" (contract)` or `a result (text not compared: why)`. */
export function promised(ctx: ScenarioContext, role: FixtureRole, values: JsonObject): string {
  const e = ctx.fixtures.expectedText(role, values);
  return e.kind === 'known' ? `${JSON.stringify(e.text)} (${e.source})` : `a result without isError (text not compared: ${e.why})`;
}
