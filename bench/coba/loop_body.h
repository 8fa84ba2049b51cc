/*
 * The COBA loop of bench/coba/loop.c in one floating type, included once per type with REAL
 * (float or double) and SFX(name) (the name with the type's suffix) defined.
 */

/* Integrates one block by forward Euler: v from the old ge, gi; refractory neurons hold v. */
static void SFX(update)(REAL *restrict v, REAL *restrict ge, REAL *restrict gi,
                        uint8_t *restrict refr, uint32_t n)
{
    const REAL dt_taum = (REAL)(0.1 / 20.0), de = (REAL)(1.0 - 0.1 / 5.0),
               di = (REAL)(1.0 - 0.1 / 10.0), Ee = 0, Ei = -80, El = -60, I = 20, Vt = -50,
               Vr = -60;
    for (uint32_t j = 0; j < n; j++) {
        REAL vj = v[j], e = ge[j], g = gi[j];
        uint8_t r = refr[j];
        REAL vn = vj + dt_taum * (e * (Ee - vj) + g * (Ei - vj) - (vj - El) + I);
        vn = r ? vj : vn;
        int fire = (r == 0) & (vn > Vt);
        v[j] = fire ? Vr : vn;
        ge[j] = de * e;
        gi[j] = di * g;
        refr[j] = fire ? REF_STEPS + 1 : (r ? r - 1 : 0);
    }
}

/* Appends the block's spikes (refr == REF_STEPS + 1, which only a neuron that fired has),
 * 8 flags at a time: a word with no such byte (nearly all of them) costs a few integer ops. */
static size_t SFX(scan)(const uint8_t *restrict refr, uint32_t base, uint32_t n,
                        uint32_t *restrict spk, size_t k)
{
    const uint64_t ones = 0x0101010101010101u, highs = 0x8080808080808080u;
    uint32_t j = 0;
    for (; j + 8 <= n; j += 8) {
        uint64_t w;
        memcpy(&w, refr + j, 8);
        w ^= ones * (REF_STEPS + 1); /* zero bytes where a neuron fired */
        if ((w - ones) & ~w & highs)
            for (uint32_t q = j; q < j + 8; q++)
                if (refr[q] == REF_STEPS + 1)
                    spk[k++] = base + q;
    }
    for (; j < n; j++)
        if (refr[j] == REF_STEPS + 1)
            spk[k++] = base + j;
    return k;
}

/* Runs STEPS steps; returns the wall seconds of the step loop (its CPU seconds in *cpu), the
 * spike counts of E in spk[0] and of I in spk[1] */
static double SFX(run)(uint32_t N, uint32_t NE, const csr_t *c, uint64_t steps, rng_t *r,
                       uint64_t spk[2], double *cpu)
{
    REAL *v = alloc(N, sizeof *v), *ge = alloc(N, sizeof *ge), *gi = alloc(N, sizeof *gi);
    uint8_t *refr = alloc(N, sizeof *refr);
    uint32_t *list = alloc(N, sizeof *list);
    const uint32_t *restrict row = c->row, *restrict col = c->col;
    const REAL we = (REAL)0.6, wi = (REAL)6.7;
    for (uint32_t i = 0; i < N; i++)
        v[i] = (REAL)(-55.0 + 5.0 * rng_normal(r));
    spk[0] = spk[1] = 0;
    double t0 = clock_s(CLOCK_MONOTONIC), c0 = clock_s(CLOCK_PROCESS_CPUTIME_ID);
    for (uint64_t s = 0; s < steps; s++) {
        size_t k = 0;
        for (uint32_t b = 0; b < N; b += BLOCK) {
            uint32_t n = N - b < BLOCK ? N - b : BLOCK;
            SFX(update)(v + b, ge + b, gi + b, refr + b, n);
            k = SFX(scan)(refr + b, b, n, list, k);
        }
        /* delivery: the list is in neuron order, so E's spikes come first */
        size_t q = 0;
        for (; q < k && list[q] < NE; q++)
            for (uint32_t e = row[list[q]]; e < row[list[q] + 1]; e++)
                ge[col[e]] += we;
        spk[0] += q;
        spk[1] += k - q;
        for (; q < k; q++)
            for (uint32_t e = row[list[q]]; e < row[list[q] + 1]; e++)
                gi[col[e]] += wi;
    }
    double secs = clock_s(CLOCK_MONOTONIC) - t0;
    *cpu = clock_s(CLOCK_PROCESS_CPUTIME_ID) - c0;
    free(v);
    free(ge);
    free(gi);
    free(refr);
    free(list);
    return secs;
}
