// Wall-time bounds for tests that check "finishes" or "the event loop stays responsive".
// scripts/test-asan.sh runs this suite with ASan's and UBSan's runtimes preloaded into all of
// node (and sets ASAN_OPTIONS), which slows allocation-heavy work several times over; a bound
// sized for the plain run would fail there without anything being wrong. One place says so.
export const underSanitizer = process.env.ASAN_OPTIONS !== undefined && process.env.ASAN_OPTIONS !== "";

// The bound for this run: `plainMs` normally, `sanitizerMs` in the sanitizer stage.
export function timeBound(plainMs: number, sanitizerMs: number): number {
  return underSanitizer ? sanitizerMs : plainMs;
}
