#!/bin/sh
# Adds up the results of every test log under DIR (default .) and prints
# one closing line: "tests: N passed, M failed".
dir=${1:-.}
find "$dir" -name '*.log' ! -name 'config.log' ! -name 'test-suite.log' | xargs cat 2>/dev/null | awk '
/^[0-9]+%: Checks: / {
    gsub(",", ""); n = $3; f = $5 + $7; pass += n - f; fail += f; next
}
/[0-9]+ passed, [0-9]+ failed/ {
    for (i = 1; i <= NF; i++) {
        if ($(i+1) ~ /^passed,?$/) pass += $i
        if ($(i+1) ~ /^failed/) fail += $i
    }
}
END { printf "tests: %d passed, %d failed\n", pass, fail; exit fail > 0 }'
