#!/usr/bin/env bash
# Builds the fuzz targets and runs them (docs/fuzzing.md). Run from the repository root.
#   Fuzz/fuzz.sh build                      build every target (debug, -sanitize=fuzzer,address)
#   Fuzz/fuzz.sh run TARGET SECONDS [ARGS]  fuzz one target for SECONDS, seeds from Fuzz/Seeds
#   Fuzz/fuzz.sh all SECONDS                build, then fuzz every target for SECONDS each, one after the other
#   Fuzz/fuzz.sh replay TARGET FILE...      run inputs once (a crash, a regression) with a symbolised stack trace
# The growing corpus of each target is kept in .build-fuzz/corpus/TARGET, crashes in .build-fuzz/artifacts/TARGET/.
set -euo pipefail
cd "$(dirname "$0")/.."
SCRATCH=${LEXEL_FUZZ_SCRATCH:-.build-fuzz}
TARGETS="FuzzVectorFile FuzzModelFile FuzzFastText FuzzClassifier FuzzWord2Vec FuzzTextVectors FuzzCorpus FuzzLexicalModel FuzzLuxical FuzzNumpy FuzzNgramTable FuzzDocuments FuzzQueryLines FuzzJSON"

seeds() {
    case $1 in
        FuzzVectorFile) echo Fuzz/Seeds/lxv ;;
        FuzzModelFile) echo Fuzz/Seeds/model ;;
        FuzzFastText) echo Fuzz/Seeds/fasttext ;;
        FuzzClassifier) echo Fuzz/Seeds/classifier ;;
        FuzzWord2Vec) echo Fuzz/Seeds/word2vec ;;
        FuzzTextVectors) echo Fuzz/Seeds/text ;;
        FuzzCorpus) echo Fuzz/Seeds/corpus ;;
        FuzzLexicalModel) echo Fuzz/Seeds/lxm ;;
        FuzzLuxical) echo Fuzz/Seeds/npz ;;
        FuzzNumpy) echo Fuzz/Seeds/npy ;;
        FuzzNgramTable) echo Fuzz/Seeds/ngrams ;;
        FuzzDocuments) echo Fuzz/Seeds/documents ;;
        FuzzQueryLines) echo Fuzz/Seeds/queries ;;
        FuzzJSON) echo Fuzz/Seeds/json ;;
        *) echo "unknown target $1 (one of: $TARGETS)" >&2; exit 2 ;;
    esac
}

build() {
    swift build --package-path Fuzz --scratch-path "$SCRATCH" -c debug \
        -Xswiftc -sanitize=fuzzer,address -Xswiftc -parse-as-library 2>&1 | { grep -v "Cannot export local symbol" || true; }
    for t in $TARGETS; do test -x "$SCRATCH/debug/$t" || { echo "$t was not built" >&2; return 1; }; done
}

run() {
    local target=$1 seconds=$2
    shift 2
    local s
    s=$(seeds "$target")
    # Inputs that once crashed a reader (docs/fuzzing.md) are replayed first.
    if [ -d "Fuzz/Regressions/$target" ]; then s="$s Fuzz/Regressions/$target"; fi
    mkdir -p "$SCRATCH/corpus/$target" "$SCRATCH/artifacts/$target"
    # A target's dictionary (format keywords), with the boundary integers every target gets, when it has one.
    local dict=()
    if [ -f "Fuzz/Dictionaries/$target.dict" ]; then
        cat "Fuzz/Dictionaries/$target.dict" Fuzz/Dictionaries/numbers.dict > "$SCRATCH/$target.dict"
        dict=(-dict="$SCRATCH/$target.dict")
    fi
    # The Swift runtime's own crash handler would compete with libFuzzer's and ASan's: turn it off.
    SWIFT_BACKTRACE=enable=no ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:symbolize=1} \
        "$SCRATCH/debug/$target" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -max_len=16384 \
        -print_final_stats=1 -artifact_prefix="$SCRATCH/artifacts/$target/" "${dict[@]}" "$@" "$SCRATCH/corpus/$target" $s
}

# The Swift runtime prints a fatal error's stack as addresses once its backtracer is off; resolve the frames of
# the fuzz binary with llvm-symbolizer (from the Swift toolchain).
demangle() { if command -v swift-demangle >/dev/null; then swift-demangle --simplified; else cat; fi; }

replay() {
    local target=$1 bin="$SCRATCH/debug/$1" sym
    shift
    sym=$(command -v llvm-symbolizer || echo "$(dirname "$(command -v swift)")/llvm-symbolizer")
    SWIFT_BACKTRACE=enable=no "$bin" "$@" 2>&1 | while IFS= read -r line; do
        if [[ $line =~ ^[0-9]+\ +$target\ .*\ \+\ ([0-9]+)$ ]] && [ -x "$sym" ]; then
            "$sym" --obj="$bin" --demangle "$(printf '0x%x' "${BASH_REMATCH[1]}")" | head -2 | paste -sd' ' | sed 's/^/    /' | demangle
        else
            echo "$line"
        fi
    done
}

case ${1:-} in
    build) build ;;
    run) run "$2" "$3" "${@:4}" ;;
    replay) replay "$2" "${@:3}" ;;
    all)
        build
        failed=""
        for t in $TARGETS; do run "$t" "$2" || failed="$failed $t"; done
        if [ -n "$failed" ]; then echo "crashed:$failed (inputs in $SCRATCH/artifacts/)" >&2; exit 1; fi
        ;;
    *) sed -n '2,7p' "$0"; exit 2 ;;
esac
