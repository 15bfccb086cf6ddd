/** `tokclass serve`: listen, and shut down gracefully on SIGTERM/SIGINT. */
import type { AddressInfo } from "node:net";
import { buildApp, type TokclassApp } from "./app.js";
import type { ClassifierLoader } from "./contract.js";
import type { ServerConfig } from "./config.js";

export interface RunningServer extends TokclassApp {
  url: string;
  /** Stops accepting connections, lets requests in flight finish, disposes the classifiers. */
  close(): Promise<void>;
}

export async function startServer(config: ServerConfig, loader?: ClassifierLoader): Promise<RunningServer> {
  const built = buildApp({
    models: config.models,
    defaultModel: config.defaultModel,
    tokens: config.tokens,
    maxBodyBytes: config.maxBodyBytes,
    requestTimeoutMs: config.requestTimeoutMs,
    cacheSize: config.cacheSize,
    preload: config.preload,
    cors: config.cors,
    logger: config.logLevel === "silent" ? false : { level: config.logLevel },
    logRequests: config.logLevel === "debug" || config.logLevel === "trace",
    ...(loader ? { loader } : {}),
  });
  // A deep accept queue: Node's default backlog (511) drops the SYNs of a burst of ~1,000 new
  // connections, and their clients retry only after a second (seen in test/server/fault.test.ts).
  // The kernel caps it at net.core.somaxconn.
  await built.app.listen({ host: config.host, port: config.port, backlog: 4096 });
  const addr = built.app.server.address() as AddressInfo;
  const host = addr.family === "IPv6" ? `[${addr.address}]` : addr.address;
  let closing: Promise<void> | undefined;
  return {
    ...built,
    url: `http://${host}:${addr.port}`,
    close: () => (closing ??= built.app.close()),
  };
}

export interface ShutdownOptions {
  /** Force exit after this long (default 30 s). */
  timeoutMs?: number;
  log?: (message: string) => void;
  exit?: (code: number) => void;
}

/**
 * On the first SIGTERM/SIGINT: close gracefully, then exit 0. A second signal, or the timeout,
 * exits at once with 1. Returns a function removing the handlers.
 */
export function handleShutdownSignals(server: RunningServer, options: ShutdownOptions = {}): () => void {
  const log = options.log ?? ((m: string) => process.stderr.write(`${m}\n`));
  const exit = options.exit ?? ((code: number) => process.exit(code));
  let signalled = false;
  const onSignal = (signal: NodeJS.Signals): void => {
    if (signalled) {
      log(`tokclass: ${signal} again, exiting now`);
      exit(1);
      return;
    }
    signalled = true;
    log(`tokclass: ${signal}, finishing requests in flight`);
    const timer = setTimeout(() => {
      log("tokclass: shutdown timed out, exiting");
      exit(1);
    }, options.timeoutMs ?? 30_000);
    timer.unref();
    server.close().then(
      () => {
        clearTimeout(timer);
        exit(0);
      },
      (err: unknown) => {
        clearTimeout(timer);
        log(`tokclass: error while shutting down: ${(err as Error).message}`);
        exit(1);
      },
    );
  };
  process.on("SIGTERM", onSignal);
  process.on("SIGINT", onSignal);
  return () => {
    process.off("SIGTERM", onSignal);
    process.off("SIGINT", onSignal);
  };
}
