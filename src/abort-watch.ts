/**
 * One "abort" listener per AbortSignal, however many calls wait on it.
 *
 * Why: callers share one signal across many concurrent calls (a server request's texts, an SSE
 * stream's inputs, a batch job's cancel button). A listener per call made Node print
 * MaxListenersExceededWarning ("possible EventTarget memory leak") from the 11th call on, and
 * each removal scanned the signal's whole listener list. Here the calls on a signal are a Set
 * behind a single listener, added with the first call and removed with the last.
 */

interface Watchers {
  readonly callbacks: Set<() => void>;
  readonly listener: () => void;
}

const watched = new WeakMap<AbortSignal, Watchers>();

/**
 * Calls `onAbort` once if `signal` aborts before the returned function is called; that function
 * stops watching (idempotent). The signal must not be aborted yet.
 */
export function watchAbort(signal: AbortSignal, onAbort: () => void): () => void {
  let watchers = watched.get(signal);
  if (watchers === undefined) {
    const callbacks = new Set<() => void>();
    const listener = (): void => {
      watched.delete(signal);
      // The live set, as EventTarget dispatches: a watcher unwatched by an earlier one's
      // callback is not called. One that throws does not keep the rest from being called; the
      // first error is rethrown after them, for Node to report as a listener's error.
      let failed = false;
      let first: unknown;
      for (const callback of callbacks) {
        try {
          callback();
        } catch (error) {
          if (!failed) [failed, first] = [true, error];
        }
      }
      callbacks.clear();
      if (failed) throw first;
    };
    watchers = { callbacks, listener };
    watched.set(signal, watchers);
    signal.addEventListener("abort", listener, { once: true });
  }
  // A function object of its own, so that the same onAbort watched twice is two entries.
  const entry = (): void => onAbort();
  const { callbacks, listener } = watchers;
  callbacks.add(entry);
  return () => {
    if (!callbacks.delete(entry) || callbacks.size > 0) return;
    if (watched.get(signal)?.callbacks === callbacks) watched.delete(signal);
    signal.removeEventListener("abort", listener);
  };
}
