{
  "targets": [
    {
      "target_name": "optocnn_native",
      "sources": [
        "src/addon.cc",
        "src/dnnl_context.cc",
        "src/conv.cc",
        "src/matmul.cc",
        "src/pool.cc",
        "src/fft.cc",
        "src/complex_gemm.cc",
        "src/data_movement.cc",
        "src/elementwise.cc"
      ],
      "include_dirs": [
        "<!(node -p \"require('node-addon-api').include_dir\")",
        "/usr/include/kissfft"
      ],
      "defines": ["NAPI_VERSION=8", "NAPI_CPP_EXCEPTIONS"],
      "cflags!": ["-fno-exceptions", "-O0", "-O2"],
      "cflags_cc!": ["-fno-exceptions", "-fno-rtti", "-O0", "-O2"],
      "cflags_cc": ["-std=c++17", "-O3", "-fexceptions", "-fopenmp", "-mavx2", "-mfma"],
      "libraries": ["-ldnnl", "-lkissfft-float", "-fopenmp"]
    }
  ]
}
