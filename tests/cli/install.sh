#!/bin/sh
# make install, checked from a DESTDIR install: every file where it belongs (the axon command,
# the libraries, the headers, axon.pc and axonc.pc, the standard library where the installed
# axon looks for it, the manual page, which man renders cleanly, the Python reader, which reads a
# recording from where it is installed), and the closed-loop example
# (examples/embed/closed_loop.c) built against the installed tree with pkg-config, run, and
# controlling its plant measurably better with the network than without.
set -u
: "${AXON_BUILDDIR:?}" "${AXON_SRCDIR:?}" "${AXON_INST_BINDIR:?}" "${AXON_INST_LIBDIR:?}"
: "${AXON_INST_INCLUDEDIR:?}" "${AXON_INST_PKGDATADIR:?}" "${AXON_INST_MANDIR:?}" "${AXON_INST_DOCDIR:?}"
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$AXON_SRCDIR/tests/cli/lib.sh"
D="$tmp/root"

has() { if [ -e "$D$1" ]; then ok; else : >"$out"; bad "not installed: $1"; fi; }

# the make of the build tree, without the jobserver of the make check that runs this
run "make install DESTDIR" env MAKEFLAGS= MAKELEVEL= ${MAKE:-make} -C "$AXON_BUILDDIR" install DESTDIR="$D"
has "$AXON_INST_BINDIR/axon"
for l in libaxonrt libaxonexe libaxonc; do
    has "$AXON_INST_LIBDIR/$l.so"
    has "$AXON_INST_LIBDIR/$l.a"
done
for h in axon.h model.h status.h tensor.h io.h exe.h rng.h analysis.h axonc.h; do
    has "$AXON_INST_INCLUDEDIR/axon/$h"
done
has "$AXON_INST_LIBDIR/pkgconfig/axon.pc"
has "$AXON_INST_LIBDIR/pkgconfig/axonc.pc"
has "$AXON_INST_PKGDATADIR/stdlib/neurons/lif.axon"
has "$AXON_INST_PKGDATADIR/stdlib/synapses/basic.axon"
has "$AXON_INST_MANDIR/man1/axon.1"
has "$AXON_INST_PKGDATADIR/python/axon_recording.py"
has "$AXON_INST_DOCDIR/LICENSE"
has "$AXON_INST_DOCDIR/NEWS"
has "$AXON_INST_DOCDIR/docs/embedding.md"

# the manual page renders, without warnings from groff
man1="$D$AXON_INST_MANDIR/man1/axon.1"
if command -v man >/dev/null 2>&1; then
    if MANWIDTH=80 man -l "$man1" >"$out" 2>&1 && grep -q "checkpoint-every" "$out" && grep -q "EXIT STATUS" "$out"; then
        ok; else bad "man -l axon.1"; fi
fi
if command -v groff >/dev/null 2>&1; then
    if groff -man -ww -z "$man1" >"$out" 2>&1 && [ ! -s "$out" ]; then ok; else bad "groff warnings in axon.1"; fi
fi
# every command of `axon --help` has its section in the manual page
for c in check run build dump repl analyze help; do
    if grep -q "^\.SS \"axon $c" "$man1"; then ok; else : >"$out"; bad "axon.1 lacks 'axon $c'"; fi
done

# The installed axon, with its libraries from the install (the tree is not moved into place,
# so the loader is told where they are); it looks for the standard library where make install
# put it, compiled in:
export LD_LIBRARY_PATH="$D$AXON_INST_LIBDIR${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"
axon="$D$AXON_INST_BINDIR/axon"
run "installed axon --version" "$axon" --version
if grep -aqF "$AXON_INST_PKGDATADIR/stdlib" "$D$AXON_INST_LIBDIR/libaxonc.so"; then ok; else
    : >"$out"; bad "libaxonc does not look for the standard library in $AXON_INST_PKGDATADIR/stdlib"; fi
# ... here it is under DESTDIR, so it is named
export AXON_STDLIB="$D$AXON_INST_PKGDATADIR/stdlib"
run "installed axon check" "$axon" check "$AXON_SRCDIR/examples/embed/tracker.axon"

# the installed Python reader (docs/analysis.md: PYTHONPATH=$(pkgdatadir)/python) reads a
# recording; it needs numpy, which tools/debian-deps.sh installs
py=/usr/bin/python3
[ -x "$py" ] || py=python3
if "$py" -c "import numpy" 2>/dev/null; then
    run "installed axon_recording.py" env PYTHONPATH="$D$AXON_INST_PKGDATADIR/python" PYTHONDONTWRITEBYTECODE=1 \
        "$py" -c "import axon_recording as ar, sys
assert ar.__file__.startswith(sys.argv[1]), ar.__file__
r = ar.load(sys.argv[2])
assert r.populations['E'].size == 200 and len(r.spikes['E']) > 1000 and r.state['E.v'].unit_name == 'V'" \
        "$D" "$AXON_SRCDIR/tests/reference/data/analysis"
elif sed 's/#.*//' "$AXON_SRCDIR/tools/debian-deps.sh" | grep -qw python3-numpy; then
    : >"$out"; bad "numpy is not installed, but tools/debian-deps.sh installs it (python3-numpy)"
else
    echo "SKIP: numpy not installed: the installed Python reader was not run"
fi

# the closed-loop example against the installed tree, with pkg-config
export PKG_CONFIG_PATH="$D$AXON_INST_LIBDIR/pkgconfig" PKG_CONFIG_SYSROOT_DIR="$D"
if ! command -v pkg-config >/dev/null 2>&1; then
    : >"$out"; bad "pkg-config is missing"
else
    run "pkg-config axon" pkg-config --cflags --libs axon
    flags=$(pkg-config --cflags --libs axon)
    case "$flags" in *"$D"*) ok ;; *) bad "pkg-config: flags outside the install: $flags" ;; esac
    run "build tracker.o (installed axon)" "$axon" build "$AXON_SRCDIR/examples/embed/tracker.axon" \
        --emit obj --symbol tracker -o "$tmp/tracker.o" -q
    run "compile closed_loop" $cc $san -std=c11 -Wall -Wextra -Werror -I"$tmp" \
        "$AXON_SRCDIR/examples/embed/closed_loop.c" "$tmp/tracker.o" $flags -o "$tmp/closed_loop"
    # it must link the installed runtime, not the build tree's
    if ldd "$tmp/closed_loop" 2>/dev/null | grep -q "$D$AXON_INST_LIBDIR/libaxonrt"; then ok; else
        ldd "$tmp/closed_loop" >"$out" 2>&1; bad "closed_loop does not use the installed libaxonrt"; fi
    run "closed loop: the network tracks the target" "$tmp/closed_loop" --check
    sed 's/^/    /' "$out"
    # libaxonc through axonc.pc: the compile-at-run-time example
    run "compile compile.c (axonc.pc)" $cc $san "$AXON_SRCDIR/examples/embed/compile.c" \
        $(pkg-config --cflags --libs axonc) -o "$tmp/compile"
    run "compile example runs (installed)" "$tmp/compile"
fi

finish install
