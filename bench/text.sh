#!/bin/sh
# Builds and runs the text benchmark (ARI vs gold groups, baseline, time for 1,000 notes).
# Usage: bench/text.sh [--sweep]     (run from anywhere; works in the repository root)
set -e
cd "$(dirname "$0")/.."
mkdir -p build
cc -std=c17 -O2 -Wall -Wextra -Werror -Wno-unused-parameter -Wshadow -Wstrict-prototypes \
   -D_DEFAULT_SOURCE -D_GNU_SOURCE -Isrc bench/text.c src/text/text_*.c \
   $(pkg-config --cflags --libs libutf8proc) -lstemmer -lm -o build/bench-text
build/bench-text data/eval/notes.tsv "$@"
echo
# The held-out set was written after the defaults and the vocabulary were fixed, so its
# figures show how well those choices carry over to notes they were not tuned on.
build/bench-text data/eval/holdout.tsv --no-speed
