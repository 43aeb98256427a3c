// Options shared by `sep1686-check` and `sep1686-check bench`: how the server under test is reached
// (`-- <command>`, `--url` (repeatable: endpoints of one deployment), `--http-command` (with `--instances N`),
// headers, tokens), --out, and the time limits (--timeout and,
// for the check command, --settle, --check-timeout, --run-timeout), the intake limits of the check
// command (--max-message-bytes, --max-server-messages) and its --protocol, parsed here and nowhere else.
// Callers merge TARGET_OPTIONS (and TIMEOUT_OPTIONS) into their own parseArgs config and hand the values here.
import { parseArgs, type ParseArgsConfig } from 'node:util';
import type { TransportName } from '../checks.js';
import type { HttpCommandSpec, HttpSpec, TargetSpec } from '../transport/target.js';
import { resolveTimeouts, type RunTimeouts } from '../run/timeouts.js';
import { PROTOCOL_CHOICES, type ProtocolChoice } from '../run/eras.js';
import { referenceServerSpec } from '../transport/targets.js';
import { MAX_TIMER_MS } from '../util/async.js';
import { UsageError } from '../util/errors.js';
import { resolveLimits, type IntakeLimits } from '../transport/limits.js';

export { UsageError } from '../util/errors.js';

/** parseArgs definitions of the target options (merge into a command's own options). */
export const TARGET_OPTIONS = {
  url: { type: 'string', multiple: true },
  instances: { type: 'string' },
  header: { type: 'string', multiple: true },
  'auth-token': { type: 'string', multiple: true },
  'http-command': { type: 'boolean' },
  timeout: { type: 'string' },
  out: { type: 'string' },
} as const satisfies NonNullable<ParseArgsConfig['options']>;

/** The time limits only the check command has (--timeout is a target option, the bench has it too). */
export const TIMEOUT_OPTIONS = {
  settle: { type: 'string' },
  'check-timeout': { type: 'string' },
  'run-timeout': { type: 'string' },
} as const satisfies NonNullable<ParseArgsConfig['options']>;

/** Which protocol eras' suites run (run/eras.ts detects what the server speaks). */
export const PROTOCOL_OPTIONS = {
  protocol: { type: 'string' },
} as const satisfies NonNullable<ParseArgsConfig['options']>;

/** --protocol auto | 2025-11-25 | 2026-07-28 (default auto). */
export function parseProtocol(raw: string | undefined): ProtocolChoice {
  if (raw === undefined) return 'auto';
  const choice = PROTOCOL_CHOICES.find((c) => c === raw.trim());
  if (!choice) throw new UsageError(`--protocol must be one of ${PROTOCOL_CHOICES.join(', ')}, got '${raw}'`);
  return choice;
}

/** The caps on what a server may send (the check command; transport/limits.ts has the defaults). */
export const LIMIT_OPTIONS = {
  'max-message-bytes': { type: 'string' },
  'max-server-messages': { type: 'string' },
} as const satisfies NonNullable<ParseArgsConfig['options']>;

/** The intake limits from the command line: the defaults for whatever is not given. */
export function parseLimits(values: { 'max-message-bytes'?: string; 'max-server-messages'?: string }): IntakeLimits {
  const n = (flag: string, raw: string | undefined, unit: string) => (raw === undefined ? undefined : parsePositiveInt(flag, raw, unit));
  const limits = resolveLimits({
    maxMessageBytes: n('--max-message-bytes', values['max-message-bytes'], 'bytes'),
    maxServerMessages: n('--max-server-messages', values['max-server-messages'], 'messages'),
  });
  // A larger string cannot be built in V8 at all: the cap would only move the crash.
  if (limits.maxMessageBytes > MAX_MESSAGE_BYTES)
    throw new UsageError(`--max-message-bytes can be at most ${MAX_MESSAGE_BYTES} (512 MiB), got '${values['max-message-bytes']}'`);
  return limits;
}

const MAX_MESSAGE_BYTES = 512 * 1024 * 1024;

interface TimeoutValues {
  timeout?: string;
  settle?: string;
  'check-timeout'?: string;
  'run-timeout'?: string;
}

/** The run's time limits from the command line: the defaults (run/timeouts.ts) for whatever is not given. */
export function parseTimeouts(values: TimeoutValues): RunTimeouts {
  const ms = (flag: string, raw: string | undefined) => {
    if (raw === undefined) return undefined;
    const value = parsePositiveInt(flag, raw, 'milliseconds');
    if (value > MAX_TIMER_MS) throw new UsageError(`${flag} can be at most ${MAX_TIMER_MS} milliseconds (about 24.8 days), got '${raw}'`);
    return value;
  };
  return resolveTimeouts({
    requestMs: ms('--timeout', values.timeout),
    settleMs: ms('--settle', values.settle),
    checkMs: ms('--check-timeout', values['check-timeout']),
    runMs: ms('--run-timeout', values['run-timeout']),
  });
}

export interface CommonOptions {
  /** The servers to check, in run order. Default: the embedded reference server over stdio and HTTP. */
  targets: TargetSpec[];
  /** True when no target was given and the embedded reference server is used. */
  embedded: boolean;
  /** --out, when given. */
  out?: string;
}

export interface ParsedCommandLine<V> {
  values: V;
  /** Arguments before `--` (a subcommand's own positionals); empty for the main command. */
  positionals: string[];
  /** Everything after `--`: the server command and its arguments. */
  command: string[];
}

/**
 * Strict parseArgs that splits the arguments at the first `--` (everything after it is the server
 * command, never parsed as our options) and turns parse errors into one-line UsageErrors.
 */
export function parseCommandLine<O extends NonNullable<ParseArgsConfig['options']>>(argv: string[], options: O, allowPositionals = false) {
  const dash = argv.indexOf('--');
  const own = dash === -1 ? argv : argv.slice(0, dash);
  const command = dash === -1 ? [] : argv.slice(dash + 1);
  if (dash !== -1 && command.length === 0)
    throw new UsageError(
      'nothing after -- (give the server command, e.g. -- node server.js; without -- the embedded reference server is checked)',
    );
  let parsed;
  try {
    parsed = parseArgs({ args: own, options, strict: true, allowPositionals: true });
  } catch (err) {
    throw new UsageError(describeParseError(err));
  }
  if (!allowPositionals && parsed.positionals.length > 0) {
    throw new UsageError(
      `unexpected argument '${parsed.positionals[0]}' (put the server command after --, e.g. sep1686-check -- node server.js)`,
    );
  }
  return { values: parsed.values, positionals: parsed.positionals, command };
}

function describeParseError(err: unknown): string {
  const msg = err instanceof Error ? err.message : String(err);
  const code = (err as { code?: string }).code;
  const unknown = /Unknown option '([^']+)'/.exec(msg);
  if (code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION' && unknown) return `unknown option ${unknown[1]}`;
  const ambiguous = /Option '([^']+?)' argument is ambiguous/.exec(msg);
  if (ambiguous)
    return `option ${ambiguous[1]!.replace(/^-\w, /, '')} needs a value (use ${ambiguous[1]!.replace(/^-\w, /, '')}=<value> for a value starting with -)`;
  const missing = /Option '([^']+?)(?: <value>)?' argument missing/.exec(msg);
  if (missing) return `option ${missing[1]!.replace(/^-\w, /, '')} needs a value`;
  const wrongType = /Option '([^']+?)(?: <value>)?' does not take an argument/.exec(msg);
  if (wrongType) return `option ${wrongType[1]!.replace(/^-\w, /, '')} does not take a value`;
  return msg.split('\n')[0] ?? 'invalid arguments';
}

interface TargetValues {
  url?: string[];
  instances?: string;
  header?: string[];
  'auth-token'?: string[];
  'http-command'?: boolean;
  out?: string;
}

/** Turns parsed target options and the `--` command into TargetSpecs and common options. */
export function resolveTargetOptions(values: TargetValues, command: string[]): CommonOptions {
  const headers = parseHeaders(values.header ?? []);
  const tokens = values['auth-token'] ?? [];
  for (const t of tokens) if (!t.trim()) throw new UsageError('--auth-token needs a non-empty token');
  const out = values.out;
  if (out !== undefined && !out.trim()) throw new UsageError('--out needs a directory');
  const [cmd, ...args] = command;

  const instances = values.instances === undefined ? undefined : parsePositiveInt('--instances', values.instances, 'instances');
  if (instances !== undefined && (cmd === undefined || !values['http-command']))
    throw new UsageError('--instances needs --http-command and the server command after -- (the harness starts that many instances)');
  if (instances !== undefined && instances > MAX_INSTANCES)
    throw new UsageError(`--instances can be at most ${MAX_INSTANCES}, got ${instances}`);

  if (values.url !== undefined) {
    if (cmd !== undefined) throw new UsageError('give either --url or a command after --, not both');
    if (values['http-command']) throw new UsageError('--http-command needs a command after --, not --url');
    const endpoints = values.url.map((raw): HttpSpec => ({ kind: 'http', url: parseUrl(raw), headers, tokens }));
    // --url given several times: endpoints of one deployment (the cluster scenario checks them together).
    const target: TargetSpec = endpoints.length === 1 ? endpoints[0]! : { kind: 'deployment', endpoints };
    return { targets: [target], embedded: false, out };
  }

  if (cmd !== undefined) {
    if (!cmd.trim()) throw new UsageError('the command after -- is empty');
    if (values['http-command']) {
      const spec: HttpCommandSpec = { kind: 'http-command', command: cmd, args, headers, tokens };
      if (instances === undefined || instances === 1) return { targets: [spec], embedded: false, out };
      // N instances of one command: the deployment's endpoints, all started (and killed) by the harness.
      return { targets: [{ kind: 'deployment', endpoints: Array.from({ length: instances }, () => spec) }], embedded: false, out };
    }
    if (tokens.length) throw new UsageError('--auth-token applies to HTTP targets (--url or --http-command), not to a stdio command');
    if (Object.keys(headers).length)
      throw new UsageError('--header applies to HTTP targets (--url or --http-command), not to a stdio command');
    return { targets: [{ kind: 'stdio', command: cmd, args }], embedded: false, out };
  }

  if (values['http-command'])
    throw new UsageError('--http-command needs the server command after --, e.g. --http-command -- node server.js --port 0');
  if (tokens.length || Object.keys(headers).length)
    throw new UsageError('--header and --auth-token need a target (--url or --http-command -- <command>)');
  return { targets: referenceTargetSpecs(), embedded: true, out };
}

/** The embedded reference server: stdio, and HTTP with two auth principals (enables S-AUTH checks). */
export function referenceTargetSpecs(
  options: { violate?: string[]; extraArgs?: string[]; transports?: TransportName[] } = {},
): TargetSpec[] {
  const extra = [...(options.violate ?? []).flatMap((id) => ['--violate', id]), ...(options.extraArgs ?? [])];
  return (options.transports ?? ['stdio', 'http']).map((t) => referenceServerSpec(t, extra));
}

/** More instances than this is a typo, not a deployment to check on one machine. */
const MAX_INSTANCES = 16;

function parseUrl(raw: string): string {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new UsageError(`--url '${raw}' is not a URL (expected e.g. http://127.0.0.1:3000/mcp)`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new UsageError(`--url must be http:// or https://, got ${url.protocol}`);
  return url.toString();
}

/** A positive whole number (`unit` names what it counts in the error, e.g. "milliseconds"). */
export function parsePositiveInt(flag: string, raw: string, unit?: string): number {
  if (!/^\d+$/.test(raw.trim()) || Number(raw) <= 0)
    throw new UsageError(`${flag} needs a positive whole number${unit ? ` of ${unit}` : ''}, got '${raw}'`);
  return Number(raw);
}

/** A positive number, fractions allowed (seconds of work, durations). */
export function parsePositiveNumber(flag: string, raw: string): number {
  const n = Number(raw);
  if (!raw.trim() || !Number.isFinite(n) || n <= 0) throw new UsageError(`${flag} needs a positive number, got '${raw}'`);
  return n;
}

function parseHeaders(raw: string[]): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const h of raw) {
    const i = h.indexOf(':');
    const name = i > 0 ? h.slice(0, i).trim() : '';
    if (!name || /\s/.test(name)) throw new UsageError(`--header '${h}' must look like "Name: value"`);
    headers[name] = h.slice(i + 1).trim();
  }
  return headers;
}
