#!/usr/bin/env node
// Starts @modelcontextprotocol/server-everything's Streamable HTTP server on a free port and prints
// "MCP endpoint: <url>" once it accepts connections (the server itself only logs its port).
import { createServer, connect } from 'node:net';

const port = await new Promise((resolve, reject) => {
  const s = createServer();
  s.once('error', reject);
  s.listen(0, '127.0.0.1', () => {
    const p = s.address().port;
    s.close(() => resolve(p));
  });
});
process.env.PORT = String(port);
await import('@modelcontextprotocol/server-everything/dist/transports/streamableHttp.js');
for (;;) {
  const ok = await new Promise((resolve) => {
    const c = connect(port, '127.0.0.1', () => {
      c.destroy();
      resolve(true);
    });
    c.once('error', () => resolve(false));
  });
  if (ok) break;
  await new Promise((r) => setTimeout(r, 50));
}
console.log(`MCP endpoint: http://127.0.0.1:${port}/mcp`);
