{
  "targets": [
    {
      "target_name": "mempool_native",
      "sources": ["addon/addon.cc", "c/src/fixed_pool.c", "c/src/shared_pool.c", "c/src/arena.c", "c/src/shared_arena.c", "c/src/version.c"],
      "include_dirs": ["<!(node -p \"require('node-addon-api').include_dir\")", "c/include"],
      "defines": ["NAPI_VERSION=8", "NAPI_DISABLE_CPP_EXCEPTIONS", "NODE_ADDON_API_DISABLE_DEPRECATED"],
      "cflags": ["-O2", "-Wall", "-Wextra", "-Werror"],
      "cflags_c": ["-std=c11"],
      "cflags_cc": ["-std=c++17"],
      "cflags!": ["-fno-exceptions"],
      "cflags_cc!": ["-fno-exceptions", "-std=gnu++17"],
      "xcode_settings": {
        "CLANG_CXX_LANGUAGE_STANDARD": "c++17",
        "MACOSX_DEPLOYMENT_TARGET": "10.15",
        "OTHER_CFLAGS": ["-std=c11"]
      },
      "msvs_settings": { "VCCLCompilerTool": { "AdditionalOptions": ["/std:c++17"] } }
    }
  ]
}
