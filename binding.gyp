{
  # One addon, built from every .cc under native/ except tools, tests and fuzz targets
  # (they have their own mains). ONNX Runtime is not linked: runtime/ort_api.cc dlopens the
  # library whose path JavaScript resolves, so a CUDA build can be swapped in without a rebuild.
  "variables": {
    "ort_include": "<!(node scripts/ort-paths.cjs include)",
    "sanitize%": "0"
  },
  "targets": [
    {
      "target_name": "tokclass",
      "sources": [
        "<!@(find native -name '*.cc' -not -path 'native/tools/*' -not -path 'native/test/*' -not -path 'native/fuzz/*' | sort)"
      ],
      "include_dirs": [
        "<!(node -p \"require('node-addon-api').include_dir\")",
        "native",
        "<(ort_include)"
      ],
      # NODE_API_SWALLOW_UNTHROWABLE_EXCEPTIONS: a worker thread terminated with calls in flight
      # (or while the addon loads) leaves an environment that can no longer run JS; without it
      # node-addon-api turns the error of a result being delivered there into a process abort.
      "defines": [
        "NAPI_VERSION=8",
        "NODE_ADDON_API_DISABLE_DEPRECATED",
        "NODE_API_SWALLOW_UNTHROWABLE_EXCEPTIONS",
        "ORT_API_MANUAL_INIT"
      ],
      "cflags!": ["-fno-exceptions", "-fno-rtti"],
      "cflags_cc!": ["-fno-exceptions", "-fno-rtti", "-std=gnu++17"],
      "cflags_cc": ["-std=c++20", "-fexceptions", "-frtti", "-fvisibility=hidden", "-O2", "-Wall", "-Wextra", "-Wno-unused-parameter", "-Wno-missing-field-initializers"],
      "libraries": ["-ldl", "-lpthread"],
      "conditions": [
        ["sanitize==1", {
          "cflags_cc": ["-fsanitize=address,undefined", "-fno-omit-frame-pointer", "-O1", "-g"],
          "ldflags": ["-fsanitize=address,undefined"]
        }]
      ]
    }
  ]
}
