#include "diag.h"

#include "util.h"

#include <ctype.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

typedef struct {
    char *name;
    char *text;
    size_t len;
} src_file;

typedef struct {
    diag_level level;
    ax_span span;
    char *msg;
    bool is_hint; /* attached hint (no location) */
    bool attached; /* a note or hint belonging to the previous diagnostic */
} diag_item;

struct diag_ctx {
    src_file *files;
    int nfiles, capfiles;
    diag_item *items;
    int n, cap;
    int errors, warnings, dropped;
    bool werror;
    bool dropping; /* the last main diagnostic was dropped: drop its notes too */
    const ax_oom *oom;
};

void diag_set_oom(diag_ctx *d, const ax_oom *oom) { d->oom = oom; }

static _Noreturn void out_of_memory(const diag_ctx *d)
{
    if (d->oom && d->oom->jump)
        longjmp(*d->oom->jump, 1);
    abort();
}

enum { MAX_REPORTED = 100 };

const ax_span SPAN_NONE = {-1, 0, 0, 0, 0, 0, 0};

diag_ctx *diag_new(void)
{
    return calloc(1, sizeof(diag_ctx)); /* NULL when out of memory */
}

void diag_free(diag_ctx *d)
{
    if (!d)
        return;
    for (int i = 0; i < d->nfiles; i++) {
        free(d->files[i].name);
        free(d->files[i].text);
    }
    for (int i = 0; i < d->n; i++)
        free(d->items[i].msg);
    free(d->files);
    free(d->items);
    free(d);
}

int diag_adopt_file(diag_ctx *d, const char *name, char *text, size_t len)
{
    if (d->nfiles == d->capfiles) {
        int cap = d->capfiles ? d->capfiles * 2 : 8;
        src_file *files = realloc(d->files, (size_t)cap * sizeof *d->files);
        if (!files) {
            free(text);
            out_of_memory(d);
        }
        d->files = files;
        d->capfiles = cap;
    }
    src_file *f = &d->files[d->nfiles];
    f->name = strdup(name);
    if (!f->name) {
        free(text);
        out_of_memory(d);
    }
    f->text = text;
    f->len = len;
    return d->nfiles++;
}

int diag_add_file(diag_ctx *d, const char *name, const char *text, size_t len)
{
    char *copy = malloc(len + 1);
    if (!copy)
        out_of_memory(d);
    memcpy(copy, text, len);
    copy[len] = 0;
    return diag_adopt_file(d, name, copy, len);
}

const char *diag_file_name(const diag_ctx *d, int file)
{
    return file >= 0 && file < d->nfiles ? d->files[file].name : "<unknown>";
}

const char *diag_file_text(const diag_ctx *d, int file, size_t *len)
{
    if (file < 0 || file >= d->nfiles)
        return NULL;
    if (len)
        *len = d->files[file].len;
    return d->files[file].text;
}

int diag_file_count(const diag_ctx *d) { return d->nfiles; }

static char *vformat(const char *fmt, va_list ap)
{
    strbuf sb = {0};
    sb_vprintf(&sb, fmt, ap);
    return sb_take(&sb);
}

static void push(diag_ctx *d, diag_item it)
{
    if (d->n == d->cap) {
        d->cap = d->cap ? d->cap * 2 : 16;
        diag_item *items = realloc(d->items, (size_t)d->cap * sizeof *d->items);
        if (!items)
            out_of_memory(d);
        d->items = items;
    }
    d->items[d->n++] = it;
}

int diag_report(diag_ctx *d, diag_level lvl, ax_span sp, const char *fmt, ...)
{
    if (lvl == DIAG_WARNING && d->werror)
        lvl = DIAG_ERROR;
    if (lvl == DIAG_ERROR)
        d->errors++;
    else if (lvl == DIAG_WARNING)
        d->warnings++;
    if (d->errors + d->warnings > MAX_REPORTED) {
        d->dropped++;
        d->dropping = true;
        return -1;
    }
    d->dropping = false;
    va_list ap;
    va_start(ap, fmt);
    diag_item it = {.level = lvl, .span = sp, .msg = vformat(fmt, ap)};
    va_end(ap);
    push(d, it);
    return d->n - 1;
}

void diag_hint(diag_ctx *d, const char *fmt, ...)
{
    if (d->dropping || d->n == 0)
        return;
    va_list ap;
    va_start(ap, fmt);
    diag_item it = {.level = DIAG_NOTE, .span = SPAN_NONE, .msg = vformat(fmt, ap),
                    .is_hint = true, .attached = true};
    va_end(ap);
    push(d, it);
}

void diag_note(diag_ctx *d, ax_span sp, const char *fmt, ...)
{
    if (d->dropping || d->n == 0)
        return;
    va_list ap;
    va_start(ap, fmt);
    diag_item it = {.level = DIAG_NOTE, .span = sp, .msg = vformat(fmt, ap), .attached = true};
    va_end(ap);
    push(d, it);
}

int diag_error_count(const diag_ctx *d) { return d->errors; }
int diag_warning_count(const diag_ctx *d) { return d->warnings; }
int diag_count(const diag_ctx *d) { return d->n; }
void diag_set_werror(diag_ctx *d, bool on) { d->werror = on; }
const char *diag_message(const diag_ctx *d, int i) { return d->items[i].msg; }
diag_level diag_level_of(const diag_ctx *d, int i) { return d->items[i].level; }
ax_span diag_span(const diag_ctx *d, int i) { return d->items[i].span; }

ax_span span_join(ax_span a, ax_span b)
{
    if (a.file < 0)
        return b;
    if (b.file < 0 || b.file != a.file)
        return a;
    ax_span r = a;
    if (b.end_off > a.end_off) {
        r.end_off = b.end_off;
        r.end_line = b.end_line;
        r.end_col = b.end_col;
    }
    return r;
}

static axonc_loc loc_of(const diag_ctx *d, ax_span sp)
{
    axonc_loc l = {0};
    if (sp.file < 0 || sp.file >= d->nfiles)
        return l;
    const src_file *f = &d->files[sp.file];
    l.file = f->name;
    l.line = sp.line;
    l.col = sp.col;
    l.end_line = sp.end_line;
    l.end_col = sp.end_col;
    if (sp.line <= 0)
        return l;
    size_t off = (size_t)sp.off <= f->len ? (size_t)sp.off : f->len;
    size_t bol = off;
    while (bol > 0 && f->text[bol - 1] != '\n')
        bol--;
    /* a UTF-8 byte order mark (the lexer skips it) is not shown */
    if (bol == 0 && f->len >= 3 && off >= 3 && !memcmp(f->text, "\xEF\xBB\xBF", 3))
        bol = 3;
    size_t eol = off;
    while (eol < f->len && f->text[eol] != '\n' && f->text[eol] != '\r')
        eol++;
    l.line_text = f->text + bol;
    l.line_len = (int)(eol - bol);
    l.mark_begin = (int)(off - bol);
    size_t end = sp.end_line == sp.line ? (size_t)sp.end_off : eol;
    l.mark_end = (int)((end > eol ? eol : end < off ? off : end) - bol);
    return l;
}

/* Length of the group of items starting at i: a diagnostic and its notes and hints. */
int diag_group_len(const diag_ctx *d, int i)
{
    int k = i + 1;
    while (k < d->n && d->items[k].attached)
        k++;
    return k - i;
}

int diag_record(const diag_ctx *d, int i, axonc_diag *rec, axonc_note *notes)
{
    int len = diag_group_len(d, i);
    const diag_item *it = &d->items[i];
    rec->severity = it->level == DIAG_ERROR ? AXONC_ERROR : it->level == DIAG_WARNING
                                                                ? AXONC_WARNING : AXONC_NOTE;
    rec->loc = loc_of(d, it->span);
    rec->message = it->msg;
    rec->nnotes = len - 1;
    rec->notes = notes;
    for (int k = 1; k < len; k++) {
        const diag_item *a = &d->items[i + k];
        notes[k - 1] = (axonc_note){a->is_hint, a->is_hint ? (axonc_loc){0} : loc_of(d, a->span),
                                    a->msg};
    }
    return len;
}

int diag_dropped(const diag_ctx *d) { return d->dropped; }

diag_mark diag_mark_now(const diag_ctx *d)
{
    return (diag_mark){d->n, d->errors, d->warnings, d->dropped};
}

void diag_rollback(diag_ctx *d, diag_mark m)
{
    for (int i = m.n; i < d->n; i++)
        free(d->items[i].msg);
    if (m.n < d->n)
        d->n = m.n;
    d->errors = m.errors;
    d->warnings = m.warnings;
    d->dropped = m.dropped;
    d->dropping = false;
}

/* At most this many bytes of a source line are echoed: a long line (a generated model on one
 * line, a data file with one huge row) is shown as a window around the mark, with "..." for
 * the parts left out, so one diagnostic stays one screen line whatever the input. */
enum { EXCERPT_MAX = 160, EXCERPT_BEFORE = 60 };

/* Prints the source line of a location with a caret under its first column and tildes under
 * the rest of the span (clipped to that line). Tabs are kept in the marker line so the caret
 * lines up in any terminal. */
static void excerpt(strbuf *sb, const axonc_loc *l, bool color)
{
    if (!l->file || l->line <= 0 || !l->line_text)
        return;
    const char *text = l->line_text;
    int len = l->line_len > 0 ? l->line_len : 0;
    int mark = l->mark_begin < len ? l->mark_begin : len;
    int mark_end = l->mark_end > len ? len : l->mark_end;
    int from = 0, to = len;
    if (len > EXCERPT_MAX) {
        from = mark > EXCERPT_BEFORE ? mark - EXCERPT_BEFORE : 0;
        if (from > len - EXCERPT_MAX)
            from = len - EXCERPT_MAX;
        to = from + EXCERPT_MAX;
        /* whole UTF-8 characters only: at most 3 bytes back at either end (a line of
           continuation bytes is no UTF-8, and is cut anywhere) */
        for (int k = 0; k < 3 && from > 0 && ((unsigned char)text[from] & 0xC0) == 0x80; k++)
            from--;
        for (int k = 0; k < 3 && to < len && to - 1 > mark && ((unsigned char)text[to] & 0xC0) == 0x80;
             k++)
            to--;
    }
    const char *pre = from > 0 ? "..." : "";
    char num[16];
    int w = snprintf(num, sizeof num, "%d", l->line);
    sb_printf(sb, " %s | %s", num, pre);
    for (int i = from; i < to; i++) {
        unsigned char c = (unsigned char)text[i];
        /* control bytes would garble the terminal: show them as '?' */
        sb_putc(sb, (c < 32 && c != '\t') || c == 127 ? '?' : (char)c);
    }
    if (to < len)
        sb_puts(sb, "...");
    sb_putc(sb, '\n');
    sb_printf(sb, " %*s | %s", w, "", from > 0 ? "   " : "");
    int start = mark < to ? mark : to;
    for (int i = from; i < start; i++)
        sb_putc(sb, text[i] == '\t' ? '\t' : ' ');
    if (color)
        sb_puts(sb, "\033[1;32m");
    sb_putc(sb, '^');
    int end = mark_end < to ? mark_end : to;
    for (int i = start + 1; i < end; i++)
        sb_putc(sb, '~');
    if (color)
        sb_puts(sb, "\033[0m");
    sb_putc(sb, '\n');
}

static const char *severity_name(axonc_severity l)
{
    return l == AXONC_ERROR ? "error" : l == AXONC_WARNING ? "warning" : "note";
}

static const char *severity_color(axonc_severity l)
{
    return l == AXONC_ERROR ? "\033[1;31m" : l == AXONC_WARNING ? "\033[1;35m" : "\033[1;36m";
}

static void render_line(strbuf *sb, axonc_severity sev, const axonc_loc *l, const char *msg,
                        int flags)
{
    bool color = flags & DIAG_RENDER_COLOR;
    if (color)
        sb_puts(sb, "\033[1m");
    if (l->file)
        sb_printf(sb, "%s:%d:%d: ", l->file, l->line, l->col);
    else
        sb_puts(sb, "axon: ");
    if (color)
        sb_printf(sb, "%s%s:\033[0m\033[1m %s\033[0m\n", severity_color(sev), severity_name(sev),
                  msg);
    else
        sb_printf(sb, "%s: %s\n", severity_name(sev), msg);
    if (!(flags & DIAG_RENDER_BRIEF))
        excerpt(sb, l, color);
}

void diag_render_record(strbuf *sb, const axonc_diag *rec, int flags)
{
    bool color = flags & DIAG_RENDER_COLOR;
    render_line(sb, rec->severity, &rec->loc, rec->message, flags);
    if (flags & DIAG_RENDER_BRIEF)
        return;
    for (int k = 0; k < rec->nnotes; k++) {
        const axonc_note *n = &rec->notes[k];
        if (n->is_hint)
            sb_printf(sb, "%shint:%s %s\n", color ? "\033[1;32m" : "", color ? "\033[0m" : "",
                      n->message);
        else
            render_line(sb, AXONC_NOTE, &n->loc, n->message, flags);
    }
}

/* Are messages a and b the same but for the numbers of elements ("u[0]'" and "u[5]'")? */
static bool same_but_elements(const char *a, const char *b)
{
    while (*a && *a == *b) {
        if (*a == '[' && isdigit((unsigned char)a[1]) && isdigit((unsigned char)b[1])) {
            size_t na = strspn(a + 1, "0123456789"), nb = strspn(b + 1, "0123456789");
            if (a[1 + na] == ']' && b[1 + nb] == ']') {
                a += na + 2;
                b += nb + 2;
                continue;
            }
        }
        a++;
        b++;
    }
    return *a == *b;
}

static bool same_item(const diag_item *a, const diag_item *b)
{
    return a->level == b->level && a->is_hint == b->is_hint && a->span.file == b->span.file &&
           a->span.off == b->span.off && a->span.end_off == b->span.end_off &&
           same_but_elements(a->msg, b->msg);
}

/* Is the group at i a repeat of an earlier one? (A module instantiated twice, or checked
 * alone and inside another, finds its mistakes again; an indexed equation, u[k]' = ...,
 * expanded into one equation per element (sema/vector.c), finds the same mistake at the same
 * place in each, naming its element: u[0]', u[1]', ...) */
bool diag_group_repeated(const diag_ctx *d, int i)
{
    int len = diag_group_len(d, i);
    for (int j = 0; j < i; j += diag_group_len(d, j)) {
        if (diag_group_len(d, j) != len)
            continue;
        int k = 0;
        while (k < len && same_item(&d->items[j + k], &d->items[i + k]))
            k++;
        if (k == len)
            return true;
    }
    return false;
}

char *diag_render_string(const diag_ctx *d, int flags)
{
    strbuf sb = {0};
    for (int i = 0; i < d->n;) {
        int len = diag_group_len(d, i);
        if (!diag_group_repeated(d, i)) {
            axonc_note *notes = calloc((size_t)len, sizeof *notes);
            axonc_diag rec;
            diag_record(d, i, &rec, notes);
            diag_render_record(&sb, &rec, flags);
            free(notes);
        }
        i += len;
    }
    if (d->dropped)
        sb_printf(&sb, "axon: note: %d more diagnostic%s not shown\n", d->dropped,
                  d->dropped == 1 ? "" : "s");
    return sb_take(&sb);
}

void diag_render(const diag_ctx *d, FILE *out, int flags)
{
    char *s = diag_render_string(d, flags);
    fputs(s, out);
    free(s);
}
