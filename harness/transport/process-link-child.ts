// The client process behind ProcessLink (process-link.ts): runs one HttpLink and relays it as JSON lines
// (commands on stdin, events on stdout). It exits when told to close or when its parent goes away.
import { createInterface } from 'node:readline';
import { HttpLink, type HttpLinkOptions } from './http-link.js';
import { PROCESS_LINK_ENV, type LinkCommand, type LinkEvent } from './process-link.js';

function emit(e: LinkEvent): void {
  process.stdout.write(`${JSON.stringify(e)}\n`);
}

const raw = process.env[PROCESS_LINK_ENV];
if (!raw) {
  process.stderr.write(`process-link-child: ${PROCESS_LINK_ENV} is not set; this program is started by sep1686-check\n`);
  process.exit(2);
}
const link = new HttpLink(JSON.parse(raw) as HttpLinkOptions);
let lastSession: string | undefined;

function syncSession(): void {
  if (link.sessionId !== lastSession) {
    lastSession = link.sessionId;
    emit({ ev: 'session', sessionId: lastSession });
  }
}

async function run(command: LinkCommand): Promise<void> {
  switch (command.op) {
    case 'start':
      return link.start({
        message: (message, meta) => (syncSession(), emit({ ev: 'message', message, meta })),
        note: (note, meta, raw) => emit({ ev: 'note', note, meta, raw }),
        requestFailed: (id, reason, http) => emit({ ev: 'requestFailed', id, reason, http }),
        post: (post) => (syncSession(), emit({ ev: 'post', post })),
        overLimit: (reason) => emit({ ev: 'overLimit', reason }),
        closed: (reason) => emit({ ev: 'closed', reason }),
      });
    case 'send':
      return link.send(command.message);
    case 'setProtocolVersion':
      return link.setProtocolVersion(command.version);
    case 'openGetStream':
      return link.openGetStream();
    case 'abortRequest':
      return link.abortRequest(command.id);
    case 'terminate':
      return link.terminate();
    case 'close':
      return link.close();
  }
}

createInterface({ input: process.stdin })
  .on('line', (line) => {
    let command: LinkCommand;
    try {
      command = JSON.parse(line) as LinkCommand;
    } catch {
      return;
    }
    const n = 'n' in command ? command.n : undefined;
    run(command).then(
      () => {
        syncSession();
        if (n !== undefined) emit({ ev: 'done', n });
        if (command.op === 'close') process.exit(0);
      },
      (e: unknown) => {
        if (n !== undefined) emit({ ev: 'done', n, error: (e as Error)?.message ?? String(e) });
      },
    );
  })
  // The parent went away: nobody is left to relay to.
  .on('close', () => void link.close().finally(() => process.exit(0)));
