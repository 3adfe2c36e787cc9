// Stands in for the packaged tray in the smoke script's test: the real agent
// link on LESMODUS_CONTROL_SOCKET, running until it is killed.
import { connectAgentLink } from '../../src/desktop/agent-link.ts';

const path = process.env.LESMODUS_CONTROL_SOCKET;
if (path === undefined) process.exit(3);
connectAgentLink(path, {
  onStatus: (status) => console.log(status === null ? 'stand-in tray: agent not reachable' : `stand-in tray: ${status.decision.message.nl}`),
  onNotice: () => undefined,
  onBadLine: (problem) => { console.error(`stand-in tray: ${problem}`); process.exit(4); },
});
