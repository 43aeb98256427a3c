// DNS-rebinding protection (transports §Security Warning), on every bind address: a request is served
// only when its Host names this server (a loopback name or the bound address, on the bound port, or an
// --allowed-host) and its Origin, if any, is one of those hosts over http or an --allowed-origin. A
// request without Host is refused. A browser page of another site reaches us with its own Host/Origin.

/** Loopback names every server answers to, whatever it is bound to. */
const LOOPBACK_NAMES = ['localhost', '127.0.0.1', '[::1]'];

/** A Host header: a DNS name or IPv4 address, or a bracketed IPv6 address, then an optional port. No userinfo, no path. */
const HOST_SYNTAX = /^(?:[a-z0-9.-]+|\[[0-9a-f:.]+\])(?::\d{1,5})?$/i;

export interface OriginPolicyOptions {
  /** The address the server is bound to, as given (e.g. 127.0.0.1, ::ffff:127.0.0.1, 0.0.0.0). */
  bindAddress: string;
  port: number;
  /** Extra Host values: `name` (on the bound port) or `name:port`. */
  allowedHosts?: string[];
  /** Extra Origin values, e.g. https://app.example. */
  allowedOrigins?: string[];
}

export class OriginPolicy {
  private readonly hosts = new Set<string>();
  private readonly origins = new Set<string>();

  constructor(options: OriginPolicyOptions) {
    const bound = options.bindAddress.includes(':') ? `[${options.bindAddress}]` : options.bindAddress;
    for (const name of [...LOOPBACK_NAMES, bound, ...(options.allowedHosts ?? [])]) {
      const key = hostKey(/:\d+$/.test(name) ? name : `${name}:${options.port}`);
      if (key) this.hosts.add(key);
    }
    for (const host of this.hosts) this.origins.add(`http://${host}`);
    for (const origin of options.allowedOrigins ?? []) {
      const normal = originKey(origin);
      if (normal) this.origins.add(normal);
    }
  }

  /**
   * Whether a request may be served. `host` is then the Host value in canonical form (lower case, IPv6
   * compressed), which the SDK transport needs: it rejects e.g. [::ffff:127.0.0.1] that URL parsing rewrites.
   */
  check(
    host: string | undefined,
    origin: string | undefined,
  ): { ok: true; host: string } | { ok: false; status: 400 | 403; reason: string } {
    if (host === undefined || host === '') return { ok: false, status: 400, reason: 'Bad Request: a Host header is required' };
    const key = HOST_SYNTAX.test(host) ? hostKey(host) : undefined;
    if (!key || !this.hosts.has(key))
      return {
        ok: false,
        status: 403,
        reason: `Forbidden: Host ${JSON.stringify(host.slice(0, 100))} is not this server (allow it with --allowed-host)`,
      };
    if (origin !== undefined && !this.origins.has(originKey(origin) ?? ''))
      return {
        ok: false,
        status: 403,
        reason: `Forbidden: Origin ${JSON.stringify(origin.slice(0, 100))} is not allowed (allow it with --allowed-origin)`,
      };
    return { ok: true, host: key };
  }
}

/** The normalized host[:port] of a Host value (lower case, IPv6 canonical, default port dropped), or undefined. */
function hostKey(value: string): string | undefined {
  try {
    const url = new URL(`http://${value}`);
    return url.username || url.password || url.pathname !== '/' ? undefined : url.host;
  } catch {
    return undefined;
  }
}

/** The normalized scheme://host[:port] of an Origin value, or undefined (also for the opaque origin "null"). */
export function originKey(value: string): string | undefined {
  try {
    const origin = new URL(value).origin;
    return origin === 'null' ? undefined : origin;
  } catch {
    return undefined;
  }
}

/** Whether an --allowed-host value is well formed. */
export const isHostValue = (value: string): boolean => HOST_SYNTAX.test(value) && hostKey(value) !== undefined;
