/*
 * Data a model takes from lists and files when it is built: the synapses of
 * `connect from "edges.csv"` and the spikes of spike sources. Both are read
 * and checked here, once, and end up as constant arrays in the generated code.
 *
 * Connections. The file has a header naming the columns: `i` and `j` (the pre
 * and post indices) and, optionally, per-synapse parameters or state of the
 * synapse (`w:nS`: values in nS; no unit: SI). The synapses are sorted by
 * (i, j), which is the order the runtime stores them in (CSR by pre, posts
 * ascending), so the column values are indexed by the synapse number in the
 * init kernel. A pair listed twice is an error.
 *
 * Spike sources. Each spike (i, T) is emitted in step round(T / dt) - 1: a
 * spike found in step n is stamped (n + 1) dt (model.h), so the recorded time
 * is T on the grid, and a synapse with delay d makes it felt from T + d on,
 * as a neuron's spike at T would. The spikes of neuron i, in step order, are
 * entries [off[i], off[i+1]) of a table of times n dt; a hidden per-neuron
 * cursor `_next` points at neuron i's next spike. The neuron fires when
 * times[_next] <= t (with half a step of slack for rounding), and the cursor
 * then moves on (an event), so a step costs two loads per neuron.
 */
#include "lower/ir.h"
#include "sema/table.h"

#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* A whole number in [0, n) at value (row, col) of a table. */
static bool tab_index(diag_ctx *d, const tab *t, long row, int col, const ir_pop *p, long *out)
{
    double v = t->v[row * t->ncols + col];
    if (v != floor(v)) {
        diag_error(d, tab_span(t, row, col), "a neuron index must be a whole number");
        return false;
    }
    if (v < 0 || v >= p->size) {
        if (p->size_bad) /* its size was refused, and said so */
            return false;
        diag_error(d, tab_span(t, row, col), "neuron %.0f does not exist: %s has %d neuron%s, "
                   "numbered 0 to %d", v, p->name, p->size, p->size == 1 ? "" : "s", p->size - 1);
        return false;
    }
    *out = (long)v;
    return true;
}

static sx_table *new_table(ax_arena *ar, const char *path, long nrows, const double *v)
{
    sx_table *st = arena_alloc(ar, sizeof *st);
    st->path = path;
    st->nrows = nrows;
    st->ncols = 1;
    st->v = v;
    return st;
}

/* ---- connections ------------------------------------------------------------------------ */

typedef struct {
    uint64_t key; /* pre << 32 | post */
    long row;     /* in the file */
} edge_key;

static int cmp_edge(const void *a, const void *b)
{
    const edge_key *x = a, *y = b;
    if (x->key != y->key)
        return x->key < y->key ? -1 : 1;
    return (x->row > y->row) - (x->row < y->row);
}

bool ir_edges(ax_arena *ar, diag_ctx *d, ir_proj *pj, const ir_pop *pre, const ir_pop *post,
              const tab *tb, sx **vals)
{
    const sm_type *t = pj->syn;
    int ci = tab_col_index(tb, "i"), cj = tab_col_index(tb, "j");
    bool ok = true;
    if (ci < 0 || cj < 0) {
        diag_error(d, tb->cols[0].span, "'%s' needs columns 'i' and 'j' (the pre and post "
                   "indices)", tb->path);
        diag_hint(d, "the first row names the columns, for example: i,j,w:nS");
        return false;
    }
    int *var = arena_alloc(ar, (size_t)tb->ncols * sizeof *var);
    for (int c = 0; c < tb->ncols; c++) {
        const tab_col *col = &tb->cols[c];
        var[c] = -1;
        if (c == ci || c == cj) {
            if (col->has_unit) {
                diag_error(d, col->span, "a neuron index has no unit");
                ok = false;
            }
            continue;
        }
        if (!strcmp(col->name, "delay")) {
            if (col->has_unit && !dim_eq(col->unit.dim, DIM_TIME)) {
                char a[96];
                diag_error(d, col->span, "a delay is a time, but this column is %s",
                           dim_describe(col->unit.dim, a, sizeof a));
                diag_hint(d, "name the column with a time unit: delay:ms");
                ok = false;
            }
            var[c] = -2; /* the per-synapse delays */
            continue;
        }
        int v = sm_find_var(t, col->name);
        if (v < 0 || (t->vars[v].kind != VAR_STATE &&
                      !(t->vars[v].kind == VAR_PARAM && t->vars[v].per_item))) {
            if (v >= 0 && t->vars[v].kind == VAR_PARAM)
                diag_error(d, col->span, "'%s' is shared by every synapse of %s: it cannot "
                           "have a value per synapse", col->name, t->name);
            else
                diag_error(d, col->span, "%s has no per-synapse parameter '%s'", t->name,
                           col->name);
            ok = false;
            continue;
        }
        if (col->has_unit && !dim_eq(col->unit.dim, t->vars[v].dim)) {
            char a[96], b[96];
            diag_error(d, col->span, "'%s' of %s is %s, but this column is %s", col->name,
                       t->name, dim_describe(t->vars[v].dim, a, sizeof a),
                       dim_describe(col->unit.dim, b, sizeof b));
            ok = false;
            continue;
        }
        var[c] = v;
    }
    long n = tb->nrows;
    edge_key *e = malloc((size_t)(n + 1) * sizeof *e);
    for (long r = 0; r < n && ok; r++) {
        long a, b;
        if (!tab_index(d, tb, r, ci, pre, &a) || !tab_index(d, tb, r, cj, post, &b)) {
            ok = false;
            break;
        }
        e[r] = (edge_key){(uint64_t)a << 32 | (uint64_t)b, r};
    }
    if (ok) {
        qsort(e, (size_t)n, sizeof *e, cmp_edge);
        for (long k = 1; k < n; k++)
            if (e[k].key == e[k - 1].key) {
                diag_error(d, tab_row_span(tb, e[k].row), "the synapse %u -> %u is listed twice",
                           (unsigned)(e[k].key >> 32), (unsigned)(e[k].key & 0xffffffffu));
                diag_note(d, tab_row_span(tb, e[k - 1].row), "first listed here");
                ok = false;
                break;
            }
    }
    if (ok) {
        pj->nedges = n;
        pj->edge_pre = arena_alloc(ar, (size_t)(n + 1) * sizeof *pj->edge_pre);
        pj->edge_post = arena_alloc(ar, (size_t)(n + 1) * sizeof *pj->edge_post);
        for (long k = 0; k < n; k++) {
            pj->edge_pre[k] = (uint32_t)(e[k].key >> 32);
            pj->edge_post[k] = (uint32_t)(e[k].key & 0xffffffffu);
        }
        for (int c = 0; c < tb->ncols; c++) {
            if (var[c] == -1)
                continue;
            double *v = arena_alloc(ar, (size_t)(n + 1) * sizeof *v); /* zeroed */
            for (long k = 0; k < n; k++)
                v[k] = tb->v[e[k].row * tb->ncols + c] * tb->cols[c].unit.scale;
            if (var[c] == -2) { /* delays: synapse s of the delays kernel is row s */
                for (long k = 0; k < n; k++)
                    if (!(v[k] >= 0)) {
                        diag_error(d, tab_row_span(tb, e[k].row), "a delay cannot be negative");
                        ok = false;
                        break;
                    }
                const char *path = arena_printf(ar, "%s:delay (%s)", tb->path, pj->name);
                sx *x = sx_table_at(ar, new_table(ar, path, n ? n : 1, v), NULL, NULL);
                x->dim = DIM_TIME;
                pj->delay = x;
                continue;
            }
            const char *path = arena_printf(ar, "%s:%s (%s)", tb->path, tb->cols[c].name, pj->name);
            /* the init kernel's value of synapse s: row s of the column */
            sx *x = sx_table_at(ar, new_table(ar, path, n ? n : 1, v), NULL, NULL);
            x->dim = t->vars[var[c]].dim;
            vals[var[c]] = x;
        }
    }
    free(e);
    return ok;
}

/* ---- spike sources ------------------------------------------------------------------------ */

typedef struct {
    long i;
    long step;  /* emitted in this step */
    long order; /* as listed */
    ax_span span;
} spike_at;

static int cmp_spike(const void *a, const void *b)
{
    const spike_at *x = a, *y = b;
    if (x->i != y->i)
        return x->i < y->i ? -1 : 1;
    if (x->step != y->step)
        return x->step < y->step ? -1 : 1;
    return (x->order > y->order) - (x->order < y->order);
}

/* The step of a spike at time T (s); false (reported) when there is none. */
static bool spike_step(diag_ctx *d, ax_span sp, double T, double dt, long *step)
{
    double n = nearbyint(T / dt) - 1;
    if (!(T >= 0) || n < 0) {
        diag_error(d, sp, "a spike time must be at least one time step (dt = %g ms), not %g ms",
                   dt * 1e3, T * 1e3);
        diag_hint(d, "a spike is stamped at the end of the step that emits it, so the first "
                     "possible spike time is dt");
        return false;
    }
    if (n > 9e15) {
        diag_error(d, sp, "this spike time is too far in the future");
        return false;
    }
    *step = (long)n;
    return true;
}

bool ir_spike_source(ax_arena *ar, diag_ctx *d, ir_pop *p, const ir_spike_in *in, long n,
                     double dt, const char *what)
{
    spike_at *s = malloc((size_t)(n + 1) * sizeof *s);
    bool ok = true;
    for (long k = 0; k < n; k++) {
        s[k] = (spike_at){in[k].i, 0, k, in[k].span};
        ok &= spike_step(d, in[k].tspan, in[k].t, dt, &s[k].step);
    }
    if (ok) {
        qsort(s, (size_t)n, sizeof *s, cmp_spike);
        for (long k = 1; k < n; k++)
            if (s[k].i == s[k - 1].i && s[k].step == s[k - 1].step) {
                diag_error(d, s[k].span, "neuron %ld of %s has two spikes in the step that ends "
                           "at %g ms", s[k].i, p->name, (double)(s[k].step + 1) * dt * 1e3);
                diag_note(d, s[k - 1].span, "the other one");
                diag_hint(d, "a neuron spikes at most once per step (dt = %g ms)", dt * 1e3);
                ok = false;
                break;
            }
    }
    if (!ok) {
        free(s);
        return false;
    }
    /* off[i] .. off[i+1]: neuron i's spikes; times[n] a sentinel no step reaches */
    double *off = arena_alloc(ar, (size_t)(p->size + 1) * sizeof *off);
    double *times = arena_alloc(ar, (size_t)(n + 1) * sizeof *times);
    for (long k = 0; k < n; k++) {
        off[s[k].i + 1]++;
        times[k] = (double)s[k].step * dt;
    }
    times[n] = HUGE_VAL;
    for (int i = 0; i < p->size; i++)
        off[i + 1] += off[i];
    free(s);
    const sx_table *toff = new_table(ar, arena_printf(ar, "%s: %s offsets", p->name, what),
                                     p->size + 1, off);
    const sx_table *ttimes = new_table(ar, arena_printf(ar, "%s: %s", p->name, what), n + 1, times);
    /* the cursor */
    int slot = p->nvars;
    p->vars = arena_grow(ar, p->vars, (size_t)p->nvars, (size_t)p->nvars + 1, sizeof *p->vars);
    sx *i = sx_var(ar, VS_INDEX_I, 0, "i", DIM_NONE);
    p->vars[p->nvars++] =
        (ir_var){"_next", IRV_HIDDEN, -1, DIM_NONE, false, sx_table_at(ar, toff, i, NULL), 0};
    sx *next = sx_var(ar, VS_HIDDEN, slot, "_next", DIM_NONE);
    sx *one = sx_const(ar, 1, DIM_NONE);
    sx *t = sx_var(ar, VS_TIME, 0, "t", DIM_TIME);
    sx *now = sx_add(ar, t, sx_const(ar, 0.5 * dt, DIM_TIME));
    sx *due = sx_bin(ar, SX_AND,
                     sx_bin(ar, SX_LT, next, sx_table_at(ar, toff, sx_add(ar, i, one), NULL)),
                     sx_bin(ar, SX_LE, sx_table_at(ar, ttimes, next, NULL), now));
    p->spike = p->spike ? sx_bin(ar, SX_OR, p->spike, due) : due;
    sm_stmt *adv = arena_alloc(ar, sizeof *adv);
    adv->kind = ST_ASSIGN;
    adv->op = OP_ADD_ASSIGN;
    adv->space = VS_HIDDEN;
    adv->idx = slot;
    adv->name = "_next";
    adv->value = one;
    adv->span = p->span;
    p->events = arena_grow(ar, p->events, (size_t)p->nevents, (size_t)p->nevents + 1,
                           sizeof *p->events);
    /* an unnamed event: no flag (instance.c) */
    p->event_flag = arena_grow(ar, p->event_flag, (size_t)p->nevents, (size_t)p->nevents + 1,
                               sizeof *p->event_flag);
    p->event_flag[p->nevents] = -1;
    sm_event ev = {due, {NULL, 0}, p->span, NULL};
    ev.body.v = arena_alloc(ar, sizeof *ev.body.v);
    ev.body.v[ev.body.n++] = adv;
    p->events[p->nevents++] = ev;
    return true;
}

bool ir_spikes_file(ax_arena *ar, diag_ctx *d, const ir_pop *p, ax_span from, const char *name,
                    ir_spike_in **out, long *nout)
{
    tab *tb = tab_read(ar, d, from, name, TAB_HEADER);
    if (!tb)
        return false;
    int ci = tab_col_index(tb, "i"), ct = tab_col_index(tb, "t");
    if (ci < 0 || ct < 0 || tb->ncols != 2) {
        diag_error(d, tb->cols[0].span, "'%s' needs two columns: 'i' (the neuron) and 't' "
                   "(the time)", tb->path);
        diag_hint(d, "the first row names the columns, for example: i,t:ms");
        return false;
    }
    if (tb->cols[ci].has_unit) {
        diag_error(d, tb->cols[ci].span, "a neuron index has no unit");
        return false;
    }
    if (tb->cols[ct].has_unit && !dim_eq(tb->cols[ct].unit.dim, DIM_TIME)) {
        char a[96];
        diag_error(d, tb->cols[ct].span, "spike times must be times, not %s",
                   dim_describe(tb->cols[ct].unit.dim, a, sizeof a));
        return false;
    }
    ir_spike_in *s = arena_alloc(ar, (size_t)(tb->nrows + 1) * sizeof *s);
    for (long r = 0; r < tb->nrows; r++) {
        long i;
        if (!tab_index(d, tb, r, ci, p, &i))
            return false;
        s[r] = (ir_spike_in){i, tb->v[r * 2 + ct] * tb->cols[ct].unit.scale, tab_row_span(tb, r),
                             tab_span(tb, r, ct)};
    }
    *out = s;
    *nout = tb->nrows;
    return true;
}
