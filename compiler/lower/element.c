/*
 * The elements a synapse addresses (`on pre { post.I_d[seg] += w }`): sema (check.c) turns
 * the statement into a search on the synapse's parameter seg (one branch per element), and
 * lists the parameter in the bound type's elem_idx. Here, once a projection's parameter values
 * are known (defaults, arguments, a connection file's columns, the command line's), each is
 * checked as far as it can be told before running: a value that is not a whole number for
 * every synapse (uniform(0, 4) rather than randint(4)) is an error, and so is one that is
 * known exactly (a number, a file's column) and names no element, or that can name none
 * whatever i and j (randint(5) for a vector of 4 elements). The runtime checks every
 * synapse's value after connecting (the parameter's range in the model's parameter table,
 * ir_element_size), so that a drawn value outside the vector stops the run with a message
 * instead of reaching no element.
 */
#include "lower/ir.h"

#include <math.h>

/* Is e a whole number wherever it is evaluated (for every synapse)? */
static bool whole(const sx *e)
{
    if (!e)
        return false;
    switch (e->kind) {
    case SX_CONST: return e->v == floor(e->v) && isfinite(e->v);
    case SX_VAR: return e->space == VS_INDEX_I || e->space == VS_INDEX_J;
    case SX_ADD: case SX_SUB: case SX_MUL: return whole(e->a) && whole(e->b);
    case SX_NEG: return whole(e->a);
    case SX_SELECT: return whole(e->b) && whole(e->c);
    case SX_CALL:
        switch (e->fn) {
        case FN_FLOOR: case FN_CEIL: case FN_ROUND: return true;
        case FN_MOD: case FN_MIN: case FN_MAX: return whole(e->a) && whole(e->b);
        case FN_CLIP: return whole(e->a) && whole(e->b) && whole(e->c);
        case FN_ABS: return whole(e->a);
        default: return false;
        }
    case SX_TABLE: { /* a column of a connection file: every value */
        if (e->a || !e->tab)
            return false;
        long col = 0;
        if (e->b) {
            if (e->b->kind != SX_CONST)
                return false;
            col = (long)e->b->v;
        }
        for (long r = 0; r < e->tab->nrows; r++) {
            double v = sx_table_value(e->tab, (double)r, (double)col);
            if (v != floor(v) || !isfinite(v))
                return false;
        }
        return true;
    }
    default: return false;
    }
}

/* The values e can take, [*lo, *hi], when they follow from its formula alone (constants and
 * uniform draws, as in randint(5)); false when they depend on more (i, j, a file). */
static bool value_range(const sx *e, double *lo, double *hi)
{
    double a0, a1, b0, b1;
    switch (e->kind) {
    case SX_CONST: *lo = *hi = e->v; return isfinite(e->v);
    case SX_RAND:
        *lo = 0, *hi = 1;
        return e->fn == SXR_UNIFORM;
    case SX_NEG:
        if (!value_range(e->a, &a0, &a1))
            return false;
        *lo = -a1, *hi = -a0;
        return true;
    case SX_ADD: case SX_SUB: case SX_MUL:
        if (!value_range(e->a, &a0, &a1) || !value_range(e->b, &b0, &b1))
            return false;
        if (e->kind == SX_ADD) {
            *lo = a0 + b0, *hi = a1 + b1;
        } else if (e->kind == SX_SUB) {
            *lo = a0 - b1, *hi = a1 - b0;
        } else {
            double p[4] = {a0 * b0, a0 * b1, a1 * b0, a1 * b1};
            *lo = fmin(fmin(p[0], p[1]), fmin(p[2], p[3]));
            *hi = fmax(fmax(p[0], p[1]), fmax(p[2], p[3]));
        }
        return true;
    case SX_SELECT:
        if (!value_range(e->b, &a0, &a1) || !value_range(e->c, &b0, &b1))
            return false;
        *lo = fmin(a0, b0), *hi = fmax(a1, b1);
        return true;
    case SX_CALL:
        if (!value_range(e->a, &a0, &a1))
            return false;
        switch (e->fn) {
        case FN_FLOOR: *lo = floor(a0), *hi = floor(a1); return true;
        case FN_CEIL: *lo = ceil(a0), *hi = ceil(a1); return true;
        case FN_ROUND: *lo = round(a0), *hi = round(a1); return true;
        case FN_MIN: case FN_MAX:
            if (!value_range(e->b, &b0, &b1))
                return false;
            *lo = e->fn == FN_MIN ? fmin(a0, b0) : fmax(a0, b0);
            *hi = e->fn == FN_MIN ? fmin(a1, b1) : fmax(a1, b1);
            return true;
        default: return false;
        }
    default: return false;
    }
}

/* The first value of a file's column e outside [0, size), or -1 when there is none. */
static long bad_row(const sx *e, int size, double *value)
{
    if (e->kind != SX_TABLE || e->a || !e->tab || (e->b && e->b->kind != SX_CONST))
        return -1;
    long col = e->b ? (long)e->b->v : 0;
    for (long r = 0; r < e->tab->nrows; r++) {
        *value = sx_table_value(e->tab, (double)r, (double)col);
        if (*value < 0 || *value >= size)
            return r;
    }
    return -1;
}

bool ir_element_indices(diag_ctx *d, const ir_proj *p, const sm_type *t, sx *const *vals)
{
    bool ok = true;
    for (int k = 0; k < t->nelem_idx; k++) {
        const sm_elem_index *el = &t->elem_idx[k];
        const sm_var *v = &t->vars[el->param];
        const sx *e = vals[el->param];
        if (!e) /* a parameter without a value: reported where it is declared */
            continue;
        ax_span at = e->span.file >= 0 ? e->span : p->span;
        double x = e->kind == SX_CONST ? e->v : 0, lo, hi;
        long row = e->kind == SX_CONST ? -1 : bad_row(e, el->size, &x);
        if (!whole(e)) {
            diag_error(d, at, "'%s' of projection '%s' picks the element of 'post.%s', so it "
                              "must be a whole number for every synapse; this value need not "
                              "be one", v->name, p->name, el->vec);
            diag_hint(d, "give whole numbers: randint(%d), j %% %d, floor(...), or a column of "
                         "whole numbers", el->size, el->size);
        } else if (row >= 0) {
            /* the file's synapses are sorted by (i, j): row r is edge r */
            diag_error(d, at, "'%s' of projection '%s' is %g for the synapse %ld -> %ld of the "
                              "file, out of range: 'post.%s' has %d elements (0 to %d)",
                       v->name, p->name, x, row < p->nedges ? (long)p->edge_pre[row] : -1,
                       row < p->nedges ? (long)p->edge_post[row] : -1, el->vec, el->size,
                       el->size - 1);
        } else if (e->kind == SX_CONST && (x < 0 || x >= el->size)) {
            diag_error(d, at, "'%s' of projection '%s' is %g, out of range: 'post.%s' has %d "
                              "elements (0 to %d)", v->name, p->name, x, el->vec, el->size,
                       el->size - 1);
        } else if (e->kind != SX_CONST && value_range(e, &lo, &hi) &&
                   (lo < 0 || hi >= el->size)) {
            diag_error(d, at, "'%s' of projection '%s' can be %g, out of range: 'post.%s' has %d "
                              "elements (0 to %d)", v->name, p->name, hi >= el->size ? hi : lo,
                       el->vec, el->size, el->size - 1);
            diag_hint(d, "randint(%d) draws the elements 0 to %d", el->size, el->size - 1);
        } else {
            continue;
        }
        diag_note(d, el->span, "the element it picks");
        ok = false;
    }
    return ok;
}

int ir_element_size(const sm_type *t, int var)
{
    int size = 0;
    for (int k = 0; k < t->nelem_idx; k++)
        if (t->elem_idx[k].param == var && (size == 0 || t->elem_idx[k].size < size))
            size = t->elem_idx[k].size;
    return size;
}
