/*
 * SHA-256 (FIPS 180-4) of a file (io.h): the model's source hash that manifest.json records
 * and the report checks, the same number `sha256sum model.axon` prints.
 */
#define _POSIX_C_SOURCE 200809L

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "axon/io.h"
#include "afile.h"

typedef struct {
    uint32_t h[8];
    uint64_t len;
    uint8_t buf[64];
    size_t n;
} rt_sha256;

static uint32_t rt_ror(uint32_t x, int r)
{
    return (x >> r) | (x << (32 - r));
}

static void rt_sha256_block(rt_sha256 *c, const uint8_t *p)
{
    static const uint32_t K[64] = {
        0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4,
        0xab1c5ed5, 0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe,
        0x9bdc06a7, 0xc19bf174, 0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f,
        0x4a7484aa, 0x5cb0a9dc, 0x76f988da, 0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7,
        0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967, 0x27b70a85, 0x2e1b2138, 0x4d2c6dfc,
        0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85, 0xa2bfe8a1, 0xa81a664b,
        0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070, 0x19a4c116,
        0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
        0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7,
        0xc67178f2};
    uint32_t w[64], v[8];
    for (int i = 0; i < 16; i++)
        w[i] = (uint32_t)p[4 * i] << 24 | (uint32_t)p[4 * i + 1] << 16 |
               (uint32_t)p[4 * i + 2] << 8 | p[4 * i + 3];
    for (int i = 16; i < 64; i++) {
        uint32_t s0 = rt_ror(w[i - 15], 7) ^ rt_ror(w[i - 15], 18) ^ (w[i - 15] >> 3);
        uint32_t s1 = rt_ror(w[i - 2], 17) ^ rt_ror(w[i - 2], 19) ^ (w[i - 2] >> 10);
        w[i] = w[i - 16] + s0 + w[i - 7] + s1;
    }
    memcpy(v, c->h, sizeof v);
    for (int i = 0; i < 64; i++) {
        uint32_t S1 = rt_ror(v[4], 6) ^ rt_ror(v[4], 11) ^ rt_ror(v[4], 25);
        uint32_t ch = (v[4] & v[5]) ^ (~v[4] & v[6]);
        uint32_t t1 = v[7] + S1 + ch + K[i] + w[i];
        uint32_t S0 = rt_ror(v[0], 2) ^ rt_ror(v[0], 13) ^ rt_ror(v[0], 22);
        uint32_t maj = (v[0] & v[1]) ^ (v[0] & v[2]) ^ (v[1] & v[2]);
        memmove(v + 1, v, 7 * sizeof *v);
        v[4] += t1;
        v[0] = t1 + S0 + maj;
    }
    for (int i = 0; i < 8; i++)
        c->h[i] += v[i];
}

static void rt_sha256_add(rt_sha256 *c, const uint8_t *p, size_t n)
{
    c->len += n;
    while (n--) {
        c->buf[c->n++] = *p++;
        if (c->n == 64) {
            rt_sha256_block(c, c->buf);
            c->n = 0;
        }
    }
}

axon_status axon_sha256_file(const char *path, char hex[65], axon_err *err)
{
    if (!path || !hex)
        return axon_err_set(err, AXON_EINVAL, "NULL path or output");
    FILE *fp = axon_file_open_read(path);
    if (!fp)
        return axon_err_set(err, AXON_EIO, "%s: %s", path, strerror(errno));
    rt_sha256 c = {{0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c,
                    0x1f83d9ab, 0x5be0cd19},
                   0,
                   {0},
                   0};
    uint8_t buf[4096];
    size_t got;
    while ((got = fread(buf, 1, sizeof buf, fp)) > 0)
        rt_sha256_add(&c, buf, got);
    int bad = ferror(fp), why = errno;
    fclose(fp);
    if (bad)
        return axon_err_set(err, AXON_EIO, "%s: read error: %s", path, strerror(why));
    uint64_t bits = c.len * 8;
    uint8_t pad = 0x80, zero = 0;
    rt_sha256_add(&c, &pad, 1);
    while (c.n != 56)
        rt_sha256_add(&c, &zero, 1);
    for (int i = 7; i >= 0; i--) {
        uint8_t b = (uint8_t)(bits >> (8 * i));
        rt_sha256_add(&c, &b, 1);
    }
    for (int i = 0; i < 8; i++)
        snprintf(hex + 8 * i, 9, "%08x", c.h[i]);
    return AXON_OK;
}
