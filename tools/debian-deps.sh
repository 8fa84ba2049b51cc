#!/bin/sh
# Installs what Axon needs to build and test on Debian 12 (run as root).
# Each package and why:
#   build-essential autoconf automake libtool pkg-config  the build system (build-essential
#                         brings g++, with which `make check` compiles the public headers as C++)
#   re2c bison            lexer and parser generators (not needed for a release tarball)
#   llvm-19-dev           code generation, optimisation and JIT (LLVM C API)
#   libffi-dev            calling compiled kernels from the REPL (not needed with --without-repl)
#   check                 the C unit-test framework (needed only by `make check`)
#   libedit-dev           line editing in `axon repl` (not needed with --without-repl); BSD
#                         licensed, so preferred to GNU Readline (GPL), which configure also takes
#   python3-numpy         tests read recordings (NPY files) back with numpy
#   valgrind              tests/cli/run.sh runs an executable built with --target-cpu x86-64 under it
#   python3-scipy         tests/reference/analysis_ref.py, the independent check of axon analyze
#   python3-neo           tests the Python reader's Neo objects (python/axon_recording.py)
#   librsvg2-bin          tests render every figure to PNG (rsvg-convert)
#   chromium              tests open the HTML report headless and check its screenshot
#   man-db groff-base     tests/cli/install.sh renders the manual page (man -l) and checks groff -ww
#   libjson-c-dev         JSON for the language server, `axon lsp` (not needed with --without-lsp)
#   emacs-nox elpa-eglot neovim  tests/editors/run.sh runs the Emacs mode, Emacs with eglot and
#                         Neovim's LSP client against `axon lsp` (it fails when these are listed
#                         here but missing). emacs-nox is the smallest Emacs (no X: 34 MB, with
#                         emacs-common 72 MB and emacs-el 17 MB); elpa-eglot (0.2 MB) because
#                         Debian 12's Emacs 28 has no built-in eglot; neovim 4.7 MB + 20 MB runtime
#   libopenmpi-dev openmpi-bin  simulations over MPI ranks (docs/mpi.md; configure finds them,
#                         --without-mpi leaves MPI out) and `make check`'s mpirun tests (tests/mpi)
# Not installed here (optional, large): python3-brian, the Brian2 side of bench/ and the
# reference generators of tests/reference (`apt-get install python3-brian`).
set -e
export DEBIAN_FRONTEND=noninteractive
need=""
for p in build-essential autoconf automake libtool pkg-config re2c bison llvm-19-dev \
         libffi-dev check libedit-dev python3-numpy valgrind python3-scipy python3-neo \
         librsvg2-bin chromium libjson-c-dev man-db groff-base emacs-nox elpa-eglot neovim \
         libopenmpi-dev openmpi-bin; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" || need="$need $p"
done
if [ -n "$need" ]; then
    apt-get update -q
    apt-get install -y -q --no-install-recommends $need
fi
