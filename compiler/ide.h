/*
 * ide: what an editor asks about a loaded unit (the language server, `axon lsp`). An index of
 * every name the unit's files declare — definitions, their parameters, state, inputs and
 * definitions, lets, a module's parameters, populations, projections, instances and signals,
 * extern functions — and of every place each is used, found by walking the syntax trees with
 * the language's scopes. It works on whatever parsed (a half-typed file still has most of its
 * items); units and dimensions come from the checked definitions when the unit was checked.
 * Everything lives in the unit's arena.
 */
#ifndef AXON_IDE_H
#define AXON_IDE_H

#include "axon/axonc.h"
#include "diag.h"
#include "sema/sema.h"
#include "util.h"

typedef struct {
    const char *name;
    axonc_symbol_kind kind;
    ax_span span;          /* its name where declared (file < 0: built in) */
    ax_span extent;        /* the whole declaration */
    int parent;            /* the symbol it belongs to, or -1 */
    int type;              /* populations: their neuron type; instances: their module;
                              projections: their synapse (symbol indices, or -1) */
    const char *signature; /* the declaration as written, on one line */
    const char *detail;    /* what it is, in words */
    const char *doc;       /* the comment block above its declaration, or NULL */
    const char *unit;      /* the unit it is shown in ("mV"), or NULL */
} ide_sym;

typedef struct ide_index ide_index;

/* Indexes every file of the unit (s may be a unit that failed to load or to check). */
ide_index *ide_build(ax_arena *ar, sema_ctx *s, diag_ctx *d);
int ide_symbol_count(const ide_index *x);
const ide_sym *ide_symbol(const ide_index *x, int i);
/* The symbol whose name (declared or used) covers (file, line, col); -1 if none. *where is
 * the occurrence. */
int ide_symbol_at(const ide_index *x, int file, int line, int col, ax_span *where);
/* The places symbol sym occurs: its declaration first (when it has one), then its uses in
 * file order. */
int ide_ref_count(const ide_index *x, int sym);
bool ide_ref(const ide_index *x, int sym, int k, ax_span *where, bool *is_decl);
/* Records the integration scheme chosen for population `pop` (of module `module`) of neuron
 * type `type` and why: the type's hover and its equations' variables say so. */
void ide_set_scheme(ide_index *x, const char *type, const char *module, const char *pop,
                    const char *scheme, const char *why);
/* Records the size of population `pop` of module `module` instantiated with its defaults. */
void ide_set_size(ide_index *x, const char *module, const char *pop, int size,
                  const char *how);
/* Completion at (file, line, col) of the text of file: what may be written there. */
void ide_complete(const ide_index *x, int file, int line, int col, axonc_complete_fn fn,
                  void *user);

/* Why symbol sym may not be renamed to new_name (NULL: to any name), as a sentence for the
 * user; NULL when it may (every place ide_ref gives is then renamed). */
const char *ide_rename_refusal(const ide_index *x, int sym, const char *new_name);

#endif
