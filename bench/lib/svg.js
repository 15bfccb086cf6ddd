// Minimal hand-written SVG line charts (no browser, no dependencies), and PNG conversion
// through rsvg-convert (Debian librsvg2-bin) or ImageMagick's convert when installed.
import fs from "node:fs";
import { execFileSync } from "node:child_process";

const COLORS = ["#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b", "#e377c2"];
const esc = (s) => String(s).replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");

function niceNum(x) {
  if (x === 0) return "0";
  const a = Math.abs(x);
  if (a >= 1e6) return (x / 1e6).toFixed(a >= 1e7 ? 0 : 1) + "M";
  if (a >= 1e3) return (x / 1e3).toFixed(a >= 1e4 ? 0 : 1) + "k";
  if (a >= 10 || Number.isInteger(x)) return x.toFixed(0);
  if (a >= 1) return x.toFixed(1);
  return x.toPrecision(2);
}

function ticksLog(lo, hi, base = 10) {
  const out = [];
  const steps = base === 10 ? [1, 2, 5] : [1];
  for (let e = Math.floor(Math.log(lo) / Math.log(base)); Math.pow(base, e) <= hi * 1.0001; e++) {
    for (const s of steps) {
      const v = s * Math.pow(base, e);
      if (v >= lo * 0.9999 && v <= hi * 1.0001) out.push(v);
    }
  }
  return out;
}

function ticksLin(lo, hi, n = 5) {
  const span = hi - lo || 1;
  const step0 = span / n;
  const mag = Math.pow(10, Math.floor(Math.log10(step0)));
  const step = [1, 2, 5, 10].map((m) => m * mag).find((s) => s >= step0) ?? step0;
  const out = [];
  for (let v = Math.ceil(lo / step) * step; v <= hi + 1e-9; v += step) out.push(v);
  return out;
}

/**
 * One chart panel as an SVG <g>. series: [{name, points: [[x, y], ...]}].
 * opts: {title, xLabel, yLabel, xLog (true|2|10), yLog, width, height}
 */
export function chart(series, opts) {
  const W = opts.width ?? 460, H = opts.height ?? 320;
  const m = { l: 62, r: 12, t: 30, b: 46 };
  const pts = series.flatMap((s) => s.points).filter(([x, y]) => Number.isFinite(x) && Number.isFinite(y) && (!opts.yLog || y > 0));
  if (!pts.length) return `<g><text x="${W / 2}" y="${H / 2}" text-anchor="middle">${esc(opts.title)}: no data</text></g>`;
  const xs = pts.map((p) => p[0]), ys = pts.map((p) => p[1]);
  let [x0, x1] = [Math.min(...xs), Math.max(...xs)];
  let [y0, y1] = [Math.min(...ys), Math.max(...ys)];
  const xBase = opts.xLog === 2 ? 2 : 10;
  if (opts.yLog) { y0 = Math.pow(10, Math.floor(Math.log10(y0))); y1 = Math.pow(10, Math.ceil(Math.log10(y1))); }
  else { y0 = Math.min(0, y0); y1 = y1 * 1.08 || 1; }
  if (x0 === x1) { x0 = x0 / 2 || 0; x1 = x1 * 2 || 1; }
  if (opts.xLog) { x0 /= 1.08; x1 *= 1.08; }
  const fx = opts.xLog
    ? (x) => m.l + ((Math.log(x) - Math.log(x0)) / (Math.log(x1) - Math.log(x0))) * (W - m.l - m.r)
    : (x) => m.l + ((x - x0) / (x1 - x0)) * (W - m.l - m.r);
  const fy = opts.yLog
    ? (y) => H - m.b - ((Math.log(y) - Math.log(y0)) / (Math.log(y1) - Math.log(y0))) * (H - m.t - m.b)
    : (y) => H - m.b - ((y - y0) / (y1 - y0)) * (H - m.t - m.b);
  const xt = opts.xLog ? ticksLog(x0, x1, xBase) : ticksLin(x0, x1);
  const yt = opts.yLog ? ticksLog(y0, y1) : ticksLin(y0, y1);
  const g = [];
  g.push(`<rect x="${m.l}" y="${m.t}" width="${W - m.l - m.r}" height="${H - m.t - m.b}" fill="#fff" stroke="#999"/>`);
  for (const v of xt) {
    const x = fx(v).toFixed(1);
    g.push(`<line x1="${x}" y1="${m.t}" x2="${x}" y2="${H - m.b}" stroke="#eee"/>`);
    g.push(`<text x="${x}" y="${H - m.b + 14}" font-size="10" text-anchor="middle">${niceNum(v)}</text>`);
  }
  for (const v of yt) {
    const y = fy(v).toFixed(1);
    g.push(`<line x1="${m.l}" y1="${y}" x2="${W - m.r}" y2="${y}" stroke="#eee"/>`);
    g.push(`<text x="${m.l - 4}" y="${(+y + 3).toFixed(1)}" font-size="10" text-anchor="end">${niceNum(v)}</text>`);
  }
  g.push(`<text x="${W / 2}" y="18" font-size="13" font-weight="bold" text-anchor="middle">${esc(opts.title)}</text>`);
  g.push(`<text x="${(m.l + W - m.r) / 2}" y="${H - 10}" font-size="11" text-anchor="middle">${esc(opts.xLabel)}</text>`);
  g.push(`<text transform="translate(14 ${(m.t + H - m.b) / 2}) rotate(-90)" font-size="11" text-anchor="middle">${esc(opts.yLabel)}</text>`);
  series.forEach((s, i) => {
    const c = s.color ?? COLORS[i % COLORS.length];
    const p = s.points.filter(([x, y]) => Number.isFinite(x) && Number.isFinite(y) && (!opts.yLog || y > 0));
    if (!p.length) return;
    g.push(`<polyline fill="none" stroke="${c}" stroke-width="2"${s.dashed ? ' stroke-dasharray="5 3"' : ""} points="${p.map(([x, y]) => `${fx(x).toFixed(1)},${fy(y).toFixed(1)}`).join(" ")}"/>`);
    for (const [x, y] of p) g.push(`<circle cx="${fx(x).toFixed(1)}" cy="${fy(y).toFixed(1)}" r="3" fill="${c}"/>`);
    const ly = m.t + 14 + i * 14;
    g.push(`<line x1="${m.l + 8}" y1="${ly - 4}" x2="${m.l + 26}" y2="${ly - 4}" stroke="${c}" stroke-width="2"${s.dashed ? ' stroke-dasharray="5 3"' : ""}/>`);
    g.push(`<text x="${m.l + 30}" y="${ly}" font-size="10">${esc(s.name)}</text>`);
  });
  return `<g>${g.join("")}</g>`;
}

/** Lays panels out in a grid and returns a complete SVG document. */
export function svgDocument(panels, { title, cols = 3, width = 460, height = 320 } = {}) {
  const rows = Math.ceil(panels.length / cols);
  const top = title ? 28 : 0;
  const W = width * Math.min(cols, panels.length), H = height * rows + top;
  const parts = panels.map((p, i) => `<g transform="translate(${(i % cols) * width} ${top + Math.floor(i / cols) * height})">${p}</g>`);
  return `<?xml version="1.0" encoding="UTF-8"?>
<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="DejaVu Sans, Arial, sans-serif">
<rect width="100%" height="100%" fill="#fff"/>
${title ? `<text x="${W / 2}" y="19" font-size="14" text-anchor="middle">${esc(title)}</text>` : ""}
${parts.join("\n")}
</svg>
`;
}

/** Converts an SVG file to PNG with rsvg-convert or convert; returns the PNG path or null. */
export function svgToPng(svgFile) {
  const png = svgFile.replace(/\.svg$/, ".png");
  for (const [cmd, args] of [["rsvg-convert", ["-o", png, svgFile]], ["convert", [svgFile, png]]]) {
    try {
      execFileSync(cmd, args, { stdio: "ignore" });
      if (fs.existsSync(png)) return png;
    } catch {}
  }
  return null;
}
