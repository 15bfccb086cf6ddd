// `--help` for the bench scripts: each one's usage is the comment at its top, so that is what
// is printed (one text to keep true, not a second copy in a string).
import fs from "node:fs";
import { fileURLToPath } from "node:url";

/** Prints the leading comment of the script at `scriptUrl` and exits 0 when `wanted`. */
export function exitWithUsageIf(wanted, scriptUrl) {
  if (!wanted) return;
  const lines = fs.readFileSync(fileURLToPath(scriptUrl), "utf8").split("\n");
  const out = [];
  for (const line of lines.slice(lines[0]?.startsWith("#!") ? 1 : 0)) {
    if (!line.startsWith("//")) break;
    out.push(line.replace(/^\/\/ ?/, ""));
  }
  console.log(out.join("\n"));
  process.exit(0);
}

/** For scripts that read process.argv themselves. */
export const helpRequested = (argv = process.argv.slice(2)) => argv.includes("--help") || argv.includes("-h");
