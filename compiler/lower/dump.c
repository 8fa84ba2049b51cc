/* `axon dump ir`: the instantiated model in readable form. */
#include "lower/ir.h"

#include <string.h>

/* where the dump goes, and whether an expression could not be printed (out of memory) */
typedef struct {
    FILE *f;
    bool oom;
} dump_out;

static const char *var_name(const ir_pop *p, int space, int idx)
{
    if (space == VS_HIDDEN)
        return p->vars[idx].name;
    return idx >= 0 && idx < p->type->nvars ? p->type->vars[idx].name : "?";
}

static void put_expr(dump_out *out, const sx *e)
{
    strbuf sb = {0};
    sx_print(e, &sb);
    if (sb.oom)
        out->oom = true; /* the dump is incomplete */
    else
        fputs(sb.buf ? sb.buf : "", out->f);
    sb_free(&sb);
}

static void put_block(dump_out *out, const sm_block *b, int ind, const char *pre, const char *post)
{
    for (int k = 0; k < b->n; k++) {
        const sm_stmt *st = b->v[k];
        fprintf(out->f, "%*s", ind, "");
        if (st->kind == ST_IF) {
            fputs("if ", out->f);
            put_expr(out, st->cond);
            fputs(" {\n", out->f);
            put_block(out, &st->then, ind + 2, pre, post);
            if (st->els.n) {
                fprintf(out->f, "%*s} else {\n", ind, "");
                put_block(out, &st->els, ind + 2, pre, post);
            }
            fprintf(out->f, "%*s}\n", ind, "");
            continue;
        }
        const char *side = st->space == VS_PRE ? "pre." : st->space == VS_POST ? "post." : "";
        if (st->kind == ST_LET)
            fprintf(out->f, "let %s = ", st->name);
        else
            fprintf(out->f, "%s%s %s ", side, st->name, ast_op_name(st->op));
        put_expr(out, st->value);
        fputc('\n', out->f);
    }
    (void)pre;
    (void)post;
}

/* A shared parameter's value: the number in its slot (param.c), or a value left as it was. */
static void put_shared(dump_out *out, const ir_model *m, const sx *e)
{
    if (e->kind == SX_VAR && e->space == VS_SHARED && e->idx >= 0 && e->idx < m->nshared) {
        sx c = {.kind = SX_CONST, .v = m->shared_vals[e->idx], .boolean = e->boolean};
        put_expr(out, &c);
    } else {
        put_expr(out, e);
    }
}

static const char *unit_of(ax_dim d, bool boolean, char *buf, size_t n)
{
    if (boolean)
        return "condition";
    /* values in the IR are SI: label them so */
    return dim_si_name(d, buf, n);
}

static void dump_pop(dump_out *out, const ir_model *m, const ir_pop *p)
{
    char u[64];
    fprintf(out->f, "population %s = %s[%d]\n", p->name, p->type_name, p->size);
    for (int v = 0; v < p->type->nvars; v++) {
        const sm_var *sv = &p->type->vars[v];
        if (sv->kind == VAR_PARAM && !sv->per_item && p->shared[v]) {
            fprintf(out->f, "  shared  %-12s %-10s = ", sv->name,
                    unit_of(sv->dim, sv->boolean, u, sizeof u));
            put_shared(out, m, p->shared[v]);
            fputc('\n', out->f);
        }
    }
    for (int k = 0; k < p->nvars; k++) {
        const ir_var *v = &p->vars[k];
        static const char *const KIND[] = {"state", "param", "input", "hidden"};
        fprintf(out->f, "  %-7s %-12s %-10s", KIND[v->kind], v->name,
                unit_of(v->dim, v->boolean, u, sizeof u));
        if (v->init) {
            fputs(" init ", out->f);
            put_expr(out, v->init);
        }
        fputc('\n', out->f);
    }
    fprintf(out->f, "  scheme %s (%s)\n", ir_scheme_name(p->scheme), p->scheme_why);
    for (int k = 0; k < m->nprops; k++) {
        const ir_propagator *pr = &m->props[k];
        if (&m->pops[pr->pop] != p)
            continue;
        /* A's rows, the order of Phi's and Gamma's */
        fputs("  Phi = exp(A dt), Gamma = integral of exp(A s) over [0, dt], A = [", out->f);
        for (int i = 0; i < pr->n * pr->n; i++) {
            fputs(i == 0 ? "" : i % pr->n == 0 ? "; " : ", ", out->f);
            put_expr(out, pr->A[i]);
        }
        fputs("]\n", out->f);
    }
    for (int k = 0; k < p->nselects; k++) {
        const ir_select *sel = &p->selects[k];
        fprintf(out->f, "  topk %s = %s among the ", p->vars[sel->flag].name, p->vars[sel->src].name);
        if (sel->k_slot >= 0)
            fprintf(out->f, "k (shared value %d) ", sel->k_slot);
        else
            fprintf(out->f, "%.0f ", sel->k);
        fputs("largest, before the update (ties: lower index first)\n", out->f);
    }
    if (p->update.n)
        fputs("  update:\n", out->f);
    for (int k = 0; k < p->update.n; k++) {
        const ir_assign *a = &p->update.v[k];
        if (a->space == VS_TEMP)
            fprintf(out->f, "    %s = ", a->name);
        else
            fprintf(out->f, "    %s <- ", var_name(p, a->space, a->idx));
        put_expr(out, a->value);
        fputc('\n', out->f);
    }
    if (p->fire) {
        fputs("  spike when ", out->f);
        /* drawn as gaps (scheme.c): the condition as written, and the pass's trigger */
        put_expr(out, p->gap_var >= 0 ? p->spike : p->fire);
        if (p->gap_var >= 0) {
            fputs("\n    (drawn as geometric gaps: _gap counts the steps to the next spike; "
                  "drawn again when ", out->f);
            put_expr(out, p->fire);
            fputc(')', out->f);
        }
        fputc('\n', out->f);
        put_block(out, &p->reset, 4, "", "");
    }
    for (int e = 0; e < p->nevents; e++) {
        if (p->events[e].name)
            fprintf(out->f, "  event %s when ", p->events[e].name);
        else
            fputs("  on ", out->f);
        put_expr(out, p->events[e].cond);
        fputc('\n', out->f);
        put_block(out, &p->events[e].body, 4, "", "");
    }
    for (int k = 0; k < p->npinputs; k++) {
        const ir_pinput *in = &p->pinputs[k];
        fprintf(out->f, "  poisson input %s += %.12g * binomial(%.12g, %.12g) after the step\n",
                p->type->vars[in->var].name, in->w, in->n, in->p);
    }
    if (p->output) {
        fprintf(out->f, "  output %s = ", p->type->output_name);
        put_expr(out, p->output);
        fputc('\n', out->f);
    }
}

static const char *const CONN[] = {"all_to_all", "one_to_one", "random", "fixed_indegree",
                                   "fixed_outdegree", "where", "from"};

static void dump_proj(dump_out *out, const ir_model *m, const ir_proj *p)
{
    char u[64];
    fprintf(out->f, "projection %s: %s -> %s : %s\n", p->name, m->pops[p->pre].name,
            m->pops[p->post].name, p->syn->name);
    fprintf(out->f, "  connect %s", CONN[p->conn]);
    if (p->conn == CONN_FILE)
        fprintf(out->f, " \"%s\"", p->file);
    else if (p->conn_arg) {
        fputc(' ', out->f);
        put_expr(out, p->conn_arg);
    }
    if (!p->autapses)
        fputs(" (no autapses)", out->f);
    fputc('\n', out->f);
    if (p->via >= 0)
        fprintf(out->f, "  via %s by %s (%s)\n", m->pops[p->via].name, p->via_pre ? "pre" : "post",
                p->syn->via);
    if (p->delay) {
        fputs("  delay ", out->f);
        put_expr(out, p->delay);
        fputc('\n', out->f);
    }
    for (int v = 0; v < p->syn->nvars; v++) {
        const sm_var *sv = &p->syn->vars[v];
        /* shared, or one number for every synapse that nothing changes (stored once) */
        if (sv->kind == VAR_PARAM && p->shared[v]) {
            /* the reference's name: RULE_name when two rules have the name */
            const sx *r = p->shared[v];
            const char *name = r->kind == SX_VAR && r->space == VS_SHARED ? r->name : sv->name;
            fprintf(out->f, "  shared  %-12s %-10s = ", name, unit_of(sv->dim, sv->boolean, u, sizeof u));
            put_shared(out, m, p->shared[v]);
            fputc('\n', out->f);
        }
    }
    if (p->learning) {
        fprintf(out->f, "  shared  %-12s %-10s = ", "learning", "condition");
        put_shared(out, m, p->learning);
        fputs("   (the learning rules' switch)\n", out->f);
    }
    for (int k = 0; k < p->nvars; k++) {
        const ir_var *v = &p->vars[k];
        fprintf(out->f, "  %-7s %-12s %-10s",
                v->kind == IRV_STATE ? "state" : v->kind == IRV_HIDDEN ? "hidden" : "param",
                v->name, unit_of(v->dim, v->boolean, u, sizeof u));
        const ir_synvar *sv = p->sv ? &p->sv[k] : NULL;
        ir_side side = sv ? sv->side : IRS_SYN;
        if (v->init && side == IRS_SYN) {
            fputs(" init ", out->f);
            put_expr(out, v->init);
        }
        if (side != IRS_SYN)
            fprintf(out->f, " stored per %s neuron",
                    side == IRS_PRE ? "presynaptic" : "postsynaptic");
        fputc('\n', out->f);
        if (sv && sv->ode >= 0) {
            fprintf(out->f, "    %s' = ", v->name);
            bool a = !sx_is_zero(sv->ode_a), b = !sx_is_zero(sv->ode_b);
            if (a || !b)
                put_expr(out, sv->ode_a);
            if (b) {
                fputs(a ? " + (" : "(", out->f);
                put_expr(out, sv->ode_b);
                fprintf(out->f, ") * %s", v->name);
            }
            if (sv->noise) {
                fputs(" + noise ", out->f);
                put_expr(out, sv->noise);
                fputs(sv->euler ? "   (every step: Euler-Maruyama, the drift not linear)\n"
                                : "   (every step: exponential Euler; the noise's exact variance "
                                  "over dt)\n",
                      out->f);
            } else {
                /* (postsynaptic traces of ir_clock_traces: multiplied every step) */
                const char *how =
                    !sv->event_driven
                        ? (sv->euler ? "every step: forward Euler, the drift not linear"
                                     : "every step: exponential Euler")
                    : side == IRS_POST && p->post_clock
                        ? "event-driven: advanced by its exact one-step factor in "
                          "every step"
                        : "event-driven: solved exactly at each event";
                fprintf(out->f, "   (%s)\n", how);
            }
        }
    }
    const struct {
        const char *name;
        const sm_block *b;
    } H[] = {{"on pre", &p->on_pre}, {"on post", &p->on_post}, {"continuous", &p->continuous},
             {"every step", &p->every_step}};
    for (int h = 0; h < 4; h++)
        if (H[h].b->n) {
            fprintf(out->f, "  %s:\n", H[h].name);
            put_block(out, H[h].b, 4, "", "");
        }
    for (int e = 0; e < p->nevh; e++) {
        fprintf(out->f, "  on post.%s:\n", p->evh[e].name);
        put_block(out, &p->evh[e].body, 4, "", "");
    }
    if (p->structural) {
        fprintf(out->f, "  structure every %u steps (after every step):\n", p->struct_steps);
        put_block(out, &p->structure, 4, "", "");
    }
}

static void dump_model(dump_out *out, const ir_model *m)
{
    char nb[32];
    fprintf(out->f, "# values in SI units; in 'update', every right-hand side reads the values\n"
                 "# of the start of the step\n");
    fprintf(out->f, "module %s (dt = %s s", m->module, fmt_double(nb, m->dt));
    if (m->duration > 0)
        fprintf(out->f, ", run for %s s", fmt_double(nb, m->duration));
    fputs(")\n", out->f);
    for (int i = 0; i < m->npops; i++)
        dump_pop(out, m, &m->pops[i]);
    for (int i = 0; i < m->nprojs; i++)
        dump_proj(out, m, &m->projs[i]);
    for (int i = 0; i < m->nsignals; i++) {
        fprintf(out->f, "signal %s = ", m->signals[i].name);
        if (m->signals[i].value)
            put_expr(out, m->signals[i].value);
        else
            fprintf(out->f, "mean of %s.%s", m->pops[m->signals[i].pop].name,
                    m->pops[m->signals[i].pop].vars[m->signals[i].var].name);
        fputc('\n', out->f);
    }
    static const char *const RK[] = {"spikes", "state", "rate", "weights", "spike values"};
    for (int i = 0; i < m->nrecords; i++) {
        const ir_record *r = &m->records[i];
        const char *target = r->kind == REC_WEIGHTS ? m->projs[r->target].name
                                                    : m->pops[r->target].name;
        fprintf(out->f, "record %s %s", RK[r->kind], target);
        if (r->var >= 0) /* a state variable, a synapse variable or a copy taken at spikes */
            fprintf(out->f, ".%s", r->kind != REC_WEIGHTS ? m->pops[r->target].vars[r->var].name
                                                       : m->projs[r->target].vars[r->var].name);
        if (r->nsubset) {
            fputs(" [", out->f);
            for (int k = 0; k < r->nsubset && k < 8; k++)
                fprintf(out->f, "%s%d", k ? ", " : "", r->subset[k]);
            if (r->nsubset > 8)
                fprintf(out->f, ", ... (%d)", r->nsubset);
            fputc(']', out->f);
        }
        if (r->every > 0)
            fprintf(out->f, " every %s s", fmt_double(nb, r->every));
        fputc('\n', out->f);
    }
    for (int i = 0; i < m->nevents; i++) {
        const ir_event *e = &m->events[i];
        char nv[32];
        fprintf(out->f, "protocol: before step %llu (t = %.9g s): %s = %s\n",
                (unsigned long long)e->step, (double)e->step * m->dt,
                m->params[e->param].name, fmt_double(nv, e->value));
    }
}

bool ir_dump(const ir_model *m, FILE *f)
{
    dump_out out = {f, false};
    dump_model(&out, m);
    return !out.oom;
}
