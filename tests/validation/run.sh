#!/bin/sh
# Science validation:
#   check_neurons.py   LIF against analytic results; Izhikevich, AdEx, HH against Brian2
#   check_units.py     artificial units and map neurons against their closed forms
#   check_networks.py  delays, Kuramoto, Wilson-Cowan, ANN layer
#   check_stats.py     COBA and CUBA statistics against Brian2 over seeds
#   check_plasticity.py  STDP window, Song et al. (2000) against Brian2
#   check_rules.py     rate rules (Oja, Hebbian, covariance, BCM) and homeostasis
#   check_protocol.py  run-line protocols (parameters stepped at given times) against closed forms
#   check_synapse_signals.py  modulators read in synapses (on pre, continuous, equations) vs closed forms
#   check_neuron_events.py  neuron events (event NAME when) handled by synapses and rules (on post.NAME)
#   check_tempotron.py examples/tempotron.axon (Guetig & Sompolinsky 2006) against a replay of its rule
#   check_tripartite.py  tripartite synapses (via): a third population read and summed into, exact counts
#   check_glia.py      the stdlib astrocyte and tripartite synapse (Stimberg et al. 2018) against Brian2
#   check_noise.py     white noise: OU statistics, Milstein/Euler-Maruyama order, Siegert
#   check_poisson_input.py  summed Poisson input: its distribution, shot noise, threads
#   check_poisson_gaps.py  Poisson sources drawn as geometric gaps: counts, intervals, rate
#                      changes, edges, the cap, against the exact law and the per-step form
#   check_noise_synapse.py  white noise in synapse equations: OU synapses, Wiener process
#   check_topk.py      k-winners-take-all: topk(x, k) against an exact ranking
#   check_syn_values.py  per-synapse values from lists, NPY and CSV files reach their synapses
#   check_microcircuit.py  Potjans & Diesmann (2014) microcircuit, reduced: rates, CV, wiring, background counts
#   check_stdlib.py    stdlib synapses, rules and inputs against closed forms and Brian2
#   check_alpha.py     alpha-function conductances (LIFAlpha) against their closed form
#   check_vectors.py   vector state: 16 decays analytic, vectors vs scalars bit-identical
#   check_structure.py structural plasticity: pruning/regrowth exact, binomial means, threads
#   check_draws.py     several random draws in one population's or projection's arguments
#   check_dendrites.py active dendrites (DendLIF, post.u[seg]): closed forms, clustered vs
#                      dispersed input, vectors vs scalars bit-identical, threads, refusal
set -u
export PYTHONDONTWRITEBYTECODE=1 # nothing written into the source tree (vcheck.py)
: "${AXON:?}" "${AXON_SRCDIR:?}"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
st=0
/usr/bin/python3 "$AXON_SRCDIR/tests/validation/check_neurons.py" "$AXON" "$AXON_SRCDIR" "$work" || st=1
/usr/bin/python3 "$AXON_SRCDIR/tests/validation/check_units.py" "$AXON" "$AXON_SRCDIR" "$work" || st=1
/usr/bin/python3 "$AXON_SRCDIR/tests/validation/check_networks.py" "$AXON" "$AXON_SRCDIR" "$work" || st=1
/usr/bin/python3 "$AXON_SRCDIR/tests/validation/check_stats.py" "$AXON" "$AXON_SRCDIR" "$work" || st=1
/usr/bin/python3 "$AXON_SRCDIR/tests/validation/check_plasticity.py" "$AXON" "$AXON_SRCDIR" "$work" || st=1
/usr/bin/python3 "$AXON_SRCDIR/tests/validation/check_rules.py" "$AXON" "$AXON_SRCDIR" "$work" || st=1
/usr/bin/python3 "$AXON_SRCDIR/tests/validation/check_protocol.py" "$AXON" "$AXON_SRCDIR" "$work" || st=1
/usr/bin/python3 "$AXON_SRCDIR/tests/validation/check_synapse_signals.py" "$AXON" "$AXON_SRCDIR" "$work" || st=1
/usr/bin/python3 "$AXON_SRCDIR/tests/validation/check_neuron_events.py" "$AXON" "$AXON_SRCDIR" "$work" || st=1
/usr/bin/python3 "$AXON_SRCDIR/tests/validation/check_tempotron.py" "$AXON" "$AXON_SRCDIR" "$work" || st=1
/usr/bin/python3 "$AXON_SRCDIR/tests/validation/check_tripartite.py" "$AXON" "$AXON_SRCDIR" "$work" || st=1
/usr/bin/python3 "$AXON_SRCDIR/tests/validation/check_glia.py" "$AXON" "$AXON_SRCDIR" "$work" || st=1
/usr/bin/python3 "$AXON_SRCDIR/tests/validation/check_noise.py" "$AXON" "$AXON_SRCDIR" "$work" || st=1
/usr/bin/python3 "$AXON_SRCDIR/tests/validation/check_poisson_input.py" "$AXON" "$AXON_SRCDIR" "$work" || st=1
/usr/bin/python3 "$AXON_SRCDIR/tests/validation/check_poisson_gaps.py" "$AXON" "$AXON_SRCDIR" "$work" || st=1
/usr/bin/python3 "$AXON_SRCDIR/tests/validation/check_noise_synapse.py" "$AXON" "$AXON_SRCDIR" "$work" || st=1
/usr/bin/python3 "$AXON_SRCDIR/tests/validation/check_topk.py" "$AXON" "$AXON_SRCDIR" "$work" || st=1
/usr/bin/python3 "$AXON_SRCDIR/tests/validation/check_syn_values.py" "$AXON" "$AXON_SRCDIR" "$work" || st=1
/usr/bin/python3 "$AXON_SRCDIR/tests/validation/check_microcircuit.py" "$AXON" "$AXON_SRCDIR" "$work" || st=1
/usr/bin/python3 "$AXON_SRCDIR/tests/validation/check_stdlib.py" "$AXON" "$AXON_SRCDIR" "$work" || st=1
/usr/bin/python3 "$AXON_SRCDIR/tests/validation/check_alpha.py" "$AXON" "$AXON_SRCDIR" "$work" || st=1
/usr/bin/python3 "$AXON_SRCDIR/tests/validation/check_vectors.py" "$AXON" "$AXON_SRCDIR" "$work" || st=1
/usr/bin/python3 "$AXON_SRCDIR/tests/validation/check_structure.py" "$AXON" "$AXON_SRCDIR" "$work" || st=1
/usr/bin/python3 "$AXON_SRCDIR/tests/validation/check_draws.py" "$AXON" "$AXON_SRCDIR" "$work" || st=1
/usr/bin/python3 "$AXON_SRCDIR/tests/validation/check_dendrites.py" "$AXON" "$AXON_SRCDIR" "$work" || st=1
exit $st
