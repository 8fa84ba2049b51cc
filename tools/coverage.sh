#!/bin/sh
# Line and branch coverage of `make check`, per directory, with gcov alone (no gcovr or lcov).
#
# usage: tools/coverage.sh BUILD-DIR
# where BUILD-DIR is a tree configured and tested with coverage, e.g. from a clean copy:
#   ./configure CFLAGS='--coverage -O0' && make -j2 && make -j2 check
# Prints a table of lines and branches (taken at least once) per source directory and in all,
# counting each source file once (the object that covers most of it, when several objects
# compile it). Generated sources (the parser, the lexer) count under compiler/.
set -eu
dir=${1:?usage: tools/coverage.sh BUILD-DIR}
cd "$dir"
find . -name '*.gcda' | while read -r f; do
    gcov -b -n -o "$(dirname "$f")" "$f" 2>/dev/null
done | awk '
/^File / { file = $2; gsub(/\047/, "", file); sub(/^\.\//, "", file); lseen = bseen = 0; next }
# (each block is one file; a last "Lines executed" with no file is the object total)
/^Lines executed:/ && file != "" && !lseen++ {
    split($2, a, ":"); pct = a[2] + 0; n = $4 + 0
    l_hit[file] = (pct * n / 100 > l_hit[file]) ? pct * n / 100 : l_hit[file]; l_n[file] = n
    next
}
/^Taken at least once:/ && file != "" && !bseen++ {
    split($4, a, ":"); pct = a[2] + 0; n = $6 + 0
    b_hit[file] = (pct * n / 100 > b_hit[file]) ? pct * n / 100 : b_hit[file]; b_n[file] = n
    next
}
END {
    for (f in l_n) {
        if (f ~ /^\// || f ~ /^tests\// || f !~ /\.c$/) continue
        d = f; sub(/\/[^\/]*$/, "", d)
        L[d] += l_hit[f]; LN[d] += l_n[f]; B[d] += b_hit[f]; BN[d] += b_n[f]
        tl += l_hit[f]; tln += l_n[f]; tb += b_hit[f]; tbn += b_n[f]
    }
    printf "| directory | lines | covered | branches | taken |\n|---|---|---|---|---|\n"
    n = 0; for (d in LN) keys[++n] = d
    for (i = 2; i <= n; i++) for (j = i; j > 1 && keys[j-1] > keys[j]; j--) { t = keys[j]; keys[j] = keys[j-1]; keys[j-1] = t }
    for (i = 1; i <= n; i++) { d = keys[i]
        printf "| %s | %d | %.1f%% | %d | %.1f%% |\n", d, LN[d], 100 * L[d] / LN[d], BN[d], BN[d] ? 100 * B[d] / BN[d] : 0 }
    printf "| all | %d | %.1f%% | %d | %.1f%% |\n", tln, 100 * tl / tln, tbn, 100 * tb / tbn
}'
