/*
 * `axon lsp`: the Language Server Protocol over stdio.
 *
 * Messages are JSON bodies behind a `Content-Length:` header. The server reads them from
 * standard input through a buffer of its own (so that poll() tells the truth about pending
 * input) and answers every request, in order; nothing else is written to standard output.
 *
 * Documents. Each open document keeps its text; a change marks it stale, and it is checked
 * again when the editor has been quiet for the debounce time (200 ms), or at once when a
 * request needs it. Checking loads the text as the file it is (relative imports next to it,
 * std/ from $AXON_STDLIB or the installed stdlib), checks it with axonc_check and publishes
 * the diagnostics: the messages, hints and located notes that `axon check` prints, as
 * message text and related information.
 *
 * Trust. Checking a file that declares `extern` functions would load their libraries and run
 * their initialisers. The server checks files the editor opens, which the user may not have
 * chosen to trust, so its session sets no_extern_load: the functions are declared without
 * their libraries, their calls are checked for their arguments only, and an information
 * diagnostic at each declaration says so.
 */
#include "config.h"

#include "lsp/lsp.h"

#include "axon/axonc.h"

#include <json.h>

#include <errno.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

enum { MAX_MESSAGE = 256 << 20 };

/* JSON-RPC and LSP error codes */
enum {
    ERR_PARSE = -32700,
    ERR_INVALID_REQUEST = -32600,
    ERR_METHOD_NOT_FOUND = -32601,
    ERR_INVALID_PARAMS = -32602,
    ERR_NOT_INITIALIZED = -32002,
    ERR_REQUEST_FAILED = -32803,
};

typedef struct {
    char *uri, *path;
    char *text;
    size_t len;
    axonc_unit *unit;
    bool stale;
    double changed_at;
    json_object *published; /* the URIs of imported files its check published on (keys) */
    char *canon;            /* its path made canonical (NULL: not a file) */
    json_object *imports;   /* the canonical paths of the files its unit imports (keys) */
} doc;

typedef struct {
    axonc_session *s;
    doc **docs;
    int ndocs;
    json_object *collect; /* diagnostics of the document being checked, or NULL ... */
    json_object *others;  /* ... and of its imported files: path -> diagnostics */
    doc *checking;
    bool initialized, shutdown;
    double debounce;
    char *in;
    size_t inlen, incap;
    const char *refused; /* a request's answer is this error (ERR_REQUEST_FAILED) */
    char refusal[1024];
} server;

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

/* ---- messages -------------------------------------------------------------------------------- */

static bool write_all(const char *p, size_t n)
{
    while (n) {
        ssize_t w = write(STDOUT_FILENO, p, n);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0)
            return false;
        p += w;
        n -= (size_t)w;
    }
    return true;
}

/* Sends msg (and releases it). A client that went away ends the server. */
static void send_msg(json_object *msg)
{
    json_object_object_add(msg, "jsonrpc", json_object_new_string("2.0"));
    size_t n;
    const char *body = json_object_to_json_string_length(
        msg, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE, &n);
    char head[64];
    int h = snprintf(head, sizeof head, "Content-Length: %zu\r\n\r\n", n);
    if (!write_all(head, (size_t)h) || !write_all(body, n))
        exit(1);
    json_object_put(msg);
}

static void reply(json_object *id, json_object *result)
{
    json_object *m = json_object_new_object();
    json_object_object_add(m, "id", json_object_get(id));
    json_object_object_add(m, "result", result); /* NULL is JSON null */
    send_msg(m);
}

static void reply_error(json_object *id, int code, const char *message)
{
    json_object *m = json_object_new_object(), *e = json_object_new_object();
    json_object_object_add(e, "code", json_object_new_int(code));
    json_object_object_add(e, "message", json_object_new_string(message));
    json_object_object_add(m, "id", json_object_get(id));
    json_object_object_add(m, "error", e);
    send_msg(m);
}

static void notify(const char *method, json_object *params)
{
    json_object *m = json_object_new_object();
    json_object_object_add(m, "method", json_object_new_string(method));
    json_object_object_add(m, "params", params);
    send_msg(m);
}

static json_object *get(json_object *o, const char *key)
{
    json_object *v = NULL;
    return o && json_object_is_type(o, json_type_object) && json_object_object_get_ex(o, key, &v)
               ? v
               : NULL;
}

static const char *get_str(json_object *o, const char *key)
{
    json_object *v = get(o, key);
    return v && json_object_is_type(v, json_type_string) ? json_object_get_string(v) : NULL;
}

static bool get_int(json_object *o, const char *key, int *out)
{
    json_object *v = get(o, key);
    if (!v || !json_object_is_type(v, json_type_int))
        return false;
    int64_t x = json_object_get_int64(v);
    if (x < 0 || x > INT_MAX)
        return false;
    *out = (int)x;
    return true;
}

/* ---- paths, URIs, positions -------------------------------------------------------------------
 */

static int hexval(char c)
{
    return c >= '0' && c <= '9'   ? c - '0'
           : c >= 'a' && c <= 'f' ? c - 'a' + 10
           : c >= 'A' && c <= 'F' ? c - 'A' + 10
                                  : -1;
}

/* file:///a%20b/c.axon -> /a b/c.axon (malloc'd); NULL for other schemes. */
static char *uri_to_path(const char *uri)
{
    if (strncmp(uri, "file://", 7))
        return NULL;
    const char *p = uri + 7;
    if (*p != '/')
        return NULL; /* a host name: not a local file */
    char *out = malloc(strlen(p) + 1), *o = out;
    if (!out)
        return NULL;
    for (; *p; p++) {
        int h, l;
        if (*p == '%' && (h = hexval(p[1])) >= 0 && (l = hexval(p[2])) >= 0) {
            *o++ = (char)(h * 16 + l);
            p += 2;
        } else {
            *o++ = *p;
        }
    }
    *o = 0;
    return out;
}

/* file:// and the path made absolute and canonical ("stdlib/../x" or a relative $AXON_STDLIB
 * would give the same file two URIs), percent-encoded. */
static char *path_to_uri(const char *path)
{
    char abs[PATH_MAX];
    if (realpath(path, abs))
        path = abs;
    size_t n = strlen(path);
    char *out = malloc(8 + 3 * n + 1), *o = out;
    if (!out)
        return NULL;
    o += sprintf(o, "file://");
    for (const unsigned char *p = (const unsigned char *)path; *p; p++) {
        if ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') ||
            strchr("/-._~", *p))
            *o++ = (char)*p;
        else
            o += sprintf(o, "%%%02X", *p);
    }
    *o = 0;
    return out;
}

/* The text of line (0-based) of d, and its length; NULL past the end. */
static const char *line_of(const doc *d, int line, size_t *len)
{
    const char *p = d->text, *end = d->text + d->len;
    for (int l = 0; l < line; l++) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        if (!nl)
            return NULL;
        p = nl + 1;
    }
    const char *nl = memchr(p, '\n', (size_t)(end - p));
    *len = (size_t)((nl ? nl : end) - p);
    return p;
}

/* LSP positions count UTF-16 code units; Axon's columns count characters. */
static int utf16_to_col(const doc *d, int line, int character)
{
    size_t len;
    const char *t = line_of(d, line, &len);
    int col = 1, units = 0;
    for (size_t i = 0; t && i < len && units < character; i++) {
        unsigned char c = (unsigned char)t[i];
        if ((c & 0xC0) == 0x80)
            continue;
        units += c >= 0xF0 ? 2 : 1;
        col++;
    }
    return col;
}

static int col_to_utf16(const doc *d, int line, int col)
{
    size_t len;
    const char *t = d ? line_of(d, line, &len) : NULL;
    if (!t)
        return col - 1;
    int units = 0, c = 1;
    for (size_t i = 0; i < len && c < col; i++) {
        unsigned char b = (unsigned char)t[i];
        if ((b & 0xC0) == 0x80)
            continue;
        units += b >= 0xF0 ? 2 : 1;
        c++;
    }
    return units + (col > c ? col - c : 0);
}

static json_object *position(const doc *d, int line, int col)
{
    json_object *p = json_object_new_object();
    int l = line > 0 ? line - 1 : 0;
    json_object_object_add(p, "line", json_object_new_int(l));
    json_object_object_add(p, "character",
                           json_object_new_int(col_to_utf16(d, l, col > 0 ? col : 1)));
    return p;
}

/* A range from an Axon place; d is the document the place is in (NULL: another file). */
static json_object *range(const doc *d, const axonc_loc *l)
{
    json_object *r = json_object_new_object();
    if (!l->file || l->line <= 0) {
        json_object_object_add(r, "start", position(NULL, 1, 1));
        json_object_object_add(r, "end", position(NULL, 1, 1));
        return r;
    }
    json_object_object_add(r, "start", position(d, l->line, l->col));
    json_object_object_add(
        r, "end",
        position(d, l->end_line ? l->end_line : l->line, l->end_col ? l->end_col : l->col));
    return r;
}

static doc *find_doc(server *srv, const char *uri)
{
    for (int i = 0; uri && i < srv->ndocs; i++)
        if (!strcmp(srv->docs[i]->uri, uri))
            return srv->docs[i];
    return NULL;
}

/* The open document a place is in, for exact UTF-16 columns (others are taken as ASCII). */
static const doc *doc_of_file(const server *srv, const char *file)
{
    for (int i = 0; file && i < srv->ndocs; i++)
        if (!strcmp(srv->docs[i]->path, file))
            return srv->docs[i];
    return NULL;
}

static json_object *location(const server *srv, const axonc_loc *l)
{
    json_object *o = json_object_new_object();
    const doc *d = doc_of_file(srv, l->file);
    /* an open document keeps the URI the editor gave it */
    char *uri = d ? strdup(d->uri) : path_to_uri(l->file ? l->file : "");
    json_object_object_add(o, "uri", json_object_new_string(uri ? uri : ""));
    json_object_object_add(o, "range", range(doc_of_file(srv, l->file), l));
    free(uri);
    return o;
}

/* ---- checking and diagnostics -----------------------------------------------------------------
 */

/* A diagnostic of the protocol for dg, at `at` (a place of file rd, the open document it is
 * in or NULL); `placed`: the message starts with dg's own place (it is shown elsewhere). */
static json_object *diagnostic(const server *srv, const doc *rd, const axonc_loc *at,
                               const axonc_diag *dg, bool placed)
{
    json_object *o = json_object_new_object();
    json_object_object_add(o, "range", range(rd, at));
    json_object_object_add(o, "severity",
                           json_object_new_int(dg->severity == AXONC_ERROR     ? 1
                                               : dg->severity == AXONC_WARNING ? 2
                                                                               : 3));
    json_object_object_add(o, "source", json_object_new_string("axon"));
    /* the message as `axon check` words it: hints follow it, located notes are related
       information */
    char *msg = NULL;
    size_t mlen = 0;
    FILE *f = open_memstream(&msg, &mlen);
    if (f) {
        if (placed)
            fprintf(f, "%s:%d:%d: ", dg->loc.file, dg->loc.line, dg->loc.col);
        fputs(dg->message, f);
        for (int i = 0; i < dg->nnotes; i++)
            if (dg->notes[i].is_hint || !dg->notes[i].loc.file)
                fprintf(f, "\nhint: %s", dg->notes[i].message);
        fclose(f);
    }
    json_object_object_add(o, "message", json_object_new_string(msg ? msg : dg->message));
    free(msg);
    json_object *rel = NULL;
    for (int i = 0; i < dg->nnotes; i++) {
        const axonc_note *n = &dg->notes[i];
        if (n->is_hint || !n->loc.file)
            continue;
        if (!rel)
            rel = json_object_new_array();
        json_object *ri = json_object_new_object();
        json_object_object_add(ri, "location", location(srv, &n->loc));
        json_object_object_add(ri, "message", json_object_new_string(n->message));
        json_object_array_add(rel, ri);
    }
    if (rel)
        json_object_object_add(o, "relatedInformation", rel);
    return o;
}

/* The line of d's import that brings in file: the import whose path (std/ dropped, .axon
 * implied) ends file's path, or names a directory that holds it; 1 when none does (a file
 * imported by an imported file). */
static int import_line(const doc *d, const char *file)
{
    const char *p = d->text, *end = d->text + d->len;
    for (int line = 1; p < end; line++) {
        const char *nl = memchr(p, '\n', (size_t)(end - p)), *e = nl ? nl : end;
        while (p < e && (*p == ' ' || *p == '\t'))
            p++;
        const char *q = e - p > 6 && !memcmp(p, "import", 6) ? memchr(p, '"', (size_t)(e - p)) : NULL;
        const char *qe = q ? memchr(q + 1, '"', (size_t)(e - q - 1)) : NULL;
        if (qe && qe - q < PATH_MAX - 16) {
            const char *ip = q + 1;
            if (qe - ip > 4 && !memcmp(ip, "std/", 4))
                ip += 4;
            int n = (int)(qe - ip);
            bool ext = n > 5 && !memcmp(qe - 5, ".axon", 5);
            char want[PATH_MAX];
            snprintf(want, sizeof want, "/%.*s%s", n, ip, ext ? "" : ".axon");
            size_t wl = strlen(want), fl = strlen(file);
            if (wl <= fl && !strcmp(file + fl - wl, want))
                return line;
            snprintf(want, sizeof want, "/%.*s/", n, ip); /* a directory of files */
            if (!ext && strstr(file, want))
                return line;
        }
        p = nl ? nl + 1 : end;
    }
    return 1;
}

/* A diagnostic of the check of srv->checking. One in an imported file is published on that
 * file too (unless it is open: its own check shows it), and shown in the document at the
 * import that brings the file in, its place first. */
static void on_diag(void *user, const axonc_diag *dg)
{
    server *srv = user;
    if (!srv->collect)
        return;
    const doc *d = srv->checking;
    const char *file = dg->loc.file;
    if (file && dg->loc.line > 0 && strcmp(file, d->path)) {
        if (!doc_of_file(srv, file)) {
            json_object *list = get(srv->others, file);
            if (!list) {
                list = json_object_new_array();
                json_object_object_add(srv->others, file, list);
            }
            json_object_array_add(list, diagnostic(srv, NULL, &dg->loc, dg, false));
        }
        int l = import_line(d, file);
        size_t len = 0;
        const char *lt = line_of(d, l - 1, &len);
        axonc_loc at = {.file = d->path, .line = l, .col = 1, .end_line = l, .end_col = 1};
        for (size_t i = 0; lt && i < len; i++) /* the whole line */
            at.end_col += ((unsigned char)lt[i] & 0xC0) != 0x80;
        json_object_array_add(srv->collect, diagnostic(srv, d, &at, dg, true));
        return;
    }
    bool here = file && !strcmp(file, d->path);
    json_object_array_add(srv->collect,
                          diagnostic(srv, here ? d : NULL, here ? &dg->loc : &(axonc_loc){0}, dg,
                                     false));
}

/* The information at each extern declaration of d that its library was not loaded. */
static void extern_notes(server *srv, doc *d, json_object *diags)
{
    int n = axonc_symbol_count(d->unit);
    for (int i = 0; i < n; i++) {
        axonc_symbol y;
        if (axonc_symbol_get(d->unit, i, &y) != AXONC_OK || y.kind != AXONC_SYM_EXTERN ||
            !y.loc.file || strcmp(y.loc.file, d->path))
            continue;
        json_object *o = json_object_new_object();
        json_object_object_add(o, "range", range(d, &y.loc));
        json_object_object_add(o, "severity", json_object_new_int(3));
        json_object_object_add(o, "source", json_object_new_string("axon"));
        char msg[512];
        snprintf(msg, sizeof msg,
                 "the language server does not load extern libraries: calls to '%s' are "
                 "checked for their arguments only (axon check loads the library)",
                 y.name);
        json_object_object_add(o, "message", json_object_new_string(msg));
        json_object_array_add(diags, o);
    }
    (void)srv;
}

static void publish(const char *uri, json_object *diags)
{
    json_object *p = json_object_new_object();
    json_object_object_add(p, "uri", json_object_new_string(uri));
    json_object_object_add(p, "diagnostics", diags);
    notify("textDocument/publishDiagnostics", p);
}

/* Publishes the diagnostics found in d's imported files (path -> list; released) on their
 * URIs, and clears those d published on before that have none now. */
static void publish_others(doc *d, json_object *others)
{
    json_object *now = json_object_new_object();
    json_object_object_foreach(others, path, list)
    {
        char *uri = path_to_uri(path);
        if (!uri)
            continue;
        publish(uri, json_object_get(list));
        json_object_object_add(now, uri, NULL);
        free(uri);
    }
    if (d->published) {
        json_object_object_foreach(d->published, uri, unused)
        {
            (void)unused;
            if (!json_object_object_get_ex(now, uri, NULL))
                publish(uri, json_object_new_array());
        }
    }
    json_object_put(d->published);
    d->published = now;
    json_object_put(others);
}

/* The loader reads imported files here first: an open document's text, as the editor has it
 * (saved or not). Each file asked for is one the document being checked imports. */
static char *read_open_file(void *user, const char *path, size_t *len)
{
    server *srv = user;
    if (srv->checking && srv->checking->imports)
        json_object_object_add(srv->checking->imports, path, NULL);
    for (int i = 0; i < srv->ndocs; i++) {
        const doc *d = srv->docs[i];
        if (d->canon && !strcmp(d->canon, path)) {
            char *t = malloc(d->len + 1);
            if (t) {
                memcpy(t, d->text, d->len + 1);
                *len = d->len;
            }
            return t;
        }
    }
    return NULL;
}

/* Loads and checks d, and publishes its diagnostics. */
static void check_doc(server *srv, doc *d)
{
    axonc_unit_free(d->unit);
    d->unit = NULL;
    json_object *diags = json_object_new_array();
    srv->collect = diags;
    srv->others = json_object_new_object();
    srv->checking = d;
    json_object_put(d->imports);
    d->imports = json_object_new_object();
    axonc_status st = axonc_load_string(srv->s, d->path, d->text, d->len, &d->unit);
    if (d->unit)
        axonc_check(d->unit);
    else if (st != AXONC_OK) {
        json_object *o = json_object_new_object();
        json_object_object_add(o, "range", range(NULL, &(axonc_loc){0}));
        json_object_object_add(o, "severity", json_object_new_int(1));
        json_object_object_add(o, "message", json_object_new_string(axonc_session_error(srv->s)));
        json_object_array_add(diags, o);
    }
    srv->collect = NULL;
    srv->checking = NULL;
    if (d->unit)
        extern_notes(srv, d, diags);
    d->stale = false;
    publish(d->uri, diags);
    publish_others(d, srv->others);
    srv->others = NULL;
}

/* A document with its unit up to date, for a request. */
static doc *fresh(server *srv, json_object *params)
{
    doc *d = find_doc(srv, get_str(get(params, "textDocument"), "uri"));
    if (d && (d->stale || !d->unit))
        check_doc(srv, d);
    return d;
}

/* ---- documents --------------------------------------------------------------------------------
 */

static void set_text(doc *d, const char *text, size_t len)
{
    char *t = malloc(len + 1);
    if (!t)
        return;
    memcpy(t, text, len);
    t[len] = 0;
    free(d->text);
    d->text = t;
    d->len = len;
}

/* The byte offset of an LSP position in d (clamped to the text). */
static size_t offset_of(const doc *d, json_object *pos)
{
    int line = 0, ch = 0;
    get_int(pos, "line", &line);
    get_int(pos, "character", &ch);
    size_t len;
    const char *t = line_of(d, line, &len);
    if (!t)
        return d->len;
    int units = 0;
    size_t i = 0;
    while (i < len && units < ch) {
        unsigned char c = (unsigned char)t[i];
        units += c >= 0xF0 ? 2 : 1;
        i++;
        while (i < len && ((unsigned char)t[i] & 0xC0) == 0x80)
            i++;
    }
    return (size_t)(t - d->text) + i;
}

static void did_open(server *srv, json_object *params)
{
    json_object *td = get(params, "textDocument");
    const char *uri = get_str(td, "uri"), *text = get_str(td, "text");
    if (!uri || !text)
        return;
    doc *d = find_doc(srv, uri);
    if (!d) {
        char *path = uri_to_path(uri);
        doc **grown = realloc(srv->docs, (size_t)(srv->ndocs + 1) * sizeof *grown);
        d = calloc(1, sizeof *d);
        if (!grown || !d) {
            free(path);
            free(d);
            return;
        }
        srv->docs = grown;
        d->uri = strdup(uri);
        d->path = path ? path : strdup(uri);
        d->canon = path ? realpath(path, NULL) : NULL;
        srv->docs[srv->ndocs++] = d;
    }
    set_text(d, text, (size_t)json_object_get_string_len(get(td, "text")));
    check_doc(srv, d);
}

/* The open documents that import d are checked again (after the debounce) with its text. */
static void stale_importers(server *srv, const doc *d)
{
    for (int i = 0; d->canon && i < srv->ndocs; i++) {
        doc *o = srv->docs[i];
        if (o != d && o->imports && json_object_object_get_ex(o->imports, d->canon, NULL)) {
            o->stale = true;
            o->changed_at = d->changed_at;
        }
    }
}

static void did_change(server *srv, json_object *params)
{
    doc *d = find_doc(srv, get_str(get(params, "textDocument"), "uri"));
    json_object *changes = get(params, "contentChanges");
    if (!d || !changes || !json_object_is_type(changes, json_type_array))
        return;
    for (size_t i = 0; i < json_object_array_length(changes); i++) {
        json_object *c = json_object_array_get_idx(changes, i), *r = get(c, "range");
        json_object *tj = get(c, "text");
        if (!tj || !json_object_is_type(tj, json_type_string))
            continue;
        const char *text = json_object_get_string(tj);
        size_t tl = (size_t)json_object_get_string_len(tj);
        if (!r) {
            set_text(d, text, tl);
            continue;
        }
        /* an edit of a range (clients may send them even though the server asks for whole
           texts) */
        size_t a = offset_of(d, get(r, "start")), b = offset_of(d, get(r, "end"));
        if (b < a)
            b = a;
        char *t = malloc(d->len - (b - a) + tl + 1);
        if (!t)
            continue;
        memcpy(t, d->text, a);
        memcpy(t + a, text, tl);
        memcpy(t + a + tl, d->text + b, d->len - b);
        d->len = d->len - (b - a) + tl;
        t[d->len] = 0;
        free(d->text);
        d->text = t;
    }
    d->stale = true;
    d->changed_at = now();
    stale_importers(srv, d);
}

static void free_doc(doc *d)
{
    json_object_put(d->published);
    json_object_put(d->imports);
    free(d->canon);
    axonc_unit_free(d->unit);
    free(d->uri);
    free(d->path);
    free(d->text);
    free(d);
}

static void did_close(server *srv, json_object *params)
{
    doc *d = find_doc(srv, get_str(get(params, "textDocument"), "uri"));
    if (!d)
        return;
    publish(d->uri, json_object_new_array());
    publish_others(d, json_object_new_object()); /* and what it published on its imports */
    for (int i = 0; i < srv->ndocs; i++)
        if (srv->docs[i] == d)
            srv->docs[i] = srv->docs[--srv->ndocs];
    d->changed_at = now();
    stale_importers(srv, d); /* they read the file from disk again */
    free_doc(d);
}

/* ---- requests ------------------------------------------------------------------------------- */

/* The symbol at a request's position in d, or -1; *where its occurrence. */
static int symbol_at(doc *d, json_object *params, axonc_loc *where)
{
    json_object *pos = get(params, "position");
    int line, ch;
    if (!d || !d->unit || !get_int(pos, "line", &line) || !get_int(pos, "character", &ch))
        return -1;
    return axonc_symbol_at(d->unit, d->path, line + 1, utf16_to_col(d, line, ch), where);
}

static json_object *hover(server *srv, json_object *params)
{
    doc *d = fresh(srv, params);
    axonc_loc where;
    int k = symbol_at(d, params, &where);
    axonc_symbol y;
    if (k < 0 || axonc_symbol_get(d->unit, k, &y) != AXONC_OK)
        return NULL;
    char *md = NULL;
    size_t n = 0;
    FILE *f = open_memstream(&md, &n);
    if (!f)
        return NULL;
    fprintf(f, "```axon\n%s\n```\n", y.signature && *y.signature ? y.signature : y.name);
    if (y.detail)
        fprintf(f, "%s%s%s\n", y.detail, y.unit ? "; shown in " : "", y.unit ? y.unit : "");
    if (y.doc)
        fprintf(f, "\n%s\n", y.doc);
    if (y.loc.file && strcmp(y.loc.file, d->path))
        fprintf(f, "\n*%s:%d*\n", y.loc.file, y.loc.line);
    fclose(f);
    json_object *h = json_object_new_object(), *c = json_object_new_object();
    json_object_object_add(c, "kind", json_object_new_string("markdown"));
    json_object_object_add(c, "value", json_object_new_string(md ? md : ""));
    free(md);
    json_object_object_add(h, "contents", c);
    json_object_object_add(h, "range", range(d, &where));
    return h;
}

static json_object *definition(server *srv, json_object *params)
{
    doc *d = fresh(srv, params);
    int k = symbol_at(d, params, NULL);
    axonc_symbol y;
    if (k < 0 || axonc_symbol_get(d->unit, k, &y) != AXONC_OK || !y.loc.file)
        return NULL;
    return location(srv, &y.loc);
}

/* The symbol of unit u declared where y is (the same file, place and name), or -1. */
static int same_symbol(axonc_unit *u, const axonc_symbol *y)
{
    int n = axonc_symbol_count(u);
    for (int i = 0; i < n; i++) {
        axonc_symbol o;
        if (axonc_symbol_get(u, i, &o) == AXONC_OK && o.loc.file && y->loc.file &&
            o.loc.line == y->loc.line && o.loc.col == y->loc.col && !strcmp(o.name, y->name) &&
            !strcmp(o.loc.file, y->loc.file))
            return i;
    }
    return -1;
}

typedef void (*place_fn)(server *srv, const axonc_loc *l, bool is_decl, void *user);

/* Calls fn once for every place symbol k of d's unit is named: in d's unit (the file and its
 * imports), then in the other open documents whose units hold the same declaration (the
 * files that import it). */
static void each_place(server *srv, doc *d, int k, place_fn fn, void *user)
{
    axonc_symbol y;
    if (k < 0 || axonc_symbol_get(d->unit, k, &y) != AXONC_OK)
        return;
    json_object *seen = json_object_new_object();
    for (int i = -1; i < srv->ndocs; i++) {
        doc *o = i < 0 ? d : srv->docs[i];
        if (i >= 0 && o == d)
            continue;
        if (i >= 0 && (o->stale || !o->unit))
            check_doc(srv, o);
        int ko = i < 0 ? k : o->unit ? same_symbol(o->unit, &y) : -1;
        for (int r = 0; ko >= 0 && r < axonc_ref_count(o->unit, ko); r++) {
            axonc_loc l;
            int is_decl;
            if (axonc_ref_get(o->unit, ko, r, &l, &is_decl) != AXONC_OK || !l.file)
                continue;
            char key[PATH_MAX + 64];
            snprintf(key, sizeof key, "%d:%d:%s", l.line, l.col, l.file);
            if (json_object_object_get_ex(seen, key, NULL))
                continue;
            json_object_object_add(seen, key, NULL);
            fn(srv, &l, is_decl, user);
        }
    }
    json_object_put(seen);
}

typedef struct {
    json_object *out;
    bool with_decl;
} refs_acc;

static void add_reference(server *srv, const axonc_loc *l, bool is_decl, void *user)
{
    refs_acc *a = user;
    if (a->with_decl || !is_decl)
        json_object_array_add(a->out, location(srv, l));
}

static json_object *references(server *srv, json_object *params)
{
    doc *d = fresh(srv, params);
    int k = symbol_at(d, params, NULL);
    json_object *decl = get(get(params, "context"), "includeDeclaration");
    refs_acc a = {json_object_new_array(), !decl || json_object_get_boolean(decl)};
    if (k >= 0)
        each_place(srv, d, k, add_reference, &a);
    return a.out;
}

/* ---- renaming ------------------------------------------------------------------------------ */

/* Makes the request fail with message (the answer is an error). */
static json_object *refuse(server *srv, const char *message)
{
    snprintf(srv->refusal, sizeof srv->refusal, "%s", message);
    srv->refused = srv->refusal;
    return NULL;
}

/* The symbol at the request's position that may be renamed (to new_name, when given): its
 * index, or -1 with the request refused (a reason from the library) or answered null. */
static int renamable(server *srv, doc *d, json_object *params, const char *new_name,
                     axonc_loc *where)
{
    int k = symbol_at(d, params, where);
    if (k < 0)
        return -1;
    if (axonc_rename_check(d->unit, k, new_name) != AXONC_OK) {
        refuse(srv, axonc_session_error(srv->s));
        return -1;
    }
    return k;
}

static json_object *prepare_rename(server *srv, json_object *params)
{
    doc *d = fresh(srv, params);
    axonc_loc where;
    axonc_symbol y;
    int k = renamable(srv, d, params, NULL, &where);
    if (k < 0 || axonc_symbol_get(d->unit, k, &y) != AXONC_OK)
        return NULL;
    json_object *r = json_object_new_object();
    json_object_object_add(r, "range", range(d, &where));
    json_object_object_add(r, "placeholder", json_object_new_string(y.name));
    return r;
}

typedef struct {
    json_object *changes; /* URI -> edits */
    const char *new_name;
} rename_acc;

static void add_rename(server *srv, const axonc_loc *l, bool is_decl, void *user)
{
    (void)is_decl;
    rename_acc *a = user;
    json_object *loc = location(srv, l);
    const char *uri = get_str(loc, "uri");
    json_object *edits = get(a->changes, uri);
    if (!edits) {
        edits = json_object_new_array();
        json_object_object_add(a->changes, uri, edits);
    }
    json_object *e = json_object_new_object();
    json_object_object_add(e, "range", json_object_get(get(loc, "range")));
    json_object_object_add(e, "newText", json_object_new_string(a->new_name));
    json_object_array_add(edits, e);
    json_object_put(loc);
}

/* The edits of a rename: every place the name is named (see each_place). */
static json_object *rename_symbol(server *srv, json_object *params)
{
    doc *d = fresh(srv, params);
    const char *new_name = get_str(params, "newName");
    if (!new_name)
        return refuse(srv, "newName is missing");
    int k = renamable(srv, d, params, new_name, NULL);
    if (k < 0)
        return srv->refused ? NULL : refuse(srv, "there is no name to rename here");
    rename_acc a = {json_object_new_object(), new_name};
    each_place(srv, d, k, add_rename, &a);
    json_object *w = json_object_new_object();
    json_object_object_add(w, "changes", a.changes);
    return w;
}

static int completion_kind(axonc_symbol_kind k)
{
    switch (k) {
    case AXONC_SYM_NEURON:
    case AXONC_SYM_SYNAPSE:
    case AXONC_SYM_RULE: return 7; /* class */
    case AXONC_SYM_MODULE:
    case AXONC_SYM_INSTANCE: return 9; /* module */
    case AXONC_SYM_PARAM:
    case AXONC_SYM_PARAM_EACH:
    case AXONC_SYM_MODULE_PARAM: return 21;
    case AXONC_SYM_STATE:
    case AXONC_SYM_DEFINITION:
    case AXONC_SYM_OUTPUT: return 5; /* field */
    case AXONC_SYM_INPUT: return 10; /* property */
    case AXONC_SYM_EXTERN:
    case AXONC_SYM_FUNCTION: return 3; /* function */
    case AXONC_SYM_UNIT: return 11;    /* unit */
    case AXONC_SYM_KEYWORD: return 14;
    case AXONC_SYM_FILE: return 17;
    case AXONC_SYM_POPULATION:
    case AXONC_SYM_PROJECTION: return 18; /* reference */
    default: return 6;                    /* variable */
    }
}

typedef struct {
    json_object *items;
    json_object *edit_range; /* import paths replace the string typed so far */
} completions;

static void add_completion(void *user, const axonc_completion *c)
{
    completions *cs = user;
    json_object *it = json_object_new_object();
    json_object_object_add(it, "label", json_object_new_string(c->label));
    json_object_object_add(it, "kind", json_object_new_int(completion_kind(c->kind)));
    if (c->detail)
        json_object_object_add(it, "detail", json_object_new_string(c->detail));
    if (c->kind == AXONC_SYM_FILE && cs->edit_range) {
        json_object *e = json_object_new_object();
        json_object_object_add(e, "range", json_object_get(cs->edit_range));
        json_object_object_add(e, "newText", json_object_new_string(c->label));
        json_object_object_add(it, "textEdit", e);
        json_object_object_add(it, "filterText", json_object_new_string(c->label));
    }
    json_object_array_add(cs->items, it);
}

static json_object *completion(server *srv, json_object *params)
{
    doc *d = fresh(srv, params);
    json_object *pos = get(params, "position");
    int line, ch;
    completions cs = {json_object_new_array(), NULL};
    if (!d || !d->unit || !get_int(pos, "line", &line) || !get_int(pos, "character", &ch))
        return cs.items;
    /* inside a string: the range from after its quote to the cursor */
    size_t len;
    const char *t = line_of(d, line, &len);
    int col = utf16_to_col(d, line, ch), c = 1, quote = -1;
    for (size_t i = 0; t && i < len && c < col; i++) {
        if (((unsigned char)t[i] & 0xC0) == 0x80)
            continue;
        if (t[i] == '"')
            quote = quote < 0 ? c : -1;
        c++;
    }
    if (quote > 0) {
        cs.edit_range = json_object_new_object();
        json_object *a = json_object_new_object(), *b = json_object_new_object();
        json_object_object_add(a, "line", json_object_new_int(line));
        json_object_object_add(a, "character",
                               json_object_new_int(col_to_utf16(d, line, quote + 1)));
        json_object_object_add(b, "line", json_object_new_int(line));
        json_object_object_add(b, "character", json_object_new_int(ch));
        json_object_object_add(cs.edit_range, "start", a);
        json_object_object_add(cs.edit_range, "end", b);
    }
    axonc_complete(d->unit, d->path, line + 1, col, add_completion, &cs);
    json_object_put(cs.edit_range);
    return cs.items;
}

static int symbol_kind(axonc_symbol_kind k)
{
    switch (k) {
    case AXONC_SYM_NEURON:
    case AXONC_SYM_SYNAPSE:
    case AXONC_SYM_RULE: return 5; /* class */
    case AXONC_SYM_MODULE:
    case AXONC_SYM_INSTANCE: return 2; /* module */
    case AXONC_SYM_PARAM:
    case AXONC_SYM_PARAM_EACH:
    case AXONC_SYM_MODULE_PARAM:
    case AXONC_SYM_LET: return 14; /* constant */
    case AXONC_SYM_STATE:
    case AXONC_SYM_DEFINITION:
    case AXONC_SYM_OUTPUT: return 13;
    case AXONC_SYM_INPUT: return 8;       /* field */
    case AXONC_SYM_POPULATION: return 19; /* object */
    case AXONC_SYM_PROJECTION:
    case AXONC_SYM_SIGNAL: return 24; /* event */
    case AXONC_SYM_EXTERN: return 12; /* function */
    default: return 13;
    }
}

static json_object *doc_symbol(doc *d, const axonc_symbol *y)
{
    json_object *o = json_object_new_object();
    json_object_object_add(o, "name", json_object_new_string(y->name));
    json_object_object_add(o, "kind", json_object_new_int(symbol_kind(y->kind)));
    if (y->detail)
        json_object_object_add(o, "detail", json_object_new_string(y->detail));
    json_object_object_add(o, "range", range(d, &y->extent));
    json_object_object_add(o, "selectionRange", range(d, &y->loc));
    return o;
}

static json_object *document_symbols(server *srv, json_object *params)
{
    doc *d = fresh(srv, params);
    json_object *out = json_object_new_array();
    int n = d && d->unit ? axonc_symbol_count(d->unit) : 0;
    json_object **made = calloc((size_t)n + 1, sizeof *made);
    for (int i = 0; made && i < n; i++) {
        axonc_symbol y;
        if (axonc_symbol_get(d->unit, i, &y) != AXONC_OK || !y.loc.file ||
            strcmp(y.loc.file, d->path))
            continue;
        /* a let inside a handler is not part of the outline */
        if (y.kind == AXONC_SYM_LET && y.parent >= 0) {
            axonc_symbol p;
            if (axonc_symbol_get(d->unit, y.parent, &p) == AXONC_OK && p.kind != AXONC_SYM_MODULE)
                continue;
        }
        made[i] = doc_symbol(d, &y);
        if (y.parent >= 0 && y.parent < i && made[y.parent]) {
            json_object *kids = get(made[y.parent], "children");
            if (!kids) {
                kids = json_object_new_array();
                json_object_object_add(made[y.parent], "children", kids);
            }
            json_object_array_add(kids, json_object_get(made[i]));
        } else if (y.parent < 0) {
            json_object_array_add(out, json_object_get(made[i]));
        }
    }
    for (int i = 0; made && i < n; i++)
        json_object_put(made[i]);
    free(made);
    return out;
}

static json_object *formatting(server *srv, json_object *params)
{
    doc *d = find_doc(srv, get_str(get(params, "textDocument"), "uri"));
    json_object *edits = json_object_new_array();
    char *out = NULL;
    /* a file that does not parse is not formatted; its errors are already shown */
    if (!d || axonc_fmt(srv->s, d->path, d->text, d->len, &out) != AXONC_OK)
        return edits;
    if (strlen(out) != d->len || memcmp(out, d->text, d->len)) {
        int lines = 0;
        for (size_t i = 0; i < d->len; i++)
            lines += d->text[i] == '\n';
        json_object *e = json_object_new_object(), *r = json_object_new_object();
        json_object *a = json_object_new_object(), *b = json_object_new_object();
        json_object_object_add(a, "line", json_object_new_int(0));
        json_object_object_add(a, "character", json_object_new_int(0));
        /* the end of the document: its last line (after the last newline: an empty one),
           at its length in UTF-16 units, not a place past it */
        size_t last_len = 0;
        const char *last = line_of(d, lines, &last_len);
        int units = 0;
        for (size_t i = 0; last && i < last_len; i++) {
            unsigned char c = (unsigned char)last[i];
            if ((c & 0xC0) != 0x80)
                units += c >= 0xF0 ? 2 : 1;
        }
        json_object_object_add(b, "line", json_object_new_int(lines));
        json_object_object_add(b, "character", json_object_new_int(units));
        json_object_object_add(r, "start", a);
        json_object_object_add(r, "end", b);
        json_object_object_add(e, "range", r);
        json_object_object_add(e, "newText", json_object_new_string(out));
        json_object_array_add(edits, e);
    }
    free(out);
    return edits;
}

/* Semantic tokens: every name the index knows in the document, by what it is (the grammar
 * cannot tell a parameter from a state variable, or a neuron type from a population). */
static const char *const TOKEN_TYPES[] = {"type",     "namespace", "parameter", "variable",
                                          "property", "function",  "event"};

static int token_type(axonc_symbol_kind k)
{
    switch (k) {
    case AXONC_SYM_NEURON:
    case AXONC_SYM_SYNAPSE:
    case AXONC_SYM_RULE: return 0;
    case AXONC_SYM_MODULE:
    case AXONC_SYM_INSTANCE: return 1;
    case AXONC_SYM_PARAM:
    case AXONC_SYM_PARAM_EACH:
    case AXONC_SYM_MODULE_PARAM: return 2;
    case AXONC_SYM_INPUT:
    case AXONC_SYM_MODULATOR: return 4;
    case AXONC_SYM_EXTERN: return 5;
    case AXONC_SYM_PROJECTION:
    case AXONC_SYM_SIGNAL: return 6;
    default: return 3;
    }
}

typedef struct {
    int line, col, len, type, decl;
} sem_token;

static int sem_cmp(const void *a, const void *b)
{
    const sem_token *x = a, *y = b;
    return x->line != y->line ? x->line - y->line : x->col - y->col;
}

static json_object *semantic_tokens(server *srv, json_object *params)
{
    doc *d = fresh(srv, params);
    sem_token *v = NULL;
    size_t n = 0, cap = 0;
    int nsyms = d && d->unit ? axonc_symbol_count(d->unit) : 0;
    for (int k = 0; k < nsyms; k++) {
        axonc_symbol y;
        if (axonc_symbol_get(d->unit, k, &y) != AXONC_OK)
            continue;
        for (int r = 0; r < axonc_ref_count(d->unit, k); r++) {
            axonc_loc l;
            int is_decl;
            if (axonc_ref_get(d->unit, k, r, &l, &is_decl) != AXONC_OK || !l.file ||
                strcmp(l.file, d->path) || l.line != l.end_line)
                continue;
            if (n == cap) {
                cap = cap ? 2 * cap : 256;
                sem_token *g = realloc(v, cap * sizeof *v);
                if (!g)
                    break;
                v = g;
            }
            int line = l.line - 1, a = col_to_utf16(d, line, l.col);
            v[n++] = (sem_token){line, a, col_to_utf16(d, line, l.end_col) - a, token_type(y.kind),
                                 is_decl};
        }
    }
    if (n)
        qsort(v, n, sizeof *v, sem_cmp);
    json_object *data = json_object_new_array();
    int pl = 0, pc = 0;
    for (size_t i = 0; i < n; i++) {
        if (i && v[i].line == v[i - 1].line && v[i].col < v[i - 1].col + v[i - 1].len)
            continue; /* overlapping (cannot happen for names, but the protocol forbids it) */
        int dl = v[i].line - pl, dc = dl ? v[i].col : v[i].col - pc;
        int five[5] = {dl, dc, v[i].len, v[i].type, v[i].decl ? 1 : 0};
        for (int k = 0; k < 5; k++)
            json_object_array_add(data, json_object_new_int(five[k]));
        pl = v[i].line;
        pc = v[i].col;
    }
    free(v);
    json_object *r = json_object_new_object();
    json_object_object_add(r, "data", data);
    return r;
}

static json_object *capabilities(void)
{
    json_object *c = json_object_new_object(), *sync = json_object_new_object();
    json_object_object_add(sync, "openClose", json_object_new_boolean(1));
    json_object_object_add(sync, "change", json_object_new_int(1)); /* whole texts */
    json_object_object_add(c, "textDocumentSync", sync);
    json_object_object_add(c, "hoverProvider", json_object_new_boolean(1));
    json_object_object_add(c, "definitionProvider", json_object_new_boolean(1));
    json_object_object_add(c, "referencesProvider", json_object_new_boolean(1));
    json_object_object_add(c, "documentSymbolProvider", json_object_new_boolean(1));
    json_object_object_add(c, "documentFormattingProvider", json_object_new_boolean(1));
    json_object *ren = json_object_new_object();
    json_object_object_add(ren, "prepareProvider", json_object_new_boolean(1));
    json_object_object_add(c, "renameProvider", ren);
    json_object *comp = json_object_new_object(), *trig = json_object_new_array();
    json_object_array_add(trig, json_object_new_string("."));
    json_object_array_add(trig, json_object_new_string("\""));
    json_object_array_add(trig, json_object_new_string("/"));
    json_object_object_add(comp, "triggerCharacters", trig);
    json_object_object_add(c, "completionProvider", comp);
    json_object *sem = json_object_new_object(), *legend = json_object_new_object();
    json_object *types = json_object_new_array(), *mods = json_object_new_array();
    for (size_t i = 0; i < sizeof TOKEN_TYPES / sizeof TOKEN_TYPES[0]; i++)
        json_object_array_add(types, json_object_new_string(TOKEN_TYPES[i]));
    json_object_array_add(mods, json_object_new_string("declaration"));
    json_object_object_add(legend, "tokenTypes", types);
    json_object_object_add(legend, "tokenModifiers", mods);
    json_object_object_add(sem, "legend", legend);
    json_object_object_add(sem, "full", json_object_new_boolean(1));
    json_object_object_add(c, "semanticTokensProvider", sem);
    json_object *r = json_object_new_object(), *info = json_object_new_object();
    json_object_object_add(r, "capabilities", c);
    json_object_object_add(info, "name", json_object_new_string("axon"));
    json_object_object_add(info, "version", json_object_new_string(PACKAGE_VERSION));
    json_object_object_add(r, "serverInfo", info);
    return r;
}

typedef json_object *(*request_fn)(server *srv, json_object *params);

static const struct {
    const char *method;
    request_fn fn;
} REQUESTS[] = {
    {"textDocument/hover", hover},
    {"textDocument/definition", definition},
    {"textDocument/references", references},
    {"textDocument/completion", completion},
    {"textDocument/documentSymbol", document_symbols},
    {"textDocument/formatting", formatting},
    {"textDocument/semanticTokens/full", semantic_tokens},
    {"textDocument/prepareRename", prepare_rename},
    {"textDocument/rename", rename_symbol},
};

/* Handles one message; false when the server should stop (after `exit`). */
static bool handle(server *srv, json_object *msg, int *status)
{
    const char *method = get_str(msg, "method");
    json_object *id = get(msg, "id"), *params = get(msg, "params");
    if (!method) {
        /* (present, even null: a result of null is a response too) */
        if (id && !json_object_object_get_ex(msg, "result", NULL) &&
            !json_object_object_get_ex(msg, "error", NULL))
            reply_error(id, ERR_INVALID_REQUEST, "a request needs a method");
        return true; /* a response to a request of ours: there are none */
    }
    if (!strcmp(method, "exit")) {
        *status = srv->shutdown ? 0 : 1;
        return false;
    }
    if (!id) { /* a notification */
        if (!srv->initialized || srv->shutdown)
            return true;
        if (!strcmp(method, "textDocument/didOpen"))
            did_open(srv, params);
        else if (!strcmp(method, "textDocument/didChange"))
            did_change(srv, params);
        else if (!strcmp(method, "textDocument/didClose"))
            did_close(srv, params);
        return true;
    }
    if (!strcmp(method, "initialize")) {
        srv->initialized = true;
        reply(id, capabilities());
        return true;
    }
    if (!srv->initialized) {
        reply_error(id, ERR_NOT_INITIALIZED, "the server is not initialized");
        return true;
    }
    if (srv->shutdown) {
        reply_error(id, ERR_INVALID_REQUEST, "the server is shutting down");
        return true;
    }
    if (!strcmp(method, "shutdown")) {
        srv->shutdown = true;
        reply(id, NULL);
        return true;
    }
    for (size_t i = 0; i < sizeof REQUESTS / sizeof REQUESTS[0]; i++)
        if (!strcmp(method, REQUESTS[i].method)) {
            if (!get(params, "textDocument")) {
                reply_error(id, ERR_INVALID_PARAMS, "textDocument is missing");
                return true;
            }
            srv->refused = NULL;
            json_object *result = REQUESTS[i].fn(srv, params);
            if (srv->refused)
                reply_error(id, ERR_REQUEST_FAILED, srv->refused);
            else
                reply(id, result);
            return true;
        }
    reply_error(id, ERR_METHOD_NOT_FOUND, method);
    return true;
}

/* ---- the input ----------------------------------------------------------------------------- */

/* A whole message at the start of the input buffer: *body and *n, and the bytes it takes;
 * 0 when more input is needed, -1 for a header that is not a protocol header. */
static long next_message(server *srv, const char **body, size_t *n)
{
    const char *b = srv->in, *end = srv->in + srv->inlen;
    const char *hend = NULL;
    for (const char *p = b; p + 3 < end; p++)
        if (p[0] == '\r' && p[1] == '\n' && p[2] == '\r' && p[3] == '\n') {
            hend = p;
            break;
        }
    if (!hend)
        return srv->inlen > 4096 ? -1 : 0;
    long len = -1;
    for (const char *p = b; p < hend;) {
        const char *eol = p;
        while (eol < hend && *eol != '\r')
            eol++;
        if (eol - p > 15 && !strncasecmp(p, "Content-Length:", 15)) {
            char num[32];
            size_t k = (size_t)(eol - p - 15);
            if (k >= sizeof num)
                return -1;
            memcpy(num, p + 15, k);
            num[k] = 0;
            char *e;
            len = strtol(num, &e, 10);
            while (*e == ' ')
                e++;
            if (*e || len < 0 || len > MAX_MESSAGE)
                return -1;
        }
        p = eol + 2;
    }
    if (len < 0)
        return -1;
    size_t head = (size_t)(hend + 4 - b);
    if (srv->inlen < head + (size_t)len)
        return 0;
    *body = hend + 4;
    *n = (size_t)len;
    return (long)(head + (size_t)len);
}

static void consume(server *srv, size_t n)
{
    memmove(srv->in, srv->in + n, srv->inlen - n);
    srv->inlen -= n;
}

/* Reads what is there; false at the end of the input. */
static bool read_more(server *srv)
{
    if (srv->incap - srv->inlen < 65536) {
        size_t cap = srv->incap ? srv->incap * 2 : 1 << 17;
        char *p = realloc(srv->in, cap);
        if (!p)
            return false;
        srv->in = p;
        srv->incap = cap;
    }
    ssize_t r;
    do
        r = read(STDIN_FILENO, srv->in + srv->inlen, srv->incap - srv->inlen);
    while (r < 0 && errno == EINTR);
    if (r <= 0)
        return false;
    srv->inlen += (size_t)r;
    return true;
}

/* The stale document due first, and the milliseconds until it is due (-1: none). */
static int next_due(server *srv, doc **due)
{
    *due = NULL;
    double best = 0;
    for (int i = 0; i < srv->ndocs; i++) {
        doc *d = srv->docs[i];
        if (d->stale && (!*due || d->changed_at < best)) {
            *due = d;
            best = d->changed_at;
        }
    }
    if (!*due)
        return -1;
    double wait = best + srv->debounce - now();
    return wait <= 0 ? 0 : (int)(wait * 1000) + 1;
}

static int serve(server *srv)
{
    int status = 1;
    for (;;) {
        const char *body;
        size_t n;
        long used = next_message(srv, &body, &n);
        if (used < 0) {
            fprintf(stderr, "axon lsp: not a protocol message header; stopping\n");
            return 1;
        }
        if (used > 0) {
            json_tokener *tok = json_tokener_new();
            json_object *msg = tok ? json_tokener_parse_ex(tok, body, (int)n) : NULL;
            bool bad = !tok || json_tokener_get_error(tok) != json_tokener_success ||
                       json_tokener_get_parse_end(tok) != n;
            json_tokener_free(tok);
            consume(srv, (size_t)used);
            if (bad || !json_object_is_type(msg, json_type_object)) {
                reply_error(NULL, bad ? ERR_PARSE : ERR_INVALID_REQUEST,
                            bad ? "the message is not JSON" : "a message is a JSON object");
                json_object_put(msg);
                continue;
            }
            bool go_on = handle(srv, msg, &status);
            json_object_put(msg);
            if (!go_on)
                return status;
            continue;
        }
        doc *due;
        int wait = next_due(srv, &due);
        if (wait == 0) {
            check_doc(srv, due);
            continue;
        }
        struct pollfd pf = {.fd = STDIN_FILENO, .events = POLLIN};
        int r = poll(&pf, 1, wait);
        if (r < 0 && errno == EINTR)
            continue;
        if (r == 0)
            continue; /* a document is due */
        if (!read_more(srv))
            return srv->shutdown ? 0 : 1; /* the client went away */
    }
}

int lsp_main(int argc, char **argv)
{
    double debounce = 0.2;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--debounce") && i + 1 < argc) {
            char *e;
            long ms = strtol(argv[++i], &e, 10);
            if (*e || ms < 0 || ms > 10000) {
                fprintf(stderr, "axon lsp: --debounce takes milliseconds (0 to 10000)\n");
                return 2;
            }
            debounce = (double)ms / 1000;
        } else if (!strcmp(argv[i], "--stdio")) {
            /* what editors pass to say how to talk: stdio is the only way */
        } else {
            fprintf(stderr,
                    "axon lsp: unknown option '%s'\nTry 'axon help lsp' for more "
                    "information.\n",
                    argv[i]);
            return 2;
        }
    }
    signal(SIGPIPE, SIG_IGN);
    server srv = {.debounce = debounce};
    srv.s = axonc_session_new(&(axonc_options){
        .on_diag = on_diag,
        .user = &srv,
        .stdlib_dir = getenv("AXON_STDLIB"),
        .import_path = getenv("AXON_PATH"),
        .no_extern_load = 1,
    });
    if (!srv.s) {
        fprintf(stderr, "axon lsp: out of memory\n");
        return 1;
    }
    axonc_session_set_reader(srv.s, read_open_file, &srv);
    int status = serve(&srv);
    for (int i = 0; i < srv.ndocs; i++)
        free_doc(srv.docs[i]);
    axonc_session_free(srv.s);
    free(srv.docs);
    free(srv.in);
    return status;
}
