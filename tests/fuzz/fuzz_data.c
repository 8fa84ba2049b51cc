/*
 * Fuzz targets for the data files a model reads: connection lists (`connect from "e.csv"`),
 * timed arrays (`timed("s.csv", 1 ms)`), spike sources (`SpikeSource[n] from "s.csv"`), and the
 * runtime's CSV reader (axon_csv_read). Any byte string must give values or diagnostics,
 * never a crash, a hang or a sanitizer report.
 *
 * The compiler's reader takes the bytes as the file "data.csv" of a fixed model, registered
 * with the diagnostics beforehand (tab_read finds a file registered under its name and does not
 * read the disk), so the whole path is fuzzed: reading, headers and units, and the checks of
 * the model that uses the values (indices in range, times, duplicates, delays).
 *
 * Two ways to run it:
 *  - libFuzzer (long runs), one binary per kind: -DFUZZ_KIND=FUZZ_EDGES (FUZZ_TIMED,
 *    FUZZ_SPIKES, FUZZ_CSV) with -fsanitize=fuzzer (tests/fuzz/README.md);
 *  - the smoke mode of `make check`: `fuzz_data N CORPUS-DIR` mutates, for each kind, the files
 *    of CORPUS-DIR/KIND/ with a fixed seed and runs N inputs.
 */
#include "axon/axon.h"
#include "axon/io.h"
#include "diag.h"
#include "lower/ir.h"
#include "sema/sema.h"
#include "util.h"

#include <dirent.h>
#include <fcntl.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

enum { FUZZ_EDGES, FUZZ_TIMED, FUZZ_SPIKES, FUZZ_CSV, FUZZ_NKINDS };

static const char *const KIND_NAMES[FUZZ_NKINDS] = {"edges", "timed", "spikes", "csv"};

/* The model that reads data.csv, per kind (FUZZ_CSV: none). */
static const char *const MODELS[FUZZ_NKINDS] = {
    "import \"std/neurons/lif\"\nimport \"std/synapses/basic\"\nimport \"std/rules/stdp\"\n"
    "module M {\n    population A = LIFCond[4]\n    population B = LIFCond[3]\n"
    "    project A -> B : Exc connect from \"data.csv\" learn STDP(w_max = 10 nS)\n}\n",
    "import \"std/neurons/lif\"\n"
    "neuron T {\n    state { v = 0 }\n    equations { v' = (timed(\"data.csv\", 0.5 ms) - v) / (1 ms) }\n}\n"
    "module M {\n    population A = LIF[3](I_ext = timed(\"data.csv\", 1 ms) * 1 nA)\n"
    "    population B = T[1]\n}\n",
    "import \"std/inputs/spikes\"\n"
    "module M {\n    population S = SpikeSource[4] from \"data.csv\"\n}\n",
    NULL,
};

static void fuzz_model(int kind, const uint8_t *data, size_t size)
{
    diag_ctx *d = diag_new();
    ax_arena *ar = arena_new();
    const char *std = getenv("AXON_STDLIB");
    const char *dirs[2] = {std && *std ? std : "stdlib", NULL};
    diag_add_file(d, "data.csv", (const char *)data, size);
    sema_ctx *sc = sema_new(ar, d, dirs, NULL);
    int id = sema_load_text(sc, "fuzz.axon", MODELS[kind], strlen(MODELS[kind]));
    if (!diag_error_count(d)) {
        sema_check_all(sc);
        if (!diag_error_count(d)) {
            ir_build(sc, id, "M", NULL, 0, 1e-4);
        }
    }
    char *s = diag_render_string(d, 0);
    free(s);
    arena_free(ar);
    diag_free(d);
}

/* The runtime's reader takes a path: the bytes go to a file of this process. */
static void fuzz_csv(const uint8_t *data, size_t size)
{
    char path[64];
    snprintf(path, sizeof path, "/tmp/axon-fuzz-csv-%ld.csv", (long)getpid());
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
    if (fd < 0)
        return;
    for (size_t off = 0; off < size;) {
        ssize_t k = write(fd, data + off, size - off);
        if (k <= 0)
            break;
        off += (size_t)k;
    }
    close(fd);
    for (int ncols = -1; ncols <= 3; ncols += 4) { /* any count, then 3 */
        axon_tensor *t = NULL;
        axon_err err;
        if (axon_csv_read(path, ncols, &t, &err) == AXON_OK)
            axon_tensor_free(t);
    }
    unlink(path);
}

static void fuzz_one(int kind, const uint8_t *data, size_t size)
{
    if (kind == FUZZ_CSV)
        fuzz_csv(data, size);
    else
        fuzz_model(kind, data, size);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#ifdef FUZZ_KIND
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    fuzz_one(FUZZ_KIND, data, size);
    return 0;
}
#endif

#ifndef AXON_LIBFUZZER

#include "smoke.h"

static const char *const DICT[] = {
    ",", "\n", "\r\n", "#", " ", "\t", ":", "i", "j", "t", "w", "delay", "t:ms", "w:nS",
    "delay:ms", "a_pre", "nan", "inf", "-inf", "1e309", "-1", "0", "3", "4", "2147483648",
    "1e-400", "0.05", "O.5", "l0", "\xef\xbb\xbf", "\xc2\xb5s", "\0", ",,,,,,,,", "\n\n\n",
    "0,1\n", "1,2,0.5\n", "i,j,w:nS\n", "i,t:ms\n", "t:kg", "w:mV",
};

static const mutations MUTATIONS = {DICT, sizeof DICT / sizeof DICT[0], 32, 256};

/* The files of dir, sorted by name (reproducible), into *out; returns how many. */
static int load_corpus(const char *dir, bytes **out)
{
    DIR *d = opendir(dir);
    if (!d)
        return 0;
    char **names = NULL;
    int n = 0;
    struct dirent *e;
    while ((e = readdir(d))) {
        if (e->d_name[0] == '.')
            continue;
        names = realloc(names, (size_t)(n + 1) * sizeof *names);
        if (!names)
            abort();
        names[n++] = strdup(e->d_name);
    }
    closedir(d);
    for (int i = 1; i < n; i++) /* insertion sort: a few files */
        for (int k = i; k > 0 && strcmp(names[k - 1], names[k]) > 0; k--) {
            char *t = names[k];
            names[k] = names[k - 1];
            names[k - 1] = t;
        }
    *out = calloc((size_t)n + 1, sizeof **out);
    int loaded = 0;
    for (int i = 0; i < n; i++) {
        char path[4096];
        if (snprintf(path, sizeof path, "%s/%s", dir, names[i]) >= (int)sizeof path)
            continue;
        const char *err;
        size_t len;
        char *t = read_file(path, AX_MAX_DATA, &len, &err);
        if (t) {
            (*out)[loaded].buf = t;
            (*out)[loaded++].len = len;
        }
        free(names[i]);
    }
    free(names);
    return loaded;
}

int main(int argc, char **argv)
{
    if (argc != 3) {
        fprintf(stderr, "usage: fuzz_data N CORPUS-DIR (with a subdirectory per kind)\n");
        return 2;
    }
    long n = strtol(argv[1], NULL, 10);
    catch_hangs("fuzz_data", "fuzz-hang.csv");
    for (int kind = 0; kind < FUZZ_NKINDS; kind++) {
        char dir[4096];
        snprintf(dir, sizeof dir, "%s/%s", argv[2], KIND_NAMES[kind]);
        bytes *corpus = NULL;
        int nc = load_corpus(dir, &corpus);
        if (nc == 0) {
            fprintf(stderr, "fuzz_data: no corpus files in %s\n", dir);
            return 2;
        }
        uint64_t rng = 0x9E3779B97F4A7C15ULL + (uint64_t)kind;
        for (long k = 0; k < n; k++) {
            bytes in = {0};
            const bytes *src = &corpus[next(&rng) % (uint64_t)nc];
            put(&in, src->buf, src->len);
            if (k % 10) /* every tenth input is a corpus file as it is */
                mutate(&in, &corpus[next(&rng) % (uint64_t)nc], &rng, &MUTATIONS);
            cur_buf = in.buf;
            cur_len = in.len;
            alarm(10);
            fuzz_one(kind, (const uint8_t *)(in.buf ? in.buf : ""), in.len);
            alarm(0);
            free(in.buf);
        }
        for (int i = 0; i < nc; i++)
            free(corpus[i].buf);
        free(corpus);
        printf("fuzz_data: %s: %ld inputs, no crash\n", KIND_NAMES[kind], n);
    }
    return 0;
}

#endif
