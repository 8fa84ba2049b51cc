/*
 * The elements a synapse addresses (`on pre { post.I_d[seg] += w }`): sema (check.c) turns
 * the statement into a search on the synapse's parameter seg (one branch per element), and
 * lists the parameter in the bound type's elem_idx. Here, once a projection's parameter values
 * are known (defaults, arguments, a connection file's columns, the command line's), each is
 * checked as far as it can be told before running: a value that is not a whole number for
 * every synapse (uniform(0, 4) rather than randint(4)) is an error, and so is one that is
 * known exactly (a number, a file's column) and names no element. The runtime checks every
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
        double x = e->kind == SX_CONST ? e->v : 0;
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
