#!/usr/bin/env node
// Load test of `tokclass serve` with autocannon.
//
//   npm run build:ts && node bench/load/run.js [--connections 64] [--duration 30] [--model DIR]
//                                             [--cache] [--timeout 30] [--pipelining 1]
//
// Starts the server itself (node dist/cli/main.js serve --port 0 on 127.0.0.1) in a child process,
// waits until its model is ready, then POSTs the seed request
//   {"inputs": "My name is Sarah Jessica Parker but you can call me Jessica"}
// to /models/default with `x-use-cache: false` (so every request runs inference; --cache turns
// the response cache on) from `connections` connections for `duration` seconds. Prints
// throughput and latency percentiles, stops the server with SIGTERM (graceful shutdown), and
// exits 1 unless there were zero errors, zero timeouts and only 2xx responses.
// Environment overrides: LOAD_CONNECTIONS, LOAD_DURATION.
import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { exitWithUsageIf } from "../lib/usage.js";
import autocannon from "autocannon";

const root = join(dirname(fileURLToPath(import.meta.url)), "..", "..");
const SEED = { inputs: "My name is Sarah Jessica Parker but you can call me Jessica" };

const { values: args } = parseArgs({
  options: {
    connections: { type: "string", default: process.env.LOAD_CONNECTIONS ?? "64" },
    duration: { type: "string", default: process.env.LOAD_DURATION ?? "30" },
    model: { type: "string" },
    cache: { type: "boolean", default: false },
    timeout: { type: "string", default: "30" },
    pipelining: { type: "string", default: "1" },
    help: { type: "boolean", short: "h", default: false },
  },
});
exitWithUsageIf(args.help, import.meta.url);
const connections = Number(args.connections);
const duration = Number(args.duration);
if (!(connections > 0) || !(duration > 0)) {
  console.error("--connections and --duration must be positive numbers");
  process.exit(2);
}

const cli = join(root, "dist", "cli", "main.js");
if (!existsSync(cli)) {
  console.error(`${cli} is missing: run npm run build:ts first`);
  process.exit(2);
}

function startServer() {
  const argv = [cli, "serve", "--host", "127.0.0.1", "--port", "0", "--log-level", "warn"];
  if (args.model) argv.push("--model", `default=${args.model}`);
  const child = spawn(process.execPath, argv, { stdio: ["ignore", "inherit", "pipe"] });
  const exited = new Promise((resolve) => child.on("exit", (code, signal) => resolve({ code, signal })));
  const url = new Promise((resolve, reject) => {
    let buf = "";
    child.stderr.on("data", (d) => {
      process.stderr.write(d);
      buf += d.toString();
      const m = /listening on (http:\/\/\S+)/.exec(buf);
      if (m) resolve(m[1]);
    });
    exited.then(({ code }) => reject(new Error(`server exited with code ${code} before listening`)));
  });
  return { child, url, exited };
}

async function waitReady(url, timeoutMs = 120_000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const res = await fetch(`${url}/models/default`, {
      method: "POST",
      headers: { "content-type": "application/json", "x-wait-for-model": "true", "x-use-cache": "false" },
      body: JSON.stringify(SEED),
    });
    if (res.ok) return res.json();
    if (res.status !== 503 || Date.now() > deadline) throw new Error(`model not ready: ${res.status} ${await res.text()}`);
    await new Promise((r) => setTimeout(r, 500));
  }
}

const server = startServer();
let failed = false;
try {
  const url = await server.url;
  const entities = await waitReady(url);
  console.log(`seed request -> ${JSON.stringify(entities)}`);
  console.log(`autocannon: ${connections} connections, ${duration} s, cache ${args.cache ? "on" : "off"}`);
  const result = await autocannon({
    url: `${url}/models/default`,
    method: "POST",
    headers: { "content-type": "application/json", "x-use-cache": args.cache ? "true" : "false" },
    body: JSON.stringify(SEED),
    connections,
    duration,
    pipelining: Number(args.pipelining),
    timeout: Number(args.timeout),
  });
  const l = result.latency;
  console.log(
    [
      `requests:   ${result.requests.total} (${result["2xx"]} 2xx, ${result.non2xx} non-2xx)`,
      `throughput: ${result.requests.average.toFixed(1)} req/s average (min ${result.requests.min}, max ${result.requests.max}), ${(result.throughput.average / 1024).toFixed(1)} KiB/s`,
      `latency:    p50 ${l.p50} ms, p90 ${l.p90} ms, p99 ${l.p99} ms, max ${l.max} ms`,
      `errors:     ${result.errors} (timeouts ${result.timeouts})`,
    ].join("\n"),
  );
  if (result.errors !== 0 || result.timeouts !== 0 || result.non2xx !== 0 || result["2xx"] === 0) {
    console.error("FAIL: expected zero errors, zero timeouts and only 2xx responses");
    failed = true;
  } else {
    console.log(`OK: ${result.requests.average.toFixed(1)} req/s, p99 ${l.p99} ms`);
  }
} catch (err) {
  console.error(`FAIL: ${err instanceof Error ? err.message : String(err)}`);
  failed = true;
} finally {
  server.child.kill("SIGTERM");
  const killer = setTimeout(() => server.child.kill("SIGKILL"), 30_000);
  const { code, signal } = await server.exited;
  clearTimeout(killer);
  if (code !== 0) {
    console.error(`server exited with ${signal ?? `code ${code}`} after SIGTERM`);
    failed = true;
  }
}
process.exit(failed ? 1 : 0);
