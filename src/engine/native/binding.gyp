{
  "targets": [
    {
      "target_name": "optocnn_native",
      "sources": ["<!@(node -p \"require('fs').readdirSync('src').filter((f) => f.endsWith('.cc')).sort().map((f) => 'src/' + f).join(' ')\")"],
      "include_dirs": [
        "<!(node -p \"require('node-addon-api').include_dir\")",
        "/usr/include/kissfft"
      ],
      "defines": ["NAPI_VERSION=8", "NAPI_CPP_EXCEPTIONS"],
      "cflags!": ["-fno-exceptions", "-O0", "-O2"],
      "cflags_cc!": ["-fno-exceptions", "-fno-rtti", "-O0", "-O2"],
      "cflags_cc": ["-std=c++17", "-O3", "-fexceptions", "-fopenmp", "-march=native", "-fno-math-errno"],
      "libraries": ["-ldnnl", "-lkissfft-float", "-fopenmp"]
    }
  ]
}
