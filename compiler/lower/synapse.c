/*
 * Synapse plans (ir_synapses): how each projection's synapse variables are
 * advanced and where they live.
 *
 * Equations. Every synapse equation x' = f is put in the form
 * x' = A + B * x (sx_linear_in), with the projection's shared values (VS_SHARED).
 * `event-driven` equations are advanced only when an event touches the
 * synapse, over the time since its last update, by the exact solution
 *     x(t + D) = x + (A + B x) D exprel(B D),
 * so A and B must be constants (numbers or per-synapse parameters). Other
 * synapse equations are integrated every step by the same formula with
 * D = dt (exponential Euler: exact when A and B are constant over the step);
 * one whose drift f is not linear in x (Graupner & Brunel's cubic rho') by
 * forward Euler, x + f dt, as A = f and B = 0 (sv->euler). Additive white
 * noise g xi adds g times sqrt(dt exprel(2 B dt)) times a normal draw.
 *
 * Sides. An event-driven variable that only `on pre` changes, whose
 * changes depend only on itself and constants, and that starts at 0 has the
 * same value on every synapse of a presynaptic neuron: it is stored once per
 * presynaptic neuron (IRS_PRE), with one last-update time per neuron; the
 * same for `on post` and postsynaptic neurons (IRS_POST). Pair-STDP traces
 * are of this kind, so an STDP synapse stores only its weight. The others
 * stay per synapse (IRS_SYN) with one last-update time per synapse.
 */
#include "lower/ir.h"

#include "axon/model.h"

#include <stdlib.h>
#include <string.h>

/* Does the block assign variable (VS_STATE, idx)? */
static bool block_writes(const sm_block *b, int idx)
{
    for (int k = 0; k < b->n; k++) {
        const sm_stmt *st = b->v[k];
        if (st->kind == ST_ASSIGN && st->space == VS_STATE && st->idx == idx)
            return true;
        if (st->kind == ST_IF && (block_writes(&st->then, idx) || block_writes(&st->els, idx)))
            return true;
    }
    return false;
}

/* Is e a function of variable idx and numbers only? */
static bool self_only(const sx *e, int idx)
{
    if (!e)
        return true;
    switch (e->kind) {
    case SX_CONST: return true;
    case SX_VAR:
        return (e->space == VS_STATE && e->idx == idx) || e->space == VS_DT ||
               e->space == VS_SHARED || e->space == VS_DERIVED;
    case SX_RAND: return false;
    default:
        return self_only(e->a, idx) && self_only(e->b, idx) && self_only(e->c, idx);
    }
}

/* Are all assignments of idx in b (and the conditions around them) functions of idx alone? */
static bool writes_self_only(const sm_block *b, int idx)
{
    for (int k = 0; k < b->n; k++) {
        const sm_stmt *st = b->v[k];
        if (st->kind == ST_ASSIGN && st->space == VS_STATE && st->idx == idx &&
            !self_only(st->value, idx))
            return false;
        if (st->kind == ST_IF && (block_writes(&st->then, idx) || block_writes(&st->els, idx)) &&
            (!self_only(st->cond, idx) || !writes_self_only(&st->then, idx) ||
             !writes_self_only(&st->els, idx)))
            return false;
    }
    return true;
}

/* A and B of an event-driven equation may use numbers and parameters (per synapse, shared). */
static bool constant_coefficient(const sx *e)
{
    if (!e)
        return true;
    switch (e->kind) {
    case SX_CONST: return true;
    case SX_VAR:
        return e->space == VS_PARAM || e->space == VS_DT || e->space == VS_SHARED ||
               e->space == VS_DERIVED;
    case SX_RAND: return false;
    default:
        return constant_coefficient(e->a) && constant_coefficient(e->b) &&
               constant_coefficient(e->c);
    }
}

static int add_hidden(ax_arena *ar, ir_proj *p, const char *name, ir_side side)
{
    p->vars = arena_grow(ar, p->vars, (size_t)p->nvars, (size_t)p->nvars + 1, sizeof *p->vars);
    p->sv = arena_grow(ar, p->sv, (size_t)p->nvars, (size_t)p->nvars + 1, sizeof *p->sv);
    p->vars[p->nvars] = (ir_var){name, IRV_HIDDEN, -1, DIM_TIME, false, NULL, 0};
    p->sv[p->nvars] = (ir_synvar){side, -1, false, NULL, NULL, NULL, false};
    return p->nvars++;
}

/* The statements of b that assign variables of one side (and the ifs around them). */
static sm_block side_only(ax_arena *ar, const sm_block *b, const ir_proj *p, ir_side side)
{
    sm_block r = {0};
    if (!b->n)
        return r;
    r.v = arena_alloc(ar, (size_t)b->n * sizeof *r.v);
    for (int k = 0; k < b->n; k++) {
        const sm_stmt *st = b->v[k];
        if (st->kind == ST_ASSIGN && st->space == VS_STATE && st->idx >= 0 &&
            st->idx < p->syn->nvars && p->slot[st->idx] >= 0 &&
            p->sv[p->slot[st->idx]].side == side) {
            r.v[r.n++] = (sm_stmt *)st;
        } else if (st->kind == ST_IF) {
            sm_block th = side_only(ar, &st->then, p, side), el = side_only(ar, &st->els, p, side);
            if (th.n || el.n) {
                sm_stmt *c = arena_alloc(ar, sizeof *c);
                *c = *st;
                c->then = th;
                c->els = el;
                r.v[r.n++] = c;
            }
        }
    }
    return r;
}

/* Signal indices relative to the declaring module -> the model's. */
static sx *remap_sx(ax_arena *ar, sx *e, int base)
{
    if (!e || base == 0 || !sx_uses(e, VS_SIGNAL, -1))
        return e;
    sx *c = arena_alloc(ar, sizeof *c);
    *c = *e;
    if (e->kind == SX_VAR) {
        c->idx += base;
        return c;
    }
    c->a = remap_sx(ar, e->a, base);
    c->b = remap_sx(ar, e->b, base);
    c->c = remap_sx(ar, e->c, base);
    return c;
}

static void remap_block(ax_arena *ar, sm_block *b, int base)
{
    for (int k = 0; k < b->n; k++) {
        sm_stmt *st = arena_alloc(ar, sizeof *st);
        *st = *b->v[k];
        st->value = remap_sx(ar, st->value, base);
        st->cond = remap_sx(ar, st->cond, base);
        remap_block(ar, &st->then, base);
        remap_block(ar, &st->els, base);
        b->v[k] = st;
    }
}

static bool plan(sema_ctx *s, ir_proj *p)
{
    ax_arena *ar = sema_arena(s);
    if (p->signal_base) {
        remap_block(ar, &p->on_pre, p->signal_base);
        remap_block(ar, &p->on_post, p->signal_base);
        remap_block(ar, &p->continuous, p->signal_base);
        remap_block(ar, &p->every_step, p->signal_base);
        remap_block(ar, &p->structure, p->signal_base);
        for (int e = 0; e < p->nevh; e++)
            remap_block(ar, &p->evh[e].body, p->signal_base);
        for (int k = 0; k < p->nvars; k++)
            p->vars[k].init = remap_sx(ar, p->vars[k].init, p->signal_base);
    }
    diag_ctx *d = sema_diag(s);
    const sm_type *t = p->syn;
    bool ok = true, any[3] = {false, false, false};
    p->last_syn = p->last_pre = p->last_post = -1;
    p->sv = arena_alloc(ar, (size_t)(p->nvars + 1) * sizeof *p->sv);
    for (int k = 0; k < p->nvars; k++) {
        const ir_var *v = &p->vars[k];
        ir_synvar *sv = &p->sv[k];
        *sv = (ir_synvar){IRS_SYN, -1, false, NULL, NULL, NULL, false};
        if (v->sm_var < 0 || t->vars[v->sm_var].ode < 0)
            continue;
        int xi = v->sm_var;
        const sm_ode *o = &t->odes[t->vars[xi].ode];
        sx *rhs = o->rhs;
        for (int q = 0; q < t->nvars; q++)
            if (p->shared[q] && sx_uses(rhs, VS_PARAM, q))
                rhs = sx_subst(ar, rhs, VS_PARAM, q, p->shared[q]);
        rhs = sx_simplify(ar, remap_sx(ar, rhs, p->signal_base));
        /* white noise (additive, checked): rhs = drift + sum_k g_k xi_k */
        sx *noise = NULL;
        for (int q = 0; q < t->nnoise; q++) {
            sx *D = NULL, *G = NULL;
            if (!sx_uses(rhs, VS_NOISE, q) || !sx_linear_in(ar, rhs, VS_NOISE, q, &D, &G))
                continue;
            sx *term = sx_mul(ar, G, sx_rand(ar, SXR_NORMAL, t->noise[q].draw));
            noise = noise ? sx_add(ar, noise, term) : term;
            rhs = sx_simplify(ar, D);
        }
        sx *A = NULL, *B = NULL;
        bool lin = sx_linear_in(ar, rhs, VS_STATE, xi, &A, &B);
        if (o->event_driven && (!lin || !constant_coefficient(A) || !constant_coefficient(B))) {
            diag_error(d, o->span,
                       "event-driven equations are solved exactly between events, so %s' must "
                       "be linear in %s with constant coefficients",
                       v->name, v->name);
            diag_hint(d, "write it as %s' = a * %s + b with numbers or parameters a and b, or "
                         "drop 'event-driven' to integrate it every step",
                      v->name, v->name);
            ok = false;
            continue;
        }
        if (!lin) {
            /* not event-driven: forward Euler (Euler-Maruyama with the noise) */
            A = rhs;
            B = sx_const(ar, 0, DIM_NONE);
            sv->euler = true;
        }
        sv->ode = t->vars[xi].ode;
        sv->event_driven = o->event_driven;
        sv->ode_a = A;
        sv->ode_b = B;
        sv->noise = noise ? sx_simplify(ar, noise) : NULL;
        if (!o->event_driven) {
            p->has_odes = true;
            continue;
        }
        /* its side */
        bool zero = !v->init || (v->init->kind == SX_CONST && v->init->v == 0);
        bool in_pre = block_writes(&p->on_pre, xi), in_post = block_writes(&p->on_post, xi);
        bool elsewhere = block_writes(&p->every_step, xi) || block_writes(&p->continuous, xi);
        for (int e = 0; e < p->nevh; e++)
            elsewhere |= block_writes(&p->evh[e].body, xi);
        bool coeff = self_only(A, -1) && self_only(B, -1);
        /* with per-synapse delays the synapses of a spike see it at different times */
        bool het = p->delay && p->delay->kind != SX_CONST;
        if (zero && coeff && !elsewhere && in_pre != in_post) {
            if (in_pre && !het && writes_self_only(&p->on_pre, xi))
                sv->side = IRS_PRE;
            else if (in_post && writes_self_only(&p->on_post, xi))
                sv->side = IRS_POST;
        }
        any[sv->side] = true;
    }
    if (any[IRS_PRE])
        p->pre_after = side_only(ar, &p->on_pre, p, IRS_PRE);
    if (any[IRS_POST])
        p->post_after = side_only(ar, &p->on_post, p, IRS_POST);
    if (any[IRS_SYN])
        p->last_syn = add_hidden(ar, p, "_last", IRS_SYN);
    if (any[IRS_PRE])
        p->last_pre = add_hidden(ar, p, "_last_pre", IRS_PRE);
    if (any[IRS_POST])
        p->last_post = add_hidden(ar, p, "_last_post", IRS_POST);
    return ok;
}

bool ir_synapses(sema_ctx *s, ir_model *m)
{
    bool ok = true;
    for (int q = 0; q < m->nprojs; q++)
        ok &= plan(s, &m->projs[q]);
    return ok;
}

/* Does the block assign the synapse's variable xi, a state variable or a parameter (a
   learning rule may change its synapse's parameter w)? */
static bool block_assigns(const sm_block *b, int xi)
{
    for (int k = 0; k < b->n; k++) {
        const sm_stmt *st = b->v[k];
        if (st->kind == ST_ASSIGN && (st->space == VS_STATE || st->space == VS_PARAM) &&
            st->idx == xi)
            return true;
        if (st->kind == ST_IF && (block_assigns(&st->then, xi) || block_assigns(&st->els, xi)))
            return true;
    }
    return false;
}

/* Does any of the projection's statements (handlers, rules, structural updates) assign
   variable xi? */
static bool proj_writes(const ir_proj *p, int xi)
{
    if (block_assigns(&p->on_pre, xi) || block_assigns(&p->on_post, xi) ||
        block_assigns(&p->continuous, xi) || block_assigns(&p->every_step, xi) ||
        block_assigns(&p->structure, xi) || block_assigns(&p->grow_init, xi) ||
        block_assigns(&p->pre_after, xi) || block_assigns(&p->post_after, xi))
        return true;
    for (int e = 0; e < p->nevh; e++)
        if (block_assigns(&p->evh[e].body, xi))
            return true;
    return false;
}

int ir_narrow_synapses(ir_model *m)
{
    int n = 0;
    for (int q = 0; q < m->nprojs; q++) {
        ir_proj *p = &m->projs[q];
        for (int k = 0; k < p->nvars; k++) {
            ir_var *v = &p->vars[k];
            if (v->elem != AXON_ELEM_REAL || v->kind == IRV_HIDDEN || v->sm_var < 0 ||
                (p->sv && p->sv[k].side != IRS_SYN) || p->syn->vars[v->sm_var].ode >= 0 ||
                proj_writes(p, v->sm_var))
                continue;
            v->elem = AXON_ELEM_F32;
            n++;
        }
    }
    return n;
}

/* The mean number of synapses onto a postsynaptic neuron that the connector makes; -1 when
 * it cannot be told (a `where` condition). */
static double mean_in_degree(const ir_model *m, const ir_proj *p)
{
    double npre = m->pops[p->pre].size, npost = m->pops[p->post].size;
    switch (p->conn) {
    case CONN_ALL: return npre;
    case CONN_ONE: return 1;
    case CONN_RANDOM: return p->conn_arg ? p->conn_arg->v * npre : -1;
    case CONN_INDEGREE: return p->conn_arg ? p->conn_arg->v : -1;
    case CONN_OUTDEGREE: return p->conn_arg && npost > 0 ? p->conn_arg->v * npre / npost : -1;
    case CONN_FILE: return npost > 0 ? (double)p->nedges / npost : -1;
    default: return -1;
    }
}

int ir_clock_traces(ir_model *m)
{
    if (getenv("AXON_TEST_EVENT_TRACES"))
        return 0;
    int n = 0;
    for (int q = 0; q < m->nprojs; q++) {
        ir_proj *p = &m->projs[q];
        /* (plan adds the last-update times last, last_post last of all) */
        if (!p->sv || p->last_post < 0 || p->last_post != p->nvars - 1)
            continue;
        /* The pass costs about 0.16 ns a post neuron and step, and saves about 4 ns an `on pre`
           (bench/HISTORY.md): it pays from one presynaptic spike a post neuron every 25 steps,
           K rate dt >= 0.04, 12.5 Hz at K = 32 in-degree. Rates are not known here: taken
           where the in-degree is at least IR_CLOCK_MIN_K, or the post population so small that
           the pass costs next to nothing whatever the rates. */
        if (m->pops[p->post].size > IR_CLOCK_SMALL && mean_in_degree(m, p) < IR_CLOCK_MIN_K)
            continue;
        bool decays = true;
        for (int k = 0; k < p->nvars; k++) {
            const ir_synvar *v = &p->sv[k];
            if (v->side == IRS_POST && k != p->last_post &&
                (!v->event_driven || v->noise || !sx_is_zero(v->ode_a) ||
                 !sx_is_param_const(v->ode_b)))
                decays = false;
        }
        if (!decays)
            continue;
        p->nvars--;
        p->last_post = -1;
        p->post_clock = true;
        n++;
    }
    return n;
}

/*
 * The variables of a projection stored per pre (post) neuron share one array when there are
 * two to four of them of one element type, their values interleaved, a neuron's in 2 or 4
 * consecutive elements (model.h, ABI 12): an STDP trace and its last-update time are read
 * together for every synapse (on_pre reads its target's, at random), and so come in one
 * cache line instead of two. The order is that of the variables (the time, made last, is the
 * last lane). AXON_TEST_UNPACKED (tests) keeps every variable in an array of its own, to
 * compare the two layouts.
 */
int ir_pack(const ir_proj *pj, int k, int *lane)
{
    *lane = 0;
    ir_side side = pj->sv[k].side;
    if (side == IRS_SYN || getenv("AXON_TEST_UNPACKED"))
        return 1;
    int n = 0, at = 0;
    for (int v = 0; v < pj->nvars; v++) {
        if (pj->sv[v].side != side)
            continue;
        if (pj->vars[v].elem != pj->vars[k].elem)
            return 1;
        if (v == k)
            at = n;
        n++;
    }
    if (n < 2 || n > 4)
        return 1;
    *lane = at;
    return n == 2 ? 2 : 4;
}

/*
 * A projection whose only variable is a per-synapse one that nothing writes after the build (a
 * static weight), with targets of 2 bytes (a post population of at most 65,536 neurons) and
 * on_pre as its only handler, stores its targets and that variable side by side (model.h,
 * AXON_PROJ_BLOCKS, ABI 13): in blocks of AXON_SYN_BLOCK synapses, their targets (uint16_t)
 * then their values, so that a row's part touches its targets and weights in the same lines
 * (the microcircuit's delivery). Every element stays aligned: with 8-byte values a block is 5
 * of them (the targets take the first), with 4-byte ones 6 (the targets take two). The test
 * switches AXON_TEST_SPLIT_SYNAPSES (this layout off) and AXON_TEST_WIDE_TARGETS (4-byte
 * targets: not eligible) keep the split arrays, to compare the layouts.
 */
bool ir_dense_rows(const ir_proj *pj)
{
    /* (rows of per-synapse delays are ordered by delay: not dense) */
    return pj->conn == CONN_ALL && (pj->autapses || pj->pre != pj->post) &&
           !(pj->delay && pj->delay->kind != SX_CONST);
}

int ir_block(const ir_model *m, const ir_proj *pj, int k, int esz, int *stride, int *lane)
{
    *stride = 1;
    *lane = 0;
    if (pj->nvars != 1 || k != 0 || !pj->sv || pj->sv[0].side != IRS_SYN ||
        m->pops[pj->post].size > 65536 || getenv("AXON_TEST_WIDE_TARGETS") ||
        getenv("AXON_TEST_SPLIT_SYNAPSES"))
        return 1;
    const ir_var *v = &pj->vars[0];
    if (v->kind == IRV_HIDDEN || v->sm_var < 0 || pj->syn->vars[v->sm_var].ode >= 0 ||
        proj_writes(pj, v->sm_var))
        return 1;
    if (!pj->on_pre.n || pj->on_post.n || pj->continuous.n || pj->every_step.n || pj->nevh ||
        pj->pre_after.n || pj->post_after.n || pj->structural || pj->via >= 0 || pj->has_odes)
        return 1;
    /* dense rows: on pre computes each target from its place and loads none, and its loop
       over the weights vectorises only where they are contiguous (blocks: 1.45x slower) */
    if (ir_dense_rows(pj))
        return 1;
    int vsz = v->elem == AXON_ELEM_F32 ? 4 : v->elem == AXON_ELEM_F64 ? 8
              : v->elem == AXON_ELEM_REAL ? esz : 0;
    if (vsz != 4 && vsz != 8)
        return 1;
    /* the block: AXON_SYN_BLOCK targets of 2 bytes, then as many values */
    int lead = (AXON_SYN_BLOCK * 2) / vsz;
    *stride = lead + AXON_SYN_BLOCK;
    *lane = lead;
    return AXON_SYN_BLOCK;
}
