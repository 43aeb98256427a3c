#!/usr/bin/env node
// Starts a third-party Streamable HTTP MCP server module (one that only reads its port from the
// environment and binds every interface) on a free loopback port, and prints "MCP endpoint: <url>"
// once it accepts connections, so `sep1686-check --http-command` and the tests can use it as is.
//   node loopback-launch.mjs <module> <PORT_ENV>[,<PORT_ENV>...] [path]
// Every listen() of the process is pinned to 127.0.0.1: the servers we run must not face the network.
import net from 'node:net';
import { pathToFileURL } from 'node:url';

const [moduleArg, envNames = 'PORT', path = '/mcp'] = process.argv.slice(2);
if (!moduleArg) {
  process.stderr.write('usage: loopback-launch.mjs <module> <PORT_ENV>[,<PORT_ENV>...] [path]\n');
  process.exit(2);
}

const LOOPBACK = '127.0.0.1';
const listen = net.Server.prototype.listen;
net.Server.prototype.listen = function (...args) {
  const [first] = args;
  if (first && typeof first === 'object' && !('fd' in first) && !('path' in first)) args[0] = { ...first, host: LOOPBACK };
  else if (typeof first === 'number' || (typeof first === 'string' && /^\d+$/.test(first))) {
    if (typeof args[1] !== 'string') args.splice(1, 0, LOOPBACK);
    else args[1] = LOOPBACK;
  }
  return listen.apply(this, args);
};

const port = await new Promise((resolve, reject) => {
  const s = net.createServer();
  s.once('error', reject);
  s.listen(0, LOOPBACK, () => {
    const p = s.address().port;
    s.close(() => resolve(p));
  });
});
for (const name of envNames.split(',')) process.env[name] = String(port);
// The examples log to stdout; keep that (the harness only looks for the endpoint line).
await import(pathToFileURL(moduleArg).href);
for (let tries = 0; ; tries++) {
  const ok = await new Promise((resolve) => {
    const c = net.connect(port, LOOPBACK, () => {
      c.destroy();
      resolve(true);
    });
    c.once('error', () => resolve(false));
  });
  if (ok) break;
  if (tries > 600) {
    process.stderr.write(`loopback-launch: ${moduleArg} did not listen on ${port} within 30 s\n`);
    process.exit(1);
  }
  await new Promise((r) => setTimeout(r, 50));
}
process.stdout.write(`MCP endpoint: http://${LOOPBACK}:${port}${path}\n`);
