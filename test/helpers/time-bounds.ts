// Wall-time bounds for tests that check "finishes" or "the event loop stays responsive".
// scripts/test-asan.sh runs this suite with ASan's and UBSan's runtimes preloaded into all of
// node (and sets ASAN_OPTIONS), which slows allocation-heavy work several times over; a bound
// sized for the plain run would fail there without anything being wrong. One place says so.
export const underSanitizer = process.env.ASAN_OPTIONS !== undefined && process.env.ASAN_OPTIONS !== "";

// The bound for this run: `plainMs` normally, `sanitizerMs` in the sanitizer stage.
export function timeBound(plainMs: number, sanitizerMs: number): number {
  return underSanitizer ? sanitizerMs : plainMs;
}

/**
 * Watches the event loop through a chain of setImmediate ticks; stop() ends it and returns the
 * longest wait between two ticks, in ms: how long the loop was held at once.
 */
export function watchEventLoop(): { stop(): number } {
  let last = performance.now();
  let longest = 0;
  let ticking = true;
  const tick = (): void => {
    const now = performance.now();
    longest = Math.max(longest, now - last);
    last = now;
    if (ticking) setImmediate(tick);
  };
  setImmediate(tick);
  return {
    stop: () => {
      ticking = false;
      return longest;
    },
  };
}
