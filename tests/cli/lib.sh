# Sourced by the shell tests of tests/cli after `set -u` and the check of the variables they
# need: the counts, a scratch directory and the checks every one of them uses.
#   pass, fail                 the counts; `finish NAME` prints them, and is true when none failed
#   tmp, out                   a scratch directory, removed on exit; the last command's output
#   cc, san                    the C compiler (CC) and the sanitizer flags of the build (AXON_SAN)
#   ok; bad WHAT               a check passed; failed (with the last command's output)
#   run NAME CMD...            CMD must succeed
#   expect NAME STATUS CMD...  CMD must exit with STATUS
#   contains NAME TEXT         the last command's output contains TEXT
#   check NAME CMD...          a test of the shell must hold
#   same_recordings D1 D2 WHAT two runs' output directories hold the same files, byte for byte,
#                              and manifests that differ only in the command line and threads
#   same_npy D1 D2 MIN         (a test for check) every NPY file of D1, at least MIN of them, is
#                              in D2 with the same bytes
# The commands run with NO_COLOR=1 and their output (stdout and stderr) in $out.
pass=0
fail=0
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
out="$tmp/out"
# shellcheck disable=SC2034 # for the scripts that source this
cc=${CC:-cc}
# shellcheck disable=SC2034
san=${AXON_SAN:-}

# show: the last command's output, indented; a long one by its first and last 2000 bytes
show() {
    [ -s "$out" ] || return 0
    if [ "$(wc -c <"$out")" -le 4000 ]; then
        sed 's/^/    /' "$out"
    else
        head -c 2000 "$out" | sed 's/^/    /'
        echo "    ..."
        tail -c 2000 "$out" | sed 's/^/    /'
    fi
}
ok() { pass=$((pass + 1)); }
bad() {
    fail=$((fail + 1))
    echo "FAIL: $*"
    show
}
run() {
    name=$1
    shift
    if NO_COLOR=1 "$@" >"$out" 2>&1; then ok; else bad "$name (exit $?)"; fi
}
expect() {
    name=$1 want=$2
    shift 2
    NO_COLOR=1 "$@" >"$out" 2>&1
    rc=$?
    if [ "$rc" -eq "$want" ]; then ok; else bad "$name: exit $rc, expected $want"; fi
}
contains() {
    if grep -qF -- "$2" "$out"; then ok; else bad "$1: output lacks '$2'"; fi
}
check() {
    name=$1
    shift
    if "$@"; then ok; else
        fail=$((fail + 1))
        echo "FAIL: $name"
    fi
}
finish() {
    echo "$1: $pass passed, $fail failed"
    [ "$fail" -eq 0 ]
}
same_recordings() {
    if diff -r -x manifest.json "$1" "$2" >"$out" 2>&1 &&
        grep -v '"meta"\|"threads"' "$1/manifest.json" >"$tmp/m1" &&
        grep -v '"meta"\|"threads"' "$2/manifest.json" >"$tmp/m2" &&
        diff "$tmp/m1" "$tmp/m2" >>"$out" 2>&1; then
        ok
    else
        bad "$3: the recordings differ"
    fi
}
same_npy() {
    n=0
    for f in "$1"/*.npy; do
        [ -f "$f" ] || return 1
        cmp -s "$f" "$2/$(basename "$f")" || { echo "differs: $(basename "$f")"; return 1; }
        n=$((n + 1))
    done
    [ "$n" -ge "$3" ]
}
