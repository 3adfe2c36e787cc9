/**
 * The demo's clock, for `lesmodus server demo --at`: it starts at the given
 * instant and runs on with real time, so a newcomer on a Saturday evening can
 * try a Wednesday lesson: the server, the portal (which counts from the
 * server's time) and the live laptop all share it. Only the demo uses it; a
 * real server and agent always run on their own (trusted) clocks.
 */
export function demoClock(startAt: number, real: () => number = Date.now): () => number {
  const offset = startAt - real();
  return () => real() + offset;
}
