#!/bin/sh
# Builds and runs the text benchmark (ARI vs gold groups, baseline, time for 1,000 notes).
# Usage: bench/text.sh [--sweep]     (run from anywhere; works in the repository root)
set -e
cd "$(dirname "$0")/.."
mkdir -p build
cc -std=c17 -O2 -Wall -Wextra -Werror -Wno-unused-parameter -Wshadow -Wstrict-prototypes \
   -D_DEFAULT_SOURCE -D_GNU_SOURCE -Isrc bench/text.c src/text/text_*.c \
   $(pkg-config --cflags --libs libutf8proc) -lstemmer -lm -o build/bench-text
exec build/bench-text data/eval/notes.tsv "$@"
