/** `--pretty`: an aligned table of entities per input, for people. */
import type { Entity } from "../types.js";

function clip(text: string, max: number): string {
  const flat = text.replace(/\s+/g, " ");
  return flat.length > max ? `${flat.slice(0, max - 1)}…` : flat;
}

export function formatTable(title: string, entities: Entity[]): string {
  const head = `── ${clip(title, 70)}\n`;
  if (entities.length === 0) return `${head}   (no entities)\n\n`;
  const withIndex = entities.some((e) => "index" in e);
  const hasText = entities.some((e) => e.text !== undefined);
  const header = ["ENTITY", ...(withIndex ? ["INDEX"] : []), "SCORE", "START", "END", "WORD", ...(hasText ? ["TEXT"] : [])];
  const rows = entities.map((e) => [
    "entity_group" in e ? e.entity_group : e.entity,
    ...(withIndex ? [String("index" in e ? e.index : "")] : []),
    e.score.toFixed(4),
    String(e.start),
    String(e.end),
    clip(e.word, 40),
    ...(hasText ? [clip(e.text ?? "", 40)] : []),
  ]);
  const numeric = new Set(header.map((h, i) => (["INDEX", "SCORE", "START", "END"].includes(h) ? i : -1)));
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const fmt = (cells: string[]): string =>
    `   ${cells.map((c, i) => (numeric.has(i) ? c.padStart(widths[i]!) : c.padEnd(widths[i]!))).join("  ").trimEnd()}\n`;
  return head + fmt(header) + rows.map(fmt).join("") + "\n";
}
