/*
 * A small JSON reader (json.h): recursive descent over RFC 8259 with a depth limit, so a
 * hostile file cannot exhaust the stack. Nodes, arrays of pointers and decoded strings are
 * carved from arena blocks; arrays are built in a temporary growable list and copied into the
 * arena once complete.
 */
#define _POSIX_C_SOURCE 200809L

#include "json.h"
#include "afile.h"
#include "axon/io.h"

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define RT_JSON_MAX_DEPTH 64
#define RT_JSON_BLOCK (64u << 10)

typedef struct rt_jblock {
    struct rt_jblock *next;
    size_t used, cap;
    max_align_t data[];
} rt_jblock;

struct rt_json_doc {
    rt_jblock *blocks;
    rt_json *root;
};

typedef struct {
    rt_json_doc *doc;
    const char *p, *start, *end;
    const char *name;
    axon_err *err;
    int failed;
} rt_jparser;

static void *rt_jalloc(rt_json_doc *d, size_t n)
{
    n = (n + sizeof(max_align_t) - 1) / sizeof(max_align_t) * sizeof(max_align_t);
    rt_jblock *b = d->blocks;
    if (!b || b->cap - b->used < n) {
        size_t cap = n > RT_JSON_BLOCK ? n : RT_JSON_BLOCK;
        b = malloc(sizeof *b + cap);
        if (!b)
            return NULL;
        b->cap = cap;
        b->used = 0;
        b->next = d->blocks;
        d->blocks = b;
    }
    void *r = (char *)b->data + b->used;
    b->used += n;
    return r;
}

static void rt_jfail(rt_jparser *ps, const char *msg)
{
    if (ps->failed)
        return;
    ps->failed = 1;
    int line = 1, col = 1;
    for (const char *q = ps->start; q < ps->p && q < ps->end; q++) {
        if (*q == '\n') {
            line++;
            col = 1;
        } else {
            col++;
        }
    }
    axon_err_set(ps->err, AXON_EFORMAT, "%s:%d:%d: %s", ps->name, line, col, msg);
}

static void rt_jws(rt_jparser *ps)
{
    while (ps->p < ps->end && (*ps->p == ' ' || *ps->p == '\t' || *ps->p == '\n' || *ps->p == '\r'))
        ps->p++;
}

static rt_json *rt_jnode(rt_jparser *ps, rt_jtype t)
{
    rt_json *n = rt_jalloc(ps->doc, sizeof *n);
    if (!n) {
        ps->failed = 1;
        axon_err_set(ps->err, AXON_ENOMEM, "%s: out of memory", ps->name);
        return NULL;
    }
    memset(n, 0, sizeof *n);
    n->type = t;
    return n;
}

static int rt_jhex4(const char *p, unsigned *out)
{
    unsigned v = 0;
    for (int i = 0; i < 4; i++) {
        char c = p[i];
        v <<= 4;
        if (c >= '0' && c <= '9')
            v |= (unsigned)(c - '0');
        else if (c >= 'a' && c <= 'f')
            v |= (unsigned)(c - 'a' + 10);
        else if (c >= 'A' && c <= 'F')
            v |= (unsigned)(c - 'A' + 10);
        else
            return -1;
    }
    *out = v;
    return 0;
}

static size_t rt_utf8(unsigned cp, char *o)
{
    if (cp < 0x80) {
        o[0] = (char)cp;
        return 1;
    }
    if (cp < 0x800) {
        o[0] = (char)(0xC0 | cp >> 6);
        o[1] = (char)(0x80 | (cp & 0x3F));
        return 2;
    }
    if (cp < 0x10000) {
        o[0] = (char)(0xE0 | cp >> 12);
        o[1] = (char)(0x80 | (cp >> 6 & 0x3F));
        o[2] = (char)(0x80 | (cp & 0x3F));
        return 3;
    }
    o[0] = (char)(0xF0 | cp >> 18);
    o[1] = (char)(0x80 | (cp >> 12 & 0x3F));
    o[2] = (char)(0x80 | (cp >> 6 & 0x3F));
    o[3] = (char)(0x80 | (cp & 0x3F));
    return 4;
}

/* string = '"' chars '"'; ps->p is at the opening quote. Decoded text is never longer than the
 * source text, so one allocation of the source length suffices. */
static const char *rt_jstring(rt_jparser *ps)
{
    const char *q = ++ps->p;
    while (q < ps->end && *q != '"')
        q += *q == '\\' && q + 1 < ps->end ? 2 : 1;
    if (q >= ps->end) {
        rt_jfail(ps, "unterminated string");
        return NULL;
    }
    char *out = rt_jalloc(ps->doc, (size_t)(q - ps->p) + 1);
    if (!out) {
        rt_jfail(ps, "out of memory");
        return NULL;
    }
    size_t n = 0;
    while (ps->p < q) {
        unsigned char c = (unsigned char)*ps->p;
        if (c < 0x20) {
            rt_jfail(ps, "control character in a string");
            return NULL;
        }
        if (c != '\\') {
            out[n++] = (char)c;
            ps->p++;
            continue;
        }
        char e = ps->p[1];
        ps->p += 2;
        switch (e) {
        case '"': out[n++] = '"'; break;
        case '\\': out[n++] = '\\'; break;
        case '/': out[n++] = '/'; break;
        case 'b': out[n++] = '\b'; break;
        case 'f': out[n++] = '\f'; break;
        case 'n': out[n++] = '\n'; break;
        case 'r': out[n++] = '\r'; break;
        case 't': out[n++] = '\t'; break;
        case 'u': {
            unsigned cp, lo;
            if (q - ps->p < 4 || rt_jhex4(ps->p, &cp)) {
                rt_jfail(ps, "bad \\u escape");
                return NULL;
            }
            ps->p += 4;
            if (cp >= 0xD800 && cp < 0xDC00 && q - ps->p >= 6 && ps->p[0] == '\\' &&
                ps->p[1] == 'u' && !rt_jhex4(ps->p + 2, &lo) && lo >= 0xDC00 && lo < 0xE000) {
                cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
                ps->p += 6;
            }
            /* a \uXXXX escape takes 6 bytes, its UTF-8 at most 3 (4 for a pair of 12) */
            n += rt_utf8(cp, out + n);
            break;
        }
        default: rt_jfail(ps, "bad escape in a string"); return NULL;
        }
    }
    out[n] = '\0';
    ps->p = q + 1;
    return out;
}

static rt_json *rt_jvalue(rt_jparser *ps, int depth);

/* A growable list of pointers, outside the arena while it grows. */
typedef struct {
    void **v;
    size_t n, cap;
} rt_jlist;

static int rt_jlist_push(rt_jlist *l, void *x)
{
    if (l->n == l->cap) {
        size_t cap = l->cap ? l->cap * 2 : 8;
        void **v = realloc(l->v, cap * sizeof *v);
        if (!v)
            return -1;
        l->v = v;
        l->cap = cap;
    }
    l->v[l->n++] = x;
    return 0;
}

static void **rt_jlist_done(rt_jparser *ps, rt_jlist *l)
{
    void **a = rt_jalloc(ps->doc, (l->n ? l->n : 1) * sizeof *a);
    if (a && l->n)
        memcpy(a, l->v, l->n * sizeof *a);
    free(l->v);
    if (!a)
        rt_jfail(ps, "out of memory");
    return a;
}

/* array = '[' [ value { ',' value } ] ']'; object = '{' [ string ':' value { ',' ... } ] '}' */
static rt_json *rt_jcompound(rt_jparser *ps, int depth)
{
    int obj = *ps->p == '{';
    char close = obj ? '}' : ']';
    rt_json *n = rt_jnode(ps, obj ? RT_JOBJ : RT_JARR);
    if (!n)
        return NULL;
    ps->p++;
    rt_jlist vals = {0}, keys = {0};
    rt_jws(ps);
    if (ps->p < ps->end && *ps->p == close) {
        ps->p++;
    } else {
        for (;;) {
            rt_jws(ps);
            if (obj) {
                if (ps->p >= ps->end || *ps->p != '"') {
                    rt_jfail(ps, "expected a member name in quotes");
                    break;
                }
                const char *k = rt_jstring(ps);
                if (!k || rt_jlist_push(&keys, (void *)k)) {
                    rt_jfail(ps, "out of memory");
                    break;
                }
                rt_jws(ps);
                if (ps->p >= ps->end || *ps->p != ':') {
                    rt_jfail(ps, "expected ':' after a member name");
                    break;
                }
                ps->p++;
            }
            rt_json *v = rt_jvalue(ps, depth + 1);
            if (!v)
                break;
            if (rt_jlist_push(&vals, v)) {
                rt_jfail(ps, "out of memory");
                break;
            }
            rt_jws(ps);
            if (ps->p < ps->end && *ps->p == ',') {
                ps->p++;
                continue;
            }
            if (ps->p < ps->end && *ps->p == close) {
                ps->p++;
                break;
            }
            rt_jfail(ps, obj ? "expected ',' or '}'" : "expected ',' or ']'");
            break;
        }
    }
    if (ps->failed) {
        free(vals.v);
        free(keys.v);
        return NULL;
    }
    n->n = vals.n;
    n->items = (rt_json **)rt_jlist_done(ps, &vals);
    if (obj)
        n->keys = (const char **)rt_jlist_done(ps, &keys);
    else
        free(keys.v);
    return ps->failed ? NULL : n;
}

static rt_json *rt_jvalue(rt_jparser *ps, int depth)
{
    if (depth > RT_JSON_MAX_DEPTH) {
        rt_jfail(ps, "nested too deeply");
        return NULL;
    }
    rt_jws(ps);
    if (ps->p >= ps->end) {
        rt_jfail(ps, "unexpected end of the text");
        return NULL;
    }
    char c = *ps->p;
    if (c == '{' || c == '[')
        return rt_jcompound(ps, depth);
    if (c == '"') {
        rt_json *n = rt_jnode(ps, RT_JSTR);
        if (n && !(n->str = rt_jstring(ps)))
            return NULL;
        return n;
    }
    static const struct {
        const char *word;
        rt_jtype t;
        double v;
    } WORDS[] = {{"null", RT_JNULL, 0}, {"true", RT_JBOOL, 1}, {"false", RT_JBOOL, 0}};
    for (size_t k = 0; k < 3; k++) {
        size_t l = strlen(WORDS[k].word);
        if ((size_t)(ps->end - ps->p) >= l && !memcmp(ps->p, WORDS[k].word, l)) {
            ps->p += l;
            rt_json *n = rt_jnode(ps, WORDS[k].t);
            if (n)
                n->num = WORDS[k].v;
            return n;
        }
    }
    /* number = [-] int [frac] [exp]; checked by hand since strtod accepts more (hex, inf) */
    const char *q = ps->p;
    if (q < ps->end && *q == '-')
        q++;
    const char *digits = q;
    while (q < ps->end && *q >= '0' && *q <= '9')
        q++;
    if (q == digits) {
        rt_jfail(ps, "expected a value");
        return NULL;
    }
    if (q < ps->end && *q == '.') {
        const char *f = ++q;
        while (q < ps->end && *q >= '0' && *q <= '9')
            q++;
        if (q == f) {
            rt_jfail(ps, "expected digits after '.'");
            return NULL;
        }
    }
    if (q < ps->end && (*q == 'e' || *q == 'E')) {
        q++;
        if (q < ps->end && (*q == '+' || *q == '-'))
            q++;
        const char *e = q;
        while (q < ps->end && *q >= '0' && *q <= '9')
            q++;
        if (q == e) {
            rt_jfail(ps, "expected digits in the exponent");
            return NULL;
        }
    }
    char buf[64];
    size_t l = (size_t)(q - ps->p);
    if (l >= sizeof buf) {
        rt_jfail(ps, "number too long");
        return NULL;
    }
    memcpy(buf, ps->p, l);
    buf[l] = '\0';
    rt_json *n = rt_jnode(ps, RT_JNUM);
    if (n)
        n->num = strtod(buf, NULL);
    ps->p = q;
    return n;
}

void rt_json_free(rt_json_doc *d)
{
    if (!d)
        return;
    for (rt_jblock *b = d->blocks, *nx; b; b = nx) {
        nx = b->next;
        free(b);
    }
    free(d);
}

rt_json_doc *rt_json_parse(const char *text, size_t len, const char *name, axon_err *err)
{
    rt_json_doc *d = calloc(1, sizeof *d);
    if (!d) {
        axon_err_set(err, AXON_ENOMEM, "%s: out of memory", name);
        return NULL;
    }
    rt_jparser ps = {d, text, text, text + len, name, err, 0};
    d->root = rt_jvalue(&ps, 0);
    if (d->root) {
        rt_jws(&ps);
        if (ps.p < ps.end)
            rt_jfail(&ps, "text after the end of the value");
    }
    if (ps.failed || !d->root) {
        rt_json_free(d);
        return NULL;
    }
    return d;
}

rt_json_doc *rt_json_read(const char *path, axon_err *err)
{
    FILE *fp = axon_file_open_read(path);
    if (!fp) {
        axon_err_set(err, AXON_EIO, "%s: %s", path, strerror(errno));
        return NULL;
    }
    char *buf = NULL;
    size_t n = 0, cap = 0;
    for (;;) {
        if (cap - n < 65536) {
            cap = cap ? 2 * cap : 65536;
            char *nb = realloc(buf, cap);
            if (!nb) {
                free(buf);
                fclose(fp);
                axon_err_set(err, AXON_ENOMEM, "%s: out of memory", path);
                return NULL;
            }
            buf = nb;
        }
        size_t got = fread(buf + n, 1, cap - n, fp);
        n += got;
        if (got == 0)
            break;
    }
    int bad = ferror(fp), why = errno;
    fclose(fp);
    rt_json_doc *d = NULL;
    if (bad)
        axon_err_set(err, AXON_EIO, "%s: read error: %s", path, strerror(why));
    else
        d = rt_json_parse(buf, n, path, err);
    free(buf);
    return d;
}

const rt_json *rt_json_root(const rt_json_doc *d)
{
    return d ? d->root : NULL;
}

const rt_json *rt_json_get(const rt_json *o, const char *key)
{
    if (!o || o->type != RT_JOBJ)
        return NULL;
    for (size_t k = 0; k < o->n; k++)
        if (!strcmp(o->keys[k], key))
            return o->items[k];
    return NULL;
}

const char *rt_json_str(const rt_json *o, const char *key)
{
    const rt_json *v = rt_json_get(o, key);
    return v && v->type == RT_JSTR ? v->str : NULL;
}

double rt_json_num(const rt_json *o, const char *key, int *ok)
{
    const rt_json *v = rt_json_get(o, key);
    int good = v && v->type == RT_JNUM;
    if (ok)
        *ok = good;
    return good ? v->num : 0;
}
