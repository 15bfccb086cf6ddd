/**
 * tokclass command line (main.ts only runs it). Exit codes scripts can rely on: 0 ok, 1 runtime failure,
 * 2 usage error, 3 input error (unreadable input, invalid UTF-8 with its line number).
 */
import { readFileSync } from "node:fs";
import { tokClassCode } from "../server/http-errors.js";
import { EXIT_INPUT, EXIT_OK, EXIT_RUNTIME, EXIT_USAGE, HELP, parseCli, SERVE_HELP, UsageError, type Command } from "./args.js";
import { InputError, Output, OutputError } from "./io.js";
import { runClassify, type CliStreams } from "./run.js";

function version(): string {
  try {
    return (JSON.parse(readFileSync(new URL("../../package.json", import.meta.url), "utf8")) as { version: string }).version;
  } catch {
    return "unknown";
  }
}

/** Exit code for an error, by kind. */
export function exitCodeFor(err: unknown): number {
  if (err instanceof UsageError || (err instanceof Error && err.name === "ConfigError")) return EXIT_USAGE;
  if (err instanceof InputError) return EXIT_INPUT;
  // The output could not be written (a full disk): not the input's fault, nothing to retry with other input.
  if (err instanceof OutputError) return EXIT_RUNTIME;
  switch (tokClassCode(err)) {
    case "ERR_INVALID_TEXT":
      return EXIT_INPUT;
    case "ERR_INVALID_ARGUMENT":
    case "ERR_UNKNOWN_STRATEGY":
    case "ERR_STRIDE_TOO_LARGE":
    case "ERR_STRIDE_WITH_NONE":
      return EXIT_USAGE;
    default:
      return EXIT_RUNTIME;
  }
}

async function serve(cmd: Extract<Command, { kind: "serve" }>, io: CliStreams): Promise<number> {
  const { resolveServerConfig } = await import("../server/config.js");
  const { startServer, handleShutdownSignals } = await import("../server/serve.js");
  const config = resolveServerConfig(cmd.flags);
  const server = await startServer(config);
  io.stderr.write(`tokclass: listening on ${server.url} (models: ${server.registry.ids().join(", ")}; POST / -> ${config.defaultModel})\n`);
  const loopback = config.host === "localhost" || config.host === "::1" || config.host.startsWith("127.");
  if (!loopback && config.tokens.length === 0) {
    io.stderr.write(`tokclass: warning: listening on ${config.host} without --token; anyone who can reach it can use it\n`);
  }
  handleShutdownSignals(server);
  return new Promise<number>(() => {}); // the signal handler exits
}

export async function main(argv: string[], io: CliStreams = process): Promise<number> {
  let cmd: Command;
  try {
    cmd = parseCli(argv, (io.stdin as { isTTY?: boolean }).isTTY === true);
  } catch (err) {
    const help = argv[0] === "serve" ? "tokclass serve --help" : "tokclass --help";
    io.stderr.write(`tokclass: ${(err as Error).message}\nRun "${help}" for usage.\n`);
    return EXIT_USAGE;
  }
  try {
    switch (cmd.kind) {
      case "help":
      case "version": {
        const out = new Output(io.stdout);
        await out.write(cmd.kind === "version" ? `${version()}\n` : cmd.topic === "serve" ? SERVE_HELP : HELP);
        await out.finish();
        return EXIT_OK;
      }
      case "serve":
        return await serve(cmd, io);
      case "classify": {
        const { loadCliClassifier } = await import("../server/load.js");
        const clf = await loadCliClassifier(cmd.model, cmd.load);
        try {
          await runClassify(cmd, clf, io);
        } finally {
          await clf.dispose();
        }
        return EXIT_OK;
      }
    }
  } catch (err) {
    const code = exitCodeFor(err);
    io.stderr.write(`tokclass: ${(err as Error)?.message ?? String(err)}\n`);
    if (code === EXIT_RUNTIME && process.env.TOKCLASS_DEBUG && err instanceof Error) io.stderr.write(`${err.stack}\n`);
    return code;
  }
}
