/**
 * Model-card defaults: a model folder's README.md may carry, in its YAML front matter,
 *
 *   inference:
 *     parameters:
 *       aggregation_strategy: simple
 *       ignore_labels: ["O", "MISC"]
 *
 * which the hosted API uses as that model's defaults. Only this small subset of YAML is read
 * (nested maps by indentation, scalars, flow lists `[a, b]` and block lists `- a`); anything
 * else in the front matter is ignored, never an error.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { TokClassError } from "./errors.js";
import { modelFileExists } from "./model-files.js";
import { STRATEGIES, strategyInAnyCase } from "./options.js";
import type { AggregationStrategy } from "./types.js";

export interface CardParameters {
  aggregation_strategy?: AggregationStrategy;
  ignore_labels?: string[];
  stride?: number;
}

type Yaml = string | number | boolean | null | Yaml[] | { [key: string]: Yaml };

function scalar(raw: string): Yaml {
  const s = raw.trim();
  if (s === "") return null;
  if (/^(['"]).*\1$/.test(s)) return s.slice(1, -1);
  if (s === "true" || s === "false") return s === "true";
  if (s === "null" || s === "~") return null;
  if (/^-?\d+(\.\d+)?$/.test(s)) return Number(s);
  if (s.startsWith("[") && s.endsWith("]")) {
    const inner = s.slice(1, -1).trim();
    return inner === "" ? [] : inner.split(",").map((item) => scalar(item));
  }
  return s;
}

/** Parses the indentation-nested subset of YAML described above. */
export function parseFrontMatter(text: string): Record<string, Yaml> {
  const match = /^---\r?\n([\s\S]*?)\r?\n---/.exec(text);
  if (!match) return {};
  const root: Record<string, Yaml> = {};
  // Stack of (indent, container, key of the last map entry whose value may be a child).
  const stack: { indent: number; node: Record<string, Yaml>; lastKey?: string }[] = [{ indent: -1, node: root }];
  for (const line of match[1]!.split(/\r?\n/)) {
    if (/^\s*(#|$)/.test(line)) continue;
    const indent = line.length - line.trimStart().length;
    const body = line.trim();
    while (stack.length > 1 && indent <= stack[stack.length - 1]!.indent) stack.pop();
    const top = stack[stack.length - 1]!;
    if (body.startsWith("- ")) {
      // Block list item under the last key of the parent map.
      const parent = stack.length > 1 ? stack[stack.length - 2]! : top;
      const key = parent.lastKey;
      if (key === undefined) continue;
      const list = Array.isArray(parent.node[key]) ? (parent.node[key] as Yaml[]) : [];
      list.push(scalar(body.slice(2)));
      parent.node[key] = list;
      continue;
    }
    const colon = body.indexOf(":");
    if (colon <= 0) continue;
    const key = body.slice(0, colon).trim().replace(/^(['"])(.*)\1$/, "$2");
    const rest = body.slice(colon + 1);
    top.lastKey = key;
    if (rest.trim() === "") {
      const child: Record<string, Yaml> = {};
      top.node[key] = child;
      stack.push({ indent, node: child });
    } else {
      top.node[key] = scalar(rest);
    }
  }
  return root;
}

/** The card's inference.parameters (only keys tokclass understands, with the right types). */
export function readCardParameters(modelDir: string): CardParameters {
  const path = join(modelDir, "README.md");
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (error) {
    // No card: no defaults. A card that is a link to nothing is a broken download (throws).
    if ((error as NodeJS.ErrnoException).code === "ENOENT" && !modelFileExists(path)) return {};
    // A card that is there but cannot be read (a folder, no permission) is the model folder's
    // fault, and must fail as the other files of a broken folder do, not as a bare EISDIR.
    throw new TokClassError("ERR_MODEL_INVALID", `Cannot read the model card ${path}: ${(error as Error).message}`, { cause: error });
  }
  const front = parseFrontMatter(text);
  const inference = front.inference;
  if (typeof inference !== "object" || inference === null || Array.isArray(inference)) return {};
  const params = (inference as Record<string, Yaml>).parameters;
  if (typeof params !== "object" || params === null || Array.isArray(params)) return {};
  const out: CardParameters = {};
  const p = params as Record<string, Yaml>;
  if (typeof p.aggregation_strategy === "string") {
    // Read as the hosted API reads it (any case). A name that is no strategy is the card's
    // error, not the caller's: the caller never passed it.
    const named = strategyInAnyCase(p.aggregation_strategy);
    if (named === undefined) {
      throw new TokClassError(
        "ERR_MODEL_INVALID",
        `The model card ${path} sets inference.parameters.aggregation_strategy to ${JSON.stringify(p.aggregation_strategy)}, which is none of ${STRATEGIES.join(", ")}`,
      );
    }
    out.aggregation_strategy = named;
  }
  if (Array.isArray(p.ignore_labels) && p.ignore_labels.every((l) => typeof l === "string")) {
    out.ignore_labels = p.ignore_labels as string[];
  }
  if (typeof p.stride === "number" && Number.isInteger(p.stride) && p.stride >= 0) out.stride = p.stride;
  return out;
}
