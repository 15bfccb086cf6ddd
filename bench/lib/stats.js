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
