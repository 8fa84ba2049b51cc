/*
 * The smoke mode of the fuzz targets fuzz_front.c and fuzz_data.c (`make check`, not
 * libFuzzer): a reproducible generator, a growing byte string, the mutations of a corpus file
 * and the handler that keeps an input that hangs. Static functions in a header: each target is
 * one source file, built several ways (tests/fuzz/README.md).
 */
#ifndef AXON_FUZZ_SMOKE_H
#define AXON_FUZZ_SMOKE_H

#include <fcntl.h>
#include <signal.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* xorshift64*: the smoke run must be reproducible */
static uint64_t next(uint64_t *s)
{
    *s ^= *s >> 12;
    *s ^= *s << 25;
    *s ^= *s >> 27;
    return *s * 2685821657736338717ULL;
}

typedef struct {
    char *buf;
    size_t len, cap;
} bytes;

static void put(bytes *b, const char *s, size_t n)
{
    if (!n)
        return;
    if (b->len + n > b->cap) {
        b->cap = (b->len + n) * 2 + 64;
        b->buf = realloc(b->buf, b->cap);
        if (!b->buf)
            abort();
    }
    memcpy(b->buf + b->len, s, n);
    b->len += n;
}

/* What a target's mutations use: its tokens ("\0" stands for one NUL byte) and the longest
 * span deleted and duplicated (exclusive). */
typedef struct {
    const char *const *dict;
    size_t ndict;
    size_t del_max, dup_max;
} mutations;

/* 1 to 6 rounds of: flip a byte, insert a token, delete a span, duplicate a span, splice with
 * other, truncate. */
static void mutate(bytes *b, const bytes *other, uint64_t *rng, const mutations *m)
{
    int rounds = 1 + (int)(next(rng) % 6);
    for (int r = 0; r < rounds; r++) {
        size_t pos = b->len ? next(rng) % (b->len + 1) : 0;
        bytes out = {0};
        switch (next(rng) % 6) {
        case 0: /* flip a byte */
            if (b->len && pos < b->len)
                b->buf[pos] = (char)(next(rng) & 0xff);
            continue;
        case 1: { /* insert a dictionary token */
            const char *t = m->dict[next(rng) % m->ndict];
            size_t tl = t[0] ? strlen(t) : 1;
            put(&out, b->buf, pos);
            put(&out, t, tl);
            put(&out, b->buf + pos, b->len - pos);
            break;
        }
        case 2: { /* delete a span */
            size_t n = b->len - pos ? next(rng) % (b->len - pos + 1) % m->del_max : 0;
            put(&out, b->buf, pos);
            put(&out, b->buf + pos + n, b->len - pos - n);
            break;
        }
        case 3: { /* duplicate a span */
            size_t n = b->len - pos ? next(rng) % (b->len - pos + 1) % m->dup_max : 0;
            put(&out, b->buf, pos + n);
            put(&out, b->buf + pos, b->len - pos);
            break;
        }
        case 4: { /* splice with another corpus file */
            size_t op = other->len ? next(rng) % other->len : 0;
            put(&out, b->buf, pos);
            put(&out, other->buf + op, other->len - op);
            break;
        }
        default: /* truncate */
            b->len = pos;
            continue;
        }
        free(b->buf);
        *b = out;
    }
}

/* The input being run, and the program's name and the file a hanging input goes to, for the
 * hang handler (a test program: one input at a time, so file-scope variables are the simplest
 * safe hand-over). */
static const char *volatile cur_buf;
static volatile size_t cur_len;
static const char *hang_prog, *hang_file;

static void say(const char *s) { (void)!write(2, s, strlen(s)); }

static void on_alarm(int sig)
{
    (void)sig;
    int fd = open(hang_file, O_WRONLY | O_CREAT | O_TRUNC, 0644);
    if (fd >= 0) {
        (void)!write(fd, cur_buf, cur_len);
        close(fd);
    }
    say(hang_prog);
    say(": an input took longer than 10 s (a hang); it is in ");
    say(hang_file);
    say("\n");
    _exit(3);
}

/* An input that runs longer than 10 s (alarm(10) before it) is written to file and ends the
 * program with status 3. */
static void catch_hangs(const char *prog, const char *file)
{
    hang_prog = prog;
    hang_file = file;
    signal(SIGALRM, on_alarm);
}

#endif
