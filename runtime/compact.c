/*
 * Spike compaction: after each update, the indices i of [b, e) with fired[i] != 0, in increasing
 * order. b is a multiple of RT_BLOCK and fired is AXON_ALIGN-aligned; bytes at or beyond e (the
 * padding, which kernels may write) are never counted.
 *
 * Spikes are rare (a few per thousand neurons and step) and fall anywhere, so a branch per
 * block of 64 flags ("any set here?") is mispredicted at about every spike. The scan is in two
 * passes over up to 64 blocks at a time instead: the first takes each block's mask (one bit per
 * byte) without a branch and marks the non-empty blocks in one word; the second visits only
 * those, writing the first two indices of a block whatever its count (the room is there: see
 * rt_list_masks) and looping only for a third. The first pass is the only part that differs by
 * instruction set: one 64-byte load and one test into a mask register with AVX-512BW, two
 * 32-byte compares with AVX2, four 16-byte ones with SSE2 (every x86-64), eight 8-byte words
 * elsewhere. The same list every way. bench/HISTORY.md ("Spike compaction without a branch per
 * block") has the figures.
 */
#include "sim.h"

#include <stdlib.h>
#include <string.h>

/* SSE2 with every x86-64 compiler; AVX2 and AVX-512BW (functions of their own, for a runtime
 * built for any x86-64) with those whose intrinsics take target attributes */
#if defined(__x86_64__) && defined(__SSE2__)
#include <emmintrin.h>
#define RT_COMPACT_X86 1
#if defined(__clang__) || __GNUC__ >= 9
#include <immintrin.h>
#define RT_COMPACT_WIDE 1
#endif
#endif

/* The index of x's lowest set bit (x not 0) */
static inline uint32_t rt_ctz64(uint64_t x)
{
    return (uint32_t)__builtin_ctzll(x);
}

/* The indices of the set bits of m[0, nb) (block q: flags i + 64 q ...), blocks with a bit in
 * `any`, appended to out from k; returns the new k. Two are written for each block whatever
 * its count: out[k + 1] is within the room of [b, e) because k is at most the number of flags
 * before the block (i + 64 q - b), and the block's 64 lie within [b, e). */
static inline size_t rt_list_masks(const uint64_t *m, uint64_t any, uint32_t i, uint32_t *out,
                                   size_t k)
{
    for (; any; any &= any - 1) {
        const uint32_t q = rt_ctz64(any), base = i + 64 * q;
        uint64_t x = m[q]; /* not 0 */
        out[k] = base + rt_ctz64(x);
        x &= x - 1;
        /* (bit 63 set: a defined count where x is 0; that index is then overwritten) */
        out[k + 1] = base + rt_ctz64(x | 1ULL << 63);
        k += 1 + (x != 0);
        for (x &= x - 1; x; x &= x - 1)
            out[k++] = base + rt_ctz64(x);
    }
    return k;
}

/* The masks of the nb blocks at f (nb <= 64) into m; returns the word of the non-empty ones. */
typedef uint64_t (*rt_mask_fn)(const uint8_t *f, uint32_t nb, uint64_t *m);

#ifdef RT_COMPACT_WIDE
__attribute__((target("avx512f,avx512bw"))) static inline uint64_t
rt_masks_avx512(const uint8_t *f, uint32_t nb, uint64_t *m)
{
    uint64_t any = 0;
    for (uint32_t q = 0; q < nb; q++) {
        __m512i v = _mm512_loadu_si512((const void *)(f + 64 * q));
        m[q] = _mm512_test_epi8_mask(v, v);
        any |= (uint64_t)(m[q] != 0) << q;
    }
    return any;
}

__attribute__((target("avx2"))) static inline uint64_t rt_masks_avx2(const uint8_t *f, uint32_t nb,
                                                                     uint64_t *m)
{
    const __m256i z = _mm256_setzero_si256();
    uint64_t any = 0;
    for (uint32_t q = 0; q < nb; q++) {
        const __m256i *p = (const __m256i *)(const void *)(f + 64 * q);
        uint64_t zero =
            (uint64_t)(uint32_t)_mm256_movemask_epi8(_mm256_cmpeq_epi8(_mm256_loadu_si256(p), z)) |
            (uint64_t)(uint32_t)_mm256_movemask_epi8(
                _mm256_cmpeq_epi8(_mm256_loadu_si256(p + 1), z))
                << 32;
        m[q] = ~zero;
        any |= (uint64_t)(m[q] != 0) << q;
    }
    return any;
}

#endif

#ifdef RT_COMPACT_X86
static inline uint64_t rt_masks_sse2(const uint8_t *f, uint32_t nb, uint64_t *m)
{
    const __m128i z = _mm_setzero_si128();
    uint64_t any = 0;
    for (uint32_t q = 0; q < nb; q++) {
        const __m128i *p = (const __m128i *)(const void *)(f + 64 * q);
        uint64_t zero =
            (uint64_t)(uint32_t)_mm_movemask_epi8(_mm_cmpeq_epi8(_mm_loadu_si128(p), z)) |
            (uint64_t)(uint32_t)_mm_movemask_epi8(_mm_cmpeq_epi8(_mm_loadu_si128(p + 1), z)) << 16 |
            (uint64_t)(uint32_t)_mm_movemask_epi8(_mm_cmpeq_epi8(_mm_loadu_si128(p + 2), z)) << 32 |
            (uint64_t)(uint32_t)_mm_movemask_epi8(_mm_cmpeq_epi8(_mm_loadu_si128(p + 3), z)) << 48;
        m[q] = ~zero;
        any |= (uint64_t)(m[q] != 0) << q;
    }
    return any;
}
#endif

/* Eight 8-byte words a block: the top bit of each non-zero byte, the eight gathered into the
 * word's byte of the mask by one multiplication (bit 8j of x goes to bit 56 + j of the product,
 * and no two products of set bits meet). */
static inline uint64_t rt_masks_words(const uint8_t *f, uint32_t nb, uint64_t *m)
{
    const uint64_t low7 = 0x7F7F7F7F7F7F7F7FULL;
    uint64_t any = 0;
    for (uint32_t q = 0; q < nb; q++) {
        uint64_t mask = 0;
        for (uint32_t w = 0; w < 8; w++) {
            uint64_t x;
            memcpy(&x, f + 64 * q + 8 * w, sizeof x);
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
            x = __builtin_bswap64(x); /* byte j of memory in bits 8j.. */
#endif
            x = ((((x & low7) + low7) | x) & ~low7) >> 7; /* bit 8j: byte j is not 0 */
            mask |= (x * 0x0102040810204080ULL) >> 56 << (8 * w);
        }
        m[q] = mask;
        any |= (uint64_t)(mask != 0) << q;
    }
    return any;
}

int rt_compact_isa(void)
{
    int best = RT_COMPACT_WORDS;
#ifdef RT_COMPACT_X86
    best = RT_COMPACT_SSE2;
#endif
#ifdef RT_COMPACT_WIDE
    if (__builtin_cpu_supports("avx2"))
        best = RT_COMPACT_AVX2;
    if (__builtin_cpu_supports("avx512bw"))
        best = RT_COMPACT_AVX512;
#endif
    /* tests: a lower one than the CPU's best (never a higher) */
    const char *t = getenv("AXON_TEST_COMPACT");
    if (t) {
        int want = !strcmp(t, "words")  ? RT_COMPACT_WORDS
                   : !strcmp(t, "sse2") ? RT_COMPACT_SSE2
                   : !strcmp(t, "avx2") ? RT_COMPACT_AVX2
                                        : best;
        if (want < best)
            best = want;
    }
    return best;
}

/* The scan with the masks of `masks`, inlined into each kind's own function below */
static inline __attribute__((always_inline)) size_t rt_scan(rt_mask_fn masks, const uint8_t *fired,
                                                            uint32_t b, uint32_t e, uint32_t *out)
{
    size_t k = 0;
    uint32_t i = b;
    while (e - i >= 64) {
        const uint32_t nb = (e - i) / 64 < 64 ? (e - i) / 64 : 64;
        uint64_t m[64];
        k = rt_list_masks(m, masks(fired + i, nb, m), i, out, k);
        i += 64 * nb;
    }
    for (; i < e; i++) {
        out[k] = i;
        k += fired[i] != 0;
    }
    return k;
}

#ifdef RT_COMPACT_WIDE
__attribute__((target("avx512f,avx512bw"))) static size_t
rt_scan_avx512(const uint8_t *fired, uint32_t b, uint32_t e, uint32_t *out)
{
    return rt_scan(rt_masks_avx512, fired, b, e, out);
}

__attribute__((target("avx2"))) static size_t rt_scan_avx2(const uint8_t *fired, uint32_t b,
                                                           uint32_t e, uint32_t *out)
{
    return rt_scan(rt_masks_avx2, fired, b, e, out);
}
#endif

size_t rt_compact(int isa, const uint8_t *fired, uint32_t b, uint32_t e, uint32_t *out)
{
#ifdef RT_COMPACT_WIDE
    if (isa == RT_COMPACT_AVX512)
        return rt_scan_avx512(fired, b, e, out);
    if (isa == RT_COMPACT_AVX2)
        return rt_scan_avx2(fired, b, e, out);
#endif
#ifdef RT_COMPACT_X86
    if (isa == RT_COMPACT_SSE2)
        return rt_scan(rt_masks_sse2, fired, b, e, out);
#endif
    (void)isa;
    return rt_scan(rt_masks_words, fired, b, e, out);
}
