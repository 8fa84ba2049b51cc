/*
 * Fuzz target for the checkpoint reader (runtime/checkpoint.c): any byte string given to
 * axon_sim_restore_mem must be restored or refused with a message, never a crash, a hang or a
 * sanitizer report. A random change almost never passes the checksum, so each input is tried
 * twice: as it is, and "repaired" (the header's payload length and the trailing checksum made
 * to agree with the bytes), which takes it past the frame to the payload parser.
 *
 * The simulation is a fixed hand-written model with what a checkpoint holds: two spiking
 * populations, a projection with a per-synapse variable and a delay (spikes in flight), a
 * spike record and a state record.
 *
 * Two ways to run it:
 *  - libFuzzer (long runs): -DAXON_LIBFUZZER with -fsanitize=fuzzer (tests/fuzz/README.md);
 *    `fuzz_ckpt --seed FILE` writes a valid checkpoint of the model (the corpus's seed);
 *  - the smoke mode of `make check`: `fuzz_ckpt N CORPUS-DIR` mutates the checkpoints of
 *    CORPUS-DIR/ckpt/ (and one it makes) with a fixed seed and restores N inputs.
 */
#include "axon/axon.h"

#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define CK_HEADER 128
#define CK_PAYLOAD_AT 56

static void fz_init(const axon_step_ctx *ctx, void *const *vars, uint32_t b, uint32_t e)
{
    (void)ctx;
    for (uint32_t i = b; i < e; i++)
        ((double *)vars[0])[i] = 0.01 * (i % 13);
}

static void fz_update(const axon_step_ctx *ctx, void *const *vars, uint8_t *fired, uint32_t b,
                      uint32_t e)
{
    double *v = vars[0], *in = vars[1];
    for (uint32_t i = b; i < e; i++) {
        v[i] += 0.05 + 0.01 * (double)((i + ctx->step) % 5) + in[i];
        in[i] = 0;
        fired[i] = v[i] > 1;
        if (fired[i])
            v[i] = 0;
    }
}

static void fz_syn_init(const axon_step_ctx *ctx, void *const *syn, const uint32_t *pre,
                        const uint32_t *post, uint64_t b, uint64_t e)
{
    (void)ctx, (void)post;
    for (uint64_t s = b; s < e; s++)
        ((double *)syn[0])[s] = 0.001 * (pre[s] % 7);
}

static void fz_on_pre(const axon_step_ctx *ctx, void *const *syn, void *const *pre_vars,
                      void *const *post_vars, const uint32_t *post, uint32_t i, uint64_t b,
                      uint64_t e)
{
    (void)ctx, (void)pre_vars, (void)i;
    double *w = syn[0], *in = post_vars[1];
    for (uint64_t s = b; s < e; s++) {
        in[post[s]] += w[s];
        w[s] *= 1.01;
    }
}

static const axon_var_desc FZ_VARS[] = {{"v", "1", AXON_VAR_STATE, 0, NULL, AXON_ELEM_REAL, 1, 0, 0},
                                        {"I", "1", AXON_VAR_INPUT, 0, NULL, AXON_ELEM_REAL, 1, 0, 0}};
static const axon_var_desc FZ_SYN_VARS[] = {{"w", "1", AXON_VAR_STATE, 0, NULL, AXON_ELEM_REAL, 1, 0, 0}};
static const axon_pop_desc FZ_POPS[] = {
    {"A", "Fz", 40, 2, FZ_VARS, fz_init, fz_update, 1, 0, NULL},
    {"B", "Fz", 10, 2, FZ_VARS, fz_init, fz_update, 1, 0, NULL}};
static const axon_proj_desc FZ_PROJS[] = {{.name = "A->B",
                                           .type = "FzSyn",
                                           .pre = 0,
                                           .post = 1,
                                           .connector = AXON_CONN_RANDOM,
                                           .p = 0.3,
                                           .delay_steps = 3,
                                           .nvars = 1,
                                           .vars = FZ_SYN_VARS,
                                           .init = fz_syn_init,
                                           .on_pre = fz_on_pre}};
static const axon_record_desc FZ_RECS[] = {{AXON_REC_SPIKES, 0, 0, 0, NULL, 1},
                                           {AXON_REC_STATE, 1, 0, 0, NULL, 2}};
static const axon_model_desc FZ_MODEL = {.abi = AXON_ABI_VERSION,
                                         .name = "fz",
                                         .precision = 8,
                                         .dt = 1e-4,
                                         .npops = 2,
                                         .pops = FZ_POPS,
                                         .nprojs = 1,
                                         .projs = FZ_PROJS,
                                         .nrecords = 2,
                                         .records = FZ_RECS};

static axon_sim *fz_sim(void)
{
    axon_opts o = {.seed = 7, .threads = 1};
    axon_sim *s = axon_sim_new(&FZ_MODEL, &o, NULL);
    if (!s)
        abort();
    return s;
}

/* checkpoint.c's checksum: h = (rotl(h, 5) ^ w) * P over the 8-byte words, the last partial
 * word zero-padded, then its length */
static uint64_t fz_mix(uint64_t h, uint64_t w)
{
    return (((h << 5) | (h >> 59)) ^ w) * 0x100000001b3ULL;
}

static void fz_repair(uint8_t *b, size_t n)
{
    uint64_t payload = n - CK_HEADER - 8, h = 0xcbf29ce484222325ULL, w;
    memcpy(b + CK_PAYLOAD_AT, &payload, 8);
    size_t k = 0;
    for (; k + 8 <= n - 8; k += 8) {
        memcpy(&w, b + k, 8);
        h = fz_mix(h, w);
    }
    w = 0;
    memcpy(&w, b + k, n - 8 - k);
    h = fz_mix(fz_mix(h, w), n - 8 - k);
    memcpy(b + n - 8, &h, 8);
}

static void fz_one(const uint8_t *data, size_t size)
{
    axon_sim *s = fz_sim();
    axon_sim_restore_mem(s, data, size);
    axon_sim_run(s, 0.0005, NULL, NULL); /* whatever was restored runs */
    axon_sim_free(s);
    if (size < CK_HEADER + 8)
        return;
    uint8_t *b = malloc(size);
    if (!b)
        return;
    memcpy(b, data, size);
    fz_repair(b, size);
    s = fz_sim();
    if (axon_sim_restore_mem(s, b, size) == AXON_OK)
        axon_sim_run(s, 0.0005, NULL, NULL);
    axon_sim_free(s);
    free(b);
}

/* A valid checkpoint of the model after 25 steps (malloc'd), in *n. */
static uint8_t *fz_seed(size_t *n)
{
    axon_sim *s = fz_sim();
    axon_sim_run(s, 0.0025, NULL, NULL);
    *n = axon_sim_checkpoint_size(s);
    uint8_t *b = malloc(*n);
    if (!b || axon_sim_checkpoint_mem(s, b, *n, n) != AXON_OK)
        abort();
    axon_sim_free(s);
    return b;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    fz_one(data, size);
    return 0;
}

#ifndef AXON_LIBFUZZER

static uint64_t fz_next(uint64_t *s)
{
    *s ^= *s >> 12;
    *s ^= *s << 25;
    *s ^= *s >> 27;
    return *s * 2685821657736338717ULL;
}

/* up to 64 inputs: the corpus's files and a fresh seed */
static size_t fz_corpus(const char *dir, uint8_t **in, size_t *len)
{
    size_t k = 0;
    in[k] = fz_seed(&len[k]);
    k++;
    char path[4096];
    snprintf(path, sizeof path, "%s/ckpt", dir);
    DIR *d = opendir(path);
    struct dirent *e;
    while (d && k < 64 && (e = readdir(d))) {
        if (e->d_name[0] == '.')
            continue;
        snprintf(path, sizeof path, "%s/ckpt/%s", dir, e->d_name);
        FILE *f = fopen(path, "rb");
        if (!f)
            continue;
        uint8_t *b = malloc(1 << 20);
        size_t n = b ? fread(b, 1, 1 << 20, f) : 0;
        fclose(f);
        if (b && n) {
            in[k] = b;
            len[k++] = n;
        } else {
            free(b);
        }
    }
    if (d)
        closedir(d);
    return k;
}

int main(int argc, char **argv)
{
    if (argc == 3 && !strcmp(argv[1], "--seed")) {
        size_t n;
        uint8_t *b = fz_seed(&n);
        FILE *f = fopen(argv[2], "wb");
        int ok = f && fwrite(b, 1, n, f) == n;
        if (f)
            ok &= fclose(f) == 0;
        free(b);
        return ok ? 0 : 1;
    }
    if (argc != 3) {
        fprintf(stderr, "usage: fuzz_ckpt N CORPUS-DIR | fuzz_ckpt --seed FILE\n");
        return 2;
    }
    long n = atol(argv[1]);
    uint8_t *in[64];
    size_t len[64];
    size_t m = fz_corpus(argv[2], in, len);
    uint64_t rng = 0x9e3779b97f4a7c15ULL;
    for (long r = 0; r < n; r++) {
        size_t k = fz_next(&rng) % m, sz = len[k];
        uint8_t *b = malloc(sz + 64);
        if (!b)
            abort();
        memcpy(b, in[k], sz);
        int rounds = 1 + (int)(fz_next(&rng) % 4);
        for (int q = 0; q < rounds && sz; q++) {
            size_t pos = fz_next(&rng) % sz;
            switch (fz_next(&rng) % 4) {
            case 0: b[pos] = (uint8_t)fz_next(&rng); break;           /* a byte */
            case 1: b[pos] ^= (uint8_t)(1u << (fz_next(&rng) % 8)); break; /* a bit */
            case 2: sz = pos; break;                                   /* truncate */
            default: { /* a count or length made large, small or zero */
                static const uint64_t V[] = {0, 1, 0xffffffffULL, 0xffffffffffffffffULL,
                                             0x7fffffffffffffffULL, 1000000};
                uint64_t v = V[fz_next(&rng) % 6];
                size_t at = pos & ~(size_t)7;
                if (at + 8 <= sz)
                    memcpy(b + at, &v, 8);
            }
            }
        }
        fz_one(b, sz);
        free(b);
    }
    for (size_t k = 0; k < m; k++)
        free(in[k]);
    printf("fuzz_ckpt: %ld inputs from %zu checkpoints\n", n, m);
    return 0;
}
#endif
