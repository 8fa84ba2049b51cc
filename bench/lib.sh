# Shared by the benchmark scripts that take options (bench/coba/run.sh, bench/mpi/run.sh and
# balance.sh, bench/microcircuit/build.sh and run.sh); sourced, not run:
#   . "$root/bench/lib.sh"
#   bench_options "--scale SCALE --repeat R" "$@"
# Plain POSIX sh; `sh -n` checks it.

# bench_options SPEC ARGS...: SPEC pairs each option with the variable its value goes into
# ("--scale SCALE --k-scale KSCALE": `--scale 0.1`), or with an assignment for an option that
# takes no value ("--quick SIZES=4000"). -h or --help prints the script's leading comment (its
# usage) and exits 0; an unknown option or one without its value is a usage error (exit 2)
# before any work.
bench_options() {
    _spec=$1
    shift
    while [ $# -gt 0 ]; do
        case $1 in
        -h | --help)
            sed -n '2,/^[^#]/s/^# \{0,1\}\(.*\)/\1/p' "$0"
            exit 0
            ;;
        esac
        # shellcheck disable=SC2086 # the spec's words are the pairs
        _var=$(bench_option_var "$1" $_spec) || {
            echo "${0##*/}: unknown option '$1' (--help)" >&2
            exit 2
        }
        case $_var in
        *=*)
            eval "$_var"
            shift
            continue
            ;;
        esac
        [ $# -ge 2 ] || {
            echo "${0##*/}: $1 needs a value (--help)" >&2
            exit 2
        }
        eval "$_var=\$2"
        shift 2
    done
}

# bench_option_var OPTION SPEC-WORDS...: prints the variable (or assignment) of OPTION; fails
# when none.
bench_option_var() {
    _opt=$1
    shift
    while [ $# -ge 2 ]; do
        if [ "$1" = "$_opt" ]; then
            echo "$2"
            return 0
        fi
        shift 2
    done
    return 1
}

# bench_mpi_model SCRIPT: the model of --model (coba, brunel or microcircuit) in src (its file),
# sets (its --set options, from N and SCALE) and size (a phrase for the header); exits with a
# usage message naming SCRIPT for another value. Used by bench/mpi/run.sh and overlap.sh.
# shellcheck disable=SC2034 # src, sets and size are for the caller
bench_mpi_model() {
    case $MODEL in
    coba) src=bench/coba/coba.axon; sets="--set N=$N --set K=80"; size="N = $N" ;;
    brunel) src=examples/brunel.axon; sets="--set N=$N"; size="N = $N" ;;
    microcircuit)
        src=examples/microcircuit.axon; sets="--set scale=$SCALE --set k_scale=$SCALE"
        size="scale = k_scale = $SCALE" ;;
    *) echo "$1: --model coba, brunel or microcircuit" >&2; exit 2 ;;
    esac
}
