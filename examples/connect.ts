// Shared by the client examples: an MCP SDK Client connected to the server named on the command line
// (a Streamable HTTP URL), or, with no argument, to the reference server this package ships, spawned
// over stdio. Every example works the same against your own task server: pass its URL.
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { fileURLToPath } from 'node:url';

/** dist/reference-server/main.js, next to dist/examples/ once compiled. */
export const REFERENCE_SERVER = fileURLToPath(new URL('../reference-server/main.js', import.meta.url));

export async function connect(url: string | undefined = process.argv[2]): Promise<Client> {
  const client = new Client({ name: 'sep1686-example', version: '1.0.0' });
  const transport = url
    ? new StreamableHTTPClientTransport(new URL(url))
    : new StdioClientTransport({ command: process.execPath, args: [REFERENCE_SERVER] });
  await client.connect(transport);
  return client;
}

/** The first text block of a tool result. */
export function textOf(result: object): string {
  const content = (result as { content?: unknown }).content;
  const blocks = Array.isArray(content) ? (content as Array<{ type?: string; text?: string }>) : [];
  return blocks.find((b) => b.type === 'text')?.text ?? JSON.stringify(result);
}
