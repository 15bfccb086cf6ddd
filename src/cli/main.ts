#!/usr/bin/env node
// The `tokclass` executable: see cli.ts.
import { main } from "./cli.js";

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    process.stderr.write(`tokclass: ${String(err)}\n`);
    process.exitCode = 1;
  },
);
