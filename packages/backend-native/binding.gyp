{
  "variables": {
    # The project's own builds (npm run build, CI) pass MEMPOOL_WERROR=1; a user building from
    # source with another compiler gets warnings, not a failed install.
    "werror%": "<!(node -p \"process.env.MEMPOOL_WERROR === '1' ? '-Werror' : ''\")"
  },
  "targets": [
    {
      "target_name": "mempool_native",
      "sources": [
        "addon/addon.cc",
        "addon/allocator_table.cc",
        "c/src/pages.c",
        "c/src/fixed_pool.c",
        "c/src/shared_pool.c",
        "c/src/arena.c",
        "c/src/shared_arena.c",
        "c/src/version.c"
      ],
      "include_dirs": ["c/include"],
      "defines": ["NAPI_VERSION=8"],
      "cflags": ["-O2", "-Wall", "-Wextra", "<(werror)"],
      "cflags_c": ["-std=c11"],
      "cflags_cc": ["-std=c++17"],
      "cflags!": ["-fno-exceptions"],
      "cflags_cc!": ["-fno-exceptions", "-std=gnu++17"],
      "xcode_settings": {
        "CLANG_CXX_LANGUAGE_STANDARD": "c++17",
        "GCC_ENABLE_CPP_EXCEPTIONS": "YES",
        "MACOSX_DEPLOYMENT_TARGET": "10.15",
        "OTHER_CFLAGS": ["-std=c11"]
      },
      "msvs_settings": { "VCCLCompilerTool": { "AdditionalOptions": ["/std:c++17"], "ExceptionHandling": 1 } }
    }
  ]
}
