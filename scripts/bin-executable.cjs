#!/usr/bin/env node
// Marks the package's bin files (package.json "bin") executable after tsc writes them.
//
// Why: tsc writes plain 0644 files, and npm sets the executable bit only when it links a bin: on
// installing the package as a dependency, or the first time `npx tokclass` runs in a checkout.
// npx caches that link by the checkout's path, so a later clone at the same path reuses it
// without setting the bit on the new clone's file, and the README's first command fails with
// "Permission denied". Part of `npm run build:ts`, so every build leaves the bin runnable.
"use strict";
const fs = require("node:fs");
const path = require("node:path");

const root = path.join(__dirname, "..");
const pkg = JSON.parse(fs.readFileSync(path.join(root, "package.json"), "utf8"));
const bins = typeof pkg.bin === "string" ? [pkg.bin] : Object.values(pkg.bin ?? {});
for (const bin of bins) {
  const file = path.join(root, bin);
  const mode = fs.statSync(file).mode;
  fs.chmodSync(file, mode | ((mode & 0o444) >> 2));  // executable by whoever may read it
}
