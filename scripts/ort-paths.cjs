// Prints paths the native build needs, resolved through Node's module resolution so the
// build never depends on where npm happened to place a package.
//   node scripts/ort-paths.cjs include   -> ONNX Runtime C/C++ API headers
//   node scripts/ort-paths.cjs library   -> onnxruntime-node's core libonnxruntime.so.1
"use strict";
const path = require("path");
const fs = require("fs");

function packageDir(name) {
  return path.dirname(require.resolve(name + "/package.json"));
}

function includeDir() {
  // The headers ship inside the iOS framework of com.github.asus4.onnxruntime; the C API is
  // backward compatible, so these 1.29 headers drive the 1.30 library (version checked at load).
  const root = path.join(packageDir("com.github.asus4.onnxruntime"), "Plugins", "iOS~",
    "onnxruntime.xcframework", "ios-arm64_x86_64-simulator", "onnxruntime.framework", "Headers");
  if (!fs.existsSync(path.join(root, "onnxruntime_c_api.h"))) {
    throw new Error("ONNX Runtime headers not found under " + root);
  }
  return root;
}

function libraryPath() {
  return path.join(packageDir("onnxruntime-node"), "bin", "napi-v6", process.platform, process.arch,
    process.platform === "darwin" ? "libonnxruntime.1.dylib" : "libonnxruntime.so.1");
}

const what = process.argv[2];
if (what === "include") process.stdout.write(includeDir());
else if (what === "library") process.stdout.write(libraryPath());
else { console.error("usage: ort-paths.cjs include|library"); process.exit(2); }
