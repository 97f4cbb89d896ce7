/**
 * One poll of a running job, `ms` after now: the panels re-arm it from an effect on each new
 * state, so the returned cleanup both cancels the wait and drops a reply that arrives after the
 * state moved on (or the panel unmounted).
 */
export function pollOnce<T>(ms: number, request: () => Promise<T>, onReply: (reply: T) => void, onError: (caught: unknown) => void): () => void {
  let live = true;
  const timer = setTimeout(() => {
    request().then(
      (reply) => {
        if (live) onReply(reply);
      },
      (caught: unknown) => {
        if (live) onError(caught);
      },
    );
  }, ms);
  return () => {
    live = false;
    clearTimeout(timer);
  };
}
