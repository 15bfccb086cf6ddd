// Timing and statistics helpers.
import fs from "node:fs";

export const now = () => performance.now();

export function percentile(sorted, p) {
  if (!sorted.length) return NaN;
  const idx = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[idx];
}

/** {n, mean, p50, p90, p99, min, max} of a list of millisecond latencies. */
export function latencyStats(ms) {
  const s = Float64Array.from(ms).sort();
  const sum = s.reduce((a, b) => a + b, 0);
  return {
    n: s.length,
    mean: s.length ? sum / s.length : NaN,
    p50: percentile(s, 50),
    p90: percentile(s, 90),
    p99: percentile(s, 99),
    min: s[0] ?? NaN,
    max: s[s.length - 1] ?? NaN,
  };
}

/** The q-quantile (0..1) of a list, interpolated between neighbours (median = quantile 0.5). */
export function quantile(xs, q) {
  const s = [...xs].sort((a, b) => a - b);
  if (!s.length) return NaN;
  const pos = (s.length - 1) * q;
  const lo = Math.floor(pos);
  return s[lo] + (s[Math.min(lo + 1, s.length - 1)] - s[lo]) * (pos - lo);
}

export function median(xs) {
  const s = [...xs].sort((a, b) => a - b);
  return s.length ? (s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2) : NaN;
}

/**
 * A distribution-free confidence interval for the median of independent samples (the order
 * statistics x(j) and x(n+1-j), with j the largest index whose binomial tail P(Bin(n, 1/2) < j)
 * stays within (1 - confidence) / 2), so that "at the target's edge" becomes a verdict with a
 * stated confidence instead of a judgement of how far a median sits from a line. Needs no
 * assumption about the shape of the host's noise; null below 6 samples at 95% (no such interval
 * exists). `coverage` is the interval's exact confidence (at least `confidence`).
 */
export function medianInterval(xs, confidence = 0.95) {
  const s = [...xs].sort((a, b) => a - b);
  const n = s.length;
  const alpha = (1 - confidence) / 2;
  if (n > 1000) {
    // 0.5^n underflows; the normal approximation is exact enough there.
    const z = { 0.9: 1.644854, 0.95: 1.959964, 0.99: 2.575829 }[confidence];
    if (z === undefined) throw new Error(`medianInterval: confidence ${confidence} with over 1000 samples (0.9, 0.95 or 0.99)`);
    const jn = Math.floor(n / 2 - (z * Math.sqrt(n)) / 2);
    return { low: s[jn - 1], high: s[n - jn], coverage: confidence };
  }
  // P(Bin(n, 1/2) <= k) summed term by term (exact enough for the few hundred samples a
  // benchmark takes).
  let term = Math.pow(0.5, n);
  let below = 0; // P(Bin <= j - 1) for the candidate j
  let j = 0;
  for (let k = 0; k < n; k++) {
    if (below + term > alpha) break;
    below += term;
    j = k + 1;
    term = (term * (n - k)) / (k + 1);
  }
  if (j < 1) return null;
  return { low: s[j - 1], high: s[n - j], coverage: 1 - 2 * below };
}

/**
 * Whether a ratio's median meets a target, from its confidence interval: "met" when the whole
 * interval is on the target's side, "missed" when the whole interval is beyond it, otherwise
 * "undetermined" (the samples cannot tell at this confidence).
 */
export function verdict(interval, target, higherIsBetter) {
  if (!interval) return "undetermined";
  const good = (x) => (higherIsBetter ? x >= target : x <= target);
  if (good(interval.low) && good(interval.high)) return "met";
  if (!good(interval.low) && !good(interval.high)) return "missed";
  return "undetermined";
}

/** Reads a `Vm*:` field of /proc/self/status in bytes (null where there is no /proc). */
export function procStatus(field) {
  try {
    const m = fs.readFileSync("/proc/self/status", "utf8").match(new RegExp(`^${field}:\\s+(\\d+) kB`, "m"));
    return m ? Number(m[1]) * 1024 : null;
  } catch { return null; }
}

/** Current resident set size, bytes. */
export const rssNow = () => procStatus("VmRSS") ?? process.memoryUsage().rss;

/** Peak resident set size since start or since the last resetPeakRss(), bytes. */
export const peakRss = () => procStatus("VmHWM") ?? process.resourceUsage().maxRSS * 1024;

/**
 * Resets the kernel's peak-RSS mark (Linux: `5` into /proc/self/clear_refs), so that
 * peakRss() afterwards covers only what follows. Returns false where it is not possible,
 * in which case peakRss() stays the process-lifetime peak.
 */
export function resetPeakRss() {
  try { fs.writeFileSync("/proc/self/clear_refs", "5"); return true; } catch { return false; }
}

/**
 * What a leak of handles would grow: open file descriptors, OS threads, and the event loop's
 * active resources (by kind). Linux reads /proc; elsewhere fds and threads are NaN.
 */
export function handleCounts() {
  const linux = process.platform === "linux";
  const fds = linux ? fs.readdirSync("/proc/self/fd").length : NaN;
  const threads = linux ? Number(/^Threads:\s+(\d+)/m.exec(fs.readFileSync("/proc/self/status", "utf8"))?.[1]) : NaN;
  const resources = process.getActiveResourcesInfo();
  const kinds = {};
  for (const r of resources) kinds[r] = (kinds[r] ?? 0) + 1;
  return { fds, threads, resources: resources.length, kinds };
}

export const mb = (bytes) => (bytes == null ? null : Math.round((bytes / 1048576) * 10) / 10);

export function fmt(x, digits = 1) {
  if (x == null || Number.isNaN(x)) return "-";
  if (Math.abs(x) >= 100) return Math.round(x).toLocaleString("en-US");
  return x.toFixed(digits);
}

/** Prints rows (array of objects) as an aligned text table with the given columns. */
export function table(rows, columns) {
  const head = columns.map((c) => c.title);
  const body = rows.map((r) => columns.map((c) => String(c.get(r) ?? "-")));
  const widths = head.map((h, i) => Math.max(h.length, ...body.map((b) => b[i].length)));
  const line = (cells) => cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join("  ");
  return [line(head), widths.map((w) => "-".repeat(w)).join("  "), ...body.map(line)].join("\n");
}
