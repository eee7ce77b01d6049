#!/bin/sh
# Creates the seed corpora in fuzz/corpus/<target>/ from sample-data/ (run from anywhere).
# The one-file targets read a flag byte first (0 = default limits), then the file.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
samples="$here/../sample-data"
corpus="$here/corpus"
mkdir -p "$corpus/number" "$corpus/customer"
for kind in account goals metrics stories opportunities; do
    mkdir -p "$corpus/$kind"
    for file in "$samples"/*/*/"$kind.csv"; do
        name=$(basename "$(dirname "$file")")
        { printf '\000'; cat "$file"; } > "$corpus/$kind/$name"
    done
done
# Export forms (fuzz_targets/exports.rs: a form byte, a flag byte, then the text) and the export
# fixtures of tests/fixtures/exports for the one-file targets (UTF-16, sep=, wide metrics…).
mkdir -p "$corpus/exports"
fixtures="$here/../tests/fixtures/exports"
n=0
for file in "$fixtures"/*/*/*.csv "$fixtures"/*/*/*/*.csv; do
    [ -f "$file" ] || continue
    base=$(basename "$file" .csv)
    case $base in account) k=0 ;; goals) k=1 ;; metrics) k=2 ;; stories) k=3 ;; *) k=4 ;; esac
    { printf '\000'; cat "$file"; } > "$corpus/$base/fixture-$n"
    # form: kind in the high nibble; 2 = re-encode as UTF-16 LE, 3 = behind "sep=".
    for form in 2 3; do
        { printf "\\$(printf '%03o' $((k * 16 + form)))\\000"; if [ $form = 3 ]; then printf ',\n'; fi; cat "$file"; } \
            > "$corpus/exports/fixture-$n-$form"
    done
    n=$((n + 1))
done
# Numbers: the examples of docs/input-format.md, accepted and rejected.
i=0
for text in '1234.50' '1,234.50' '1,234,567' '1,234' '1.234' '1234,5' '1.234,50' '€1.234,50' '1.234,50 €' \
    '-12,75' '.5' ',5' '+7' ' 42 ' '0' '$1,200' '-$1,200.10' '$-1,200' '¥4500' '£ 3.5' '15%' '12.5 %' \
    '20.6%' 'abc' '1.2.3' '12,34,5' '1e5' '1 234' '--1' '$$1' '12%%' '1.' \
    '1.00000000000000000000000000001' '79228162514264337593543950335' '-0.0000000000000000000000000001'; do
    printf '%s' "$text" > "$corpus/number/$i"
    i=$((i + 1))
done
# Whole folders: the five files of each sample customer, joined by the target's separator.
for dir in "$samples"/*/*/; do
    name=$(basename "$dir")
    out="$corpus/customer/$name"
    : > "$out"
    first=1
    for kind in account goals metrics stories opportunities; do
        [ -f "$dir/$kind.csv" ] || break # a missing part is a missing file
        [ "$first" = 1 ] || printf '\n--8<--\n' >> "$out"
        first=0
        cat "$dir/$kind.csv" >> "$out"
    done
done
echo "seed corpora in $corpus"
