/*
 * The Axon grammar (Bison, pure, with locations). Statements are separated
 * by SEP tokens that the lexer makes from newlines and ';' (see lex.h).
 * Blocks of neurons, synapses and rules share one item grammar; which items
 * are allowed where is checked by sema, which gives better messages than a
 * syntax error would. Error recovery resynchronises at separators, so one
 * run reports several mistakes.
 */
%require "3.8"
%define api.pure full
%define api.prefix {axp_}
%define api.location.type {ax_span}
%define parse.error custom
%define parse.trace false
%locations
%expect 0
%param {parse_ctx *P}

%code requires {
#include "ast.h"
#include "diag.h"
#include "util.h"
typedef struct parse_ctx parse_ctx;
}


%code {
#include "lex.h"
#include "parser.h"
#include "sema/units.h"

#include <ctype.h>
#include <math.h>
#include <string.h>

struct parse_ctx {
    lex_state lex;
    ax_arena *ar;
    diag_ctx *diag;
    ast_node *root;
    bool too_deep; /* reported "nested too deeply" once */
    int start;     /* the first token handed to the parser: START_FILE or START_EXPR */
    const char *kw_named[16]; /* reserved words used as names, reported once each */
    int nkw_named;
};

#define YYLLOC_DEFAULT(Cur, Rhs, N)                                            \
    do {                                                                       \
        if (N) {                                                               \
            (Cur) = YYRHSLOC(Rhs, 1);                                          \
            ax_span e_ = YYRHSLOC(Rhs, N);                                     \
            if (e_.file >= 0 && e_.end_off >= (Cur).off) {                     \
                (Cur).end_off = e_.end_off;                                    \
                (Cur).end_line = e_.end_line;                                  \
                (Cur).end_col = e_.end_col;                                    \
            }                                                                  \
        } else {                                                               \
            (Cur) = YYRHSLOC(Rhs, 0);                                          \
            (Cur).off = (Cur).end_off;                                         \
            (Cur).line = (Cur).end_line;                                       \
            (Cur).col = (Cur).end_col;                                         \
        }                                                                      \
    } while (0)

static int axp_lex(AXP_STYPE *val, ax_span *loc, parse_ctx *P);
static void axp_error(ax_span *loc, parse_ctx *P, const char *msg);

/* Trees deeper than this are refused, so every recursive pass over the AST
 * has a bounded stack whatever the input. */
enum { MAX_DEPTH = 400 };

static ast_node *node(parse_ctx *P, ast_kind k, ax_span sp) { return ast_new(P->ar, k, sp); }

static ast_node *checked(parse_ctx *P, ast_node *n)
{
    ast_fix_depth(n);
    if (n->depth > MAX_DEPTH) {
        if (!P->too_deep)
            diag_error(P->diag, n->span, "expression is nested too deeply (more than %d levels)",
                       MAX_DEPTH);
        P->too_deep = true;
        n->a = n->b = n->c = NULL;
        n->nkids = 0;
        n->kind = AST_NUM;
        n->str = NULL;
        n->depth = 1;
    }
    return n;
}

static ast_node *binary(parse_ctx *P, int op, ast_node *a, ast_node *b, ax_span sp)
{
    ast_node *n = node(P, AST_BINARY, sp);
    n->op = op;
    n->a = a;
    n->b = b;
    return checked(P, n);
}

static ast_node *unary(parse_ctx *P, int op, ast_node *a, ax_span sp)
{
    ast_node *n = node(P, AST_UNARY, sp);
    n->op = op;
    n->a = a;
    return checked(P, n);
}

static ast_node *list(parse_ctx *P, ast_vec v, ax_span sp)
{
    ast_node *n = node(P, AST_LIST, sp);
    ast_set_kids(n, v);
    return n;
}

static ast_node *block(parse_ctx *P, ast_kind k, ast_vec kids, ax_span sp)
{
    ast_node *n = node(P, k, sp);
    ast_set_kids(n, kids);
    return n;
}

static ast_node *with_kids(ast_node *n, ast_vec kids)
{
    ast_set_kids(n, kids);
    return n;
}

/* A reserved word where a name belongs (`state { step = 0 }`, `v' = (step - v) / tau`): one
 * error for each word, the first time; it is read as a name so that its other uses do not
 * make errors of their own. */
static const char *reserved_name(parse_ctx *P, ax_span sp)
{
    size_t len = 0;
    const char *src = diag_file_text(P->diag, sp.file, &len);
    const char *w = src && sp.end_off <= (int)len ? arena_strndup(P->ar, src + sp.off,
                                                                  (size_t)(sp.end_off - sp.off))
                                                  : "?";
    for (int i = 0; i < P->nkw_named; i++)
        if (!strcmp(P->kw_named[i], w))
            return w;
    if (P->nkw_named < (int)(sizeof P->kw_named / sizeof *P->kw_named))
        P->kw_named[P->nkw_named++] = w;
    diag_error(P->diag, sp, "'%s' is a reserved word and cannot be used as a name", w);
    diag_hint(P->diag, "rename it everywhere, for example to '%s_'", w);
    return w;
}

/* `event NAME when COND { ... }`: a named event of a neuron (AST_ON_EVENT with a name), which
 * synapses handle with `on post.NAME`; `event` is a word only there, not a reserved one. */
static ast_node *named_event(parse_ctx *P, const char *word, ax_span wsp, const char *name,
                             ast_node *cond, ast_vec body, ax_span sp)
{
    if (strcmp(word, "event"))
        diag_error(P->diag, wsp, "expected an item of a definition, not '%s'; a named event is "
                                 "'event NAME when CONDITION { ... }'", word);
    ast_node *n = block(P, AST_ON_EVENT, body, sp);
    n->a = cond;
    n->name = name;
    ast_fix_depth(n);
    return n;
}

/* `event NAME[k] when COND`: refused (one message, at the element), then kept as the event
 * NAME (never raised) so that the rest of the definition is checked */
static ast_node *vector_event(parse_ctx *P, const char *word, ax_span wsp, const char *name,
                              ax_span isp, ast_node *cond, ast_vec body, ax_span sp)
{
    if (!strcmp(word, "event")) {
        diag_error(P->diag, isp, "events cannot be vectors yet; write one event per element");
        diag_hint(P->diag, "for example 'event %s0 when u[0] > theta' and 'event %s1 when "
                           "u[1] > theta'", name, name);
        cond = node(P, AST_BOOL, cond->span); /* its index names nothing: no second error */
    }
    return named_event(P, word, wsp, name, cond, body, sp);
}

/* `via NAME` (a synapse's third neuron) and `via POP by post|pre` (a projection's third
 * population): `via` and `by` are words only there, not reserved ones. */
static ast_node *via_item(parse_ctx *P, const char *word, ax_span wsp, const char *name,
                          ax_span sp)
{
    if (strcmp(word, "via"))
        diag_error(P->diag, wsp, "expected an item of a definition, not '%s'; a third neuron "
                                 "of a synapse is 'via NAME'", word);
    ast_node *n = node(P, AST_VIA, sp);
    n->name = name;
    return n;
}

static ast_node *via_clause(parse_ctx *P, const char *word, ax_span wsp, ast_node *pop,
                            const char *by, ax_span bsp, const char *side, ax_span sp)
{
    if (strcmp(word, "via"))
        diag_error(P->diag, wsp, "expected a clause of 'project' (connect, delay, learn, via), "
                                 "not '%s'", word);
    else if (strcmp(by, "by"))
        diag_error(P->diag, bsp, "expected 'by' after 'via %s', not '%s'", pop->name ? pop->name
                                                                                     : "...", by);
    ast_node *n = node(P, AST_VIA, sp);
    n->a = pop;
    n->str = side;
    ast_fix_depth(n);
    return n;
}

/* structure every PERIOD { items }: `structure` is a contextual word */
static ast_node *structure_block(parse_ctx *P, const char *word, ax_span wsp, ast_node *period,
                                 ast_vec items, ax_span sp)
{
    if (strcmp(word, "structure"))
        diag_error(P->diag, wsp, "expected an item of a definition, not '%s'; structural "
                                 "plasticity is 'structure every PERIOD { ... }'", word);
    ast_node *n = block(P, AST_STRUCTURE, items, sp);
    n->a = period;
    ast_fix_depth(n);
    return n;
}

/* prune when COND | grow when COND [{ ... }]: contextual words */
static ast_node *structure_item(parse_ctx *P, const char *word, ax_span wsp, ast_node *cond,
                                ast_vec body, ax_span sp)
{
    bool prune = !strcmp(word, "prune"), grow = !strcmp(word, "grow");
    if (!prune && !grow)
        diag_error(P->diag, wsp, "expected 'prune when CONDITION' or 'grow when CONDITION "
                                 "{ ... }' in a structure block, not '%s'", word);
    else if (prune && body.n)
        diag_error(P->diag, wsp, "'prune when' takes no block: a pruned synapse keeps its "
                                 "values until it grows again");
    ast_node *n = block(P, prune ? AST_PRUNE : AST_GROW, body, sp);
    n->a = cond;
    ast_fix_depth(n);
    return n;
}

static ast_vec vec1(parse_ctx *P, ast_node *n)
{
    ast_vec v = {0};
    ast_vec_push(P->ar, &v, n);
    return v;
}

/* m[k]: an element of a vector of a neuron */
static ast_node *index_node(parse_ctx *P, const char *name, ast_node *idx, ax_span sp)
{
    ast_node *n = node(P, AST_INDEX, sp);
    n->name = name;
    n->a = idx;
    return checked(P, n);
}

static ast_node *vector_decl(parse_ctx *P, const char *name, ast_node *size, ast_node *unit,
                             ast_node *value, ax_span sp)
{
    ast_node *n = node(P, AST_DECL, sp);
    n->name = name;
    n->c = size;
    n->b = unit;
    n->a = value;
    ast_fix_depth(n);
    return n;
}

static ast_node *member(parse_ctx *P, ast_node *base, const char *name, ax_span sp)
{
    ast_node *n = node(P, AST_MEMBER, sp);
    n->a = base;
    n->name = name;
    return checked(P, n);
}
}

%union {
    ast_node *node;
    ast_vec vec;
    const char *str;
    int op;
}

%token <str> IDENT "identifier" PRIMED "derivative" STRING "string"
%token <node> NUMBER "number"
%token SEP "end of statement"
%token ARROW "->" DOTDOT ".." RBRACK_PRIME "]'" EQ "==" NE "!=" LE "<=" GE ">="
%token ADD_ASSIGN "+=" SUB_ASSIGN "-=" MUL_ASSIGN "*=" DIV_ASSIGN "/="
%token KW_IMPORT "import" KW_NEURON "neuron" KW_SYNAPSE "synapse" KW_RULE "rule"
%token KW_MODULE "module" KW_PARAMETERS "parameters" KW_PER "per" KW_SHARED "shared"
%token KW_STATE "state" KW_INPUTS "inputs" KW_EQUATIONS "equations"
%token KW_EVENT_DRIVEN "event-driven" KW_STEP "step" KW_OUTPUT "output"
%token KW_SPIKE "spike" KW_WHEN "when" KW_ON "on" KW_REFRACTORY "refractory"
%token KW_METHOD "method" KW_PRE "pre" KW_POST "post" KW_CONTINUOUS "continuous"
%token KW_EVERY "every" KW_MODULATOR "modulator" KW_LET "let"
%token KW_POPULATION "population" KW_PROJECT "project" KW_CONNECT "connect"
%token KW_DELAY "delay" KW_LEARN "learn" KW_SIGNAL "signal" KW_RECORD "record"
%token KW_RUN "run" KW_FOR "for" KW_AND "and" KW_OR "or" KW_NOT "not"
%token KW_TRUE "true" KW_FALSE "false" KW_IF "if" KW_THEN "then" KW_ELSE "else"
%token KW_WHERE "where" KW_FROM "from" KW_EXTERN "extern"
/* never in the source: the lexer wrapper hands one of them to the parser first, so that one
   grammar parses a whole file or a single expression (a REPL entry) */
%token START_FILE "start of file" START_EXPR "start of expression"

%type <node> top_simple top_block body_simple body_block decl eq stmt_simple stmt_block
%type <node> sitem sitem_block
%type <vec> sitems
%type <node> opt_else mod_simple mod_block expr primary lvalue path pin_target connector
%type <node> proj_clause opt_subset opt_every opt_args_node run_target opt_spikes spike at_block
%type <vec> items body decls eqs stmts mitems args arglist paths mparams mparam_list
%type <vec> exprs idents proj_clauses spikes spike_list ext_params ext_param_list ats sets
%type <op> opt_pflags opt_ed assign_op
%type <str> reserved pop_name arg_name

%precedence KW_ELSE
%left KW_OR
%left KW_AND
%precedence KW_NOT
%nonassoc '<' '>' LE GE EQ NE
%left '+' '-'
%left '*' '/' '%'
%precedence UMINUS
%right '^'

%%

input
    : START_FILE file
    | START_EXPR expr seps { P->root = $2; }
    ;

seps
    : %empty
    | seps SEP
    ;

/* file: items */
file
    : items { P->root = block(P, AST_FILE, $1, @$); }
    ;

items
    : %empty { $$ = (ast_vec){0}; }
    | items SEP
    | items top_simple SEP { ast_vec_push(P->ar, &$1, $2); $$ = $1; }
    | items top_block { ast_vec_push(P->ar, &$1, $2); $$ = $1; }
    | items error SEP { $$ = $1; yyerrok; }
    ;

/* import "std/neurons"    run COBA(N = 8000) for 1 s */
top_simple
    : KW_IMPORT STRING { $$ = node(P, AST_IMPORT, @$); $$->str = $2; }
    | KW_RUN run_target KW_FOR expr { $$ = node(P, AST_RUN, @$); $$->a = $2; $$->b = $4; ast_fix_depth($$); }
    | KW_EXTERN STRING IDENT IDENT '(' ext_params ')' ARROW IDENT {
          $$ = node(P, AST_EXTERN, @$);
          $$->str = $2;
          $$->name = $4;
          with_kids($$, $6);
          if (strcmp($3, "fn"))
              diag_error(P->diag, @3, "expected 'fn' after the library of an extern function, "
                         "not '%s'", $3);
          if (strcmp($9, "real"))
              diag_error(P->diag, @9, "an extern function returns 'real' (a double), not '%s'",
                         $9);
      }
    ;

/* extern "libm.so.6" fn cbrt(x) -> real */
ext_params
    : %empty { $$ = (ast_vec){0}; }
    | ext_param_list
    ;

ext_param_list
    : IDENT { ast_node *p = node(P, AST_IDENT, @1); p->name = $1; $$ = vec1(P, p); }
    | ext_param_list ',' IDENT {
          ast_node *p = node(P, AST_IDENT, @3);
          p->name = $3;
          ast_vec_push(P->ar, &$1, p);
          $$ = $1;
      }
    ;

run_target
    : IDENT { $$ = node(P, AST_IDENT, @$); $$->name = $1; }
    | IDENT '(' args ')' { $$ = node(P, AST_CALL, @$); $$->name = $1; with_kids($$, $3); }
    ;

/* neuron NAME { ... }   synapse NAME { ... }   rule NAME { ... }   module NAME(params) { ... } */
top_block
    : KW_NEURON IDENT '{' body '}' { $$ = block(P, AST_NEURON, $4, @$); $$->name = $2; }
    | KW_SYNAPSE IDENT '{' body '}' { $$ = block(P, AST_SYNAPSE, $4, @$); $$->name = $2; }
    | KW_RULE IDENT '{' body '}' { $$ = block(P, AST_RULE, $4, @$); $$->name = $2; }
    | KW_MODULE IDENT mparams '{' mitems '}' {
          $$ = block(P, AST_MODULE, $5, @$);
          $$->name = $2;
          $$->a = list(P, $3, @3);
          ast_fix_depth($$);
      }
    | KW_RUN run_target KW_FOR expr '{' ats '}' {
          $$ = block(P, AST_RUN, $6, @$); $$->a = $2; $$->b = $4; ast_fix_depth($$);
      }
    ;

/* The protocol of a run line: at 1 s { E.I_ext = 0.5 nA } ... */
ats
    : %empty { $$ = (ast_vec){0}; }
    | ats SEP
    | ats at_block { ast_vec_push(P->ar, &$1, $2); $$ = $1; }
    | ats error SEP { $$ = $1; yyerrok; }
    ;

at_block
    : IDENT expr '{' sets '}' {
          $$ = block(P, AST_AT, $4, @$); $$->a = $2; ast_fix_depth($$);
          if (strcmp($1, "at"))
              diag_error(P->diag, @1, "expected 'at TIME { ... }' in the protocol of a run "
                         "line, not '%s'", $1);
      }
    ;

sets
    : %empty { $$ = (ast_vec){0}; }
    | sets SEP
    | sets path '=' expr SEP {
          ast_node *n = node(P, AST_ASSIGN, span_join(@2, @4)); n->op = '='; n->a = $2; n->b = $4;
          ast_fix_depth(n); ast_vec_push(P->ar, &$1, n); $$ = $1;
      }
    | sets path '[' NUMBER ']' '=' expr SEP {
          /* an element of a vector parameter, by the name --set gives it: E.tau[1] */
          ast_node *n = node(P, AST_ASSIGN, span_join(@2, @7)); n->op = '='; n->b = $7;
          n->a = $2;
          double k = $4->num;
          if ($2->kind != AST_MEMBER)
              diag_error(P->diag, @2, "a protocol changes the parameter of a population or a "
                         "named projection: write POPULATION.NAME[k] (E.tau[1])");
          else if ($4->str || !(k >= 0) || k != floor(k))
              diag_error(P->diag, @4, "an element of a vector parameter is written with a "
                         "whole number: P.tau[1] = 20 ms");
          else if (k > 1e9)
              diag_error(P->diag, @4, "no vector has that many elements");
          else {
              n->a->name = arena_printf(P->ar, "%s[%.0f]", n->a->name, k);
              n->a->span = span_join(@2, @5);
          }
          ast_fix_depth(n); ast_vec_push(P->ar, &$1, n); $$ = $1;
      }
    | sets error SEP { $$ = $1; yyerrok; }
    ;

mparams
    : %empty { $$ = (ast_vec){0}; }
    | '(' ')' { $$ = (ast_vec){0}; }
    | '(' mparam_list ')' { $$ = $2; }
    ;

mparam_list
    : pop_name '=' expr { ast_node *d = node(P, AST_DECL, @$); d->name = $1; d->a = $3; ast_fix_depth(d); $$ = vec1(P, d); }
    | mparam_list ',' pop_name '=' expr {
          ast_node *d = node(P, AST_DECL, span_join(@3, @5)); d->name = $3; d->a = $5; ast_fix_depth(d);
          ast_vec_push(P->ar, &$1, d); $$ = $1;
      }
    ;

/* The items of neurons, synapses and rules. */
body
    : %empty { $$ = (ast_vec){0}; }
    | body SEP
    | body body_simple SEP { ast_vec_push(P->ar, &$1, $2); $$ = $1; }
    | body body_block { ast_vec_push(P->ar, &$1, $2); $$ = $1; }
    | body error SEP { $$ = $1; yyerrok; }
    ;

body_simple
    : KW_OUTPUT IDENT '=' expr { $$ = node(P, AST_OUTPUT, @$); $$->name = $2; $$->a = $4; ast_fix_depth($$); }
    | KW_REFRACTORY expr { $$ = node(P, AST_REFRACTORY, @$); $$->a = $2; ast_fix_depth($$); }
    /* refractory t_ref free    refractory t_ref hold v, w   (the words are checked by sema) */
    | KW_REFRACTORY expr IDENT { $$ = node(P, AST_REFRACTORY, @$); $$->a = $2; $$->name = $3; ast_fix_depth($$); }
    | KW_REFRACTORY expr IDENT idents {
          $$ = block(P, AST_REFRACTORY, $4, @$);
          $$->a = $2;
          $$->name = $3;
          ast_fix_depth($$);
      }
    | KW_METHOD IDENT { $$ = node(P, AST_METHOD, @$); $$->name = $2; }
    | KW_MODULATOR idents { $$ = block(P, AST_MODULATOR, $2, @$); }
    | KW_SPIKE KW_WHEN expr { $$ = node(P, AST_SPIKE, @$); $$->a = $3; ast_fix_depth($$); }
    | IDENT IDENT KW_WHEN expr { $$ = named_event(P, $1, @1, $2, $4, (ast_vec){0}, @$); }
    | IDENT IDENT '[' expr ']' KW_WHEN expr {
          $$ = vector_event(P, $1, @1, $2, @4, $7, (ast_vec){0}, @$);
      }
    | IDENT IDENT { $$ = via_item(P, $1, @1, $2, @$); }
    ;

idents
    : IDENT { ast_node *n = node(P, AST_IDENT, @1); n->name = $1; $$ = vec1(P, n); }
    | idents ',' IDENT { ast_node *n = node(P, AST_IDENT, @3); n->name = $3; ast_vec_push(P->ar, &$1, n); $$ = $1; }
    ;

body_block
    : KW_PARAMETERS opt_pflags '{' decls '}' { $$ = block(P, AST_PARAMS, $4, @$); $$->flags = $2; }
    | KW_STATE '{' decls '}' { $$ = block(P, AST_STATE, $3, @$); }
    | KW_INPUTS '{' decls '}' { $$ = block(P, AST_INPUTS, $3, @$); }
    | KW_EQUATIONS opt_ed '{' eqs '}' { $$ = block(P, AST_EQUATIONS, $4, @$); $$->flags = $2; }
    | KW_STEP '{' stmts '}' { $$ = block(P, AST_STEP, $3, @$); }
    | KW_SPIKE KW_WHEN expr '{' stmts '}' { $$ = block(P, AST_SPIKE, $5, @$); $$->a = $3; ast_fix_depth($$); }
    | KW_ON expr '{' stmts '}' { $$ = block(P, AST_ON_EVENT, $4, @$); $$->a = $2; ast_fix_depth($$); }
    | IDENT IDENT KW_WHEN expr '{' stmts '}' { $$ = named_event(P, $1, @1, $2, $4, $6, @$); }
    | IDENT IDENT '[' expr ']' KW_WHEN expr '{' stmts '}' {
          $$ = vector_event(P, $1, @1, $2, @4, $7, $9, @$);
      }
    | KW_ON KW_PRE '{' stmts '}' { $$ = block(P, AST_ON_PRE, $4, @$); }
    | KW_ON KW_POST '{' stmts '}' { $$ = block(P, AST_ON_POST, $4, @$); }
    | KW_CONTINUOUS '{' stmts '}' { $$ = block(P, AST_CONTINUOUS, $3, @$); }
    | KW_EVERY KW_STEP '{' stmts '}' { $$ = block(P, AST_EVERY_STEP, $4, @$); }
    | IDENT KW_EVERY expr '{' sitems '}' { $$ = structure_block(P, $1, @1, $3, $5, @$); }
    ;

/* the items of `structure every PERIOD { ... }`: prune when COND, grow when COND { ... } */
sitems
    : %empty { $$ = (ast_vec){0}; }
    | sitems SEP
    | sitems sitem SEP { ast_vec_push(P->ar, &$1, $2); $$ = $1; }
    | sitems sitem_block { ast_vec_push(P->ar, &$1, $2); $$ = $1; }
    | sitems error SEP { $$ = $1; yyerrok; }
    ;

sitem
    : IDENT KW_WHEN expr { $$ = structure_item(P, $1, @1, $3, (ast_vec){0}, @$); }
    ;

sitem_block
    : IDENT KW_WHEN expr '{' stmts '}' { $$ = structure_item(P, $1, @1, $3, $5, @$); }
    ;

opt_pflags
    : %empty { $$ = 0; }
    | KW_PER KW_NEURON { $$ = BLK_PER_NEURON; }
    | KW_SHARED { $$ = BLK_SHARED; }
    ;

opt_ed
    : %empty { $$ = 0; }
    | KW_EVENT_DRIVEN { $$ = BLK_EVENT_DRIVEN; }
    ;

/* name = value   name : unit = value   name : unit   name */
decls
    : %empty { $$ = (ast_vec){0}; }
    | decls SEP
    | decls decl SEP { ast_vec_push(P->ar, &$1, $2); $$ = $1; }
    | decls error SEP { $$ = $1; yyerrok; }
    ;

decl
    : IDENT '=' expr { $$ = node(P, AST_DECL, @$); $$->name = $1; $$->a = $3; ast_fix_depth($$); }
    /* a vector: m[16] = 0 mV   tau[3] : ms = [1 ms, 2 ms, 4 ms]   x[4] : mV */
    | IDENT '[' expr ']' '=' expr { $$ = vector_decl(P, $1, $3, NULL, $6, @$); }
    | IDENT '[' expr ']' ':' expr '=' expr { $$ = vector_decl(P, $1, $3, $6, $8, @$); }
    | IDENT '[' expr ']' ':' expr { $$ = vector_decl(P, $1, $3, $6, NULL, @$); }
    | IDENT '[' expr ']' { $$ = vector_decl(P, $1, $3, NULL, NULL, @$); }
    | IDENT ':' expr '=' expr { $$ = node(P, AST_DECL, @$); $$->name = $1; $$->b = $3; $$->a = $5; ast_fix_depth($$); }
    | IDENT ':' expr { $$ = node(P, AST_DECL, @$); $$->name = $1; $$->b = $3; ast_fix_depth($$); }
    | IDENT { $$ = node(P, AST_DECL, @$); $$->name = $1; }
    | reserved '=' expr { $$ = node(P, AST_DECL, @$); $$->name = $1; $$->a = $3; ast_fix_depth($$); }
    | reserved ':' expr { $$ = node(P, AST_DECL, @$); $$->name = $1; $$->b = $3; ast_fix_depth($$); }
    ;

/* The target of a summed Poisson input: E.ge, c1.E.ge */
pin_target
    : IDENT '.' IDENT { $$ = member(P, node(P, AST_IDENT, @1), $3, @$); $$->a->name = $1; }
    | pin_target '.' IDENT { $$ = member(P, $1, $3, @$); }
    ;

pop_name
    : IDENT
    | reserved
    ;

/* The reserved words that cannot start or continue an expression (nor follow a record kind,
   as `every` does), read as a name where one belongs, with an error (reserved_name) */
reserved
    : KW_IMPORT { $$ = reserved_name(P, @1); } | KW_NEURON { $$ = reserved_name(P, @1); }
    | KW_SYNAPSE { $$ = reserved_name(P, @1); } | KW_RULE { $$ = reserved_name(P, @1); }
    | KW_MODULE { $$ = reserved_name(P, @1); } | KW_PARAMETERS { $$ = reserved_name(P, @1); }
    | KW_PER { $$ = reserved_name(P, @1); } | KW_SHARED { $$ = reserved_name(P, @1); }
    | KW_STATE { $$ = reserved_name(P, @1); } | KW_INPUTS { $$ = reserved_name(P, @1); }
    | KW_EQUATIONS { $$ = reserved_name(P, @1); } | KW_STEP { $$ = reserved_name(P, @1); }
    | KW_OUTPUT { $$ = reserved_name(P, @1); } | KW_SPIKE { $$ = reserved_name(P, @1); }
    | KW_WHEN { $$ = reserved_name(P, @1); } | KW_ON { $$ = reserved_name(P, @1); }
    | KW_REFRACTORY { $$ = reserved_name(P, @1); } | KW_METHOD { $$ = reserved_name(P, @1); }
    | KW_CONTINUOUS { $$ = reserved_name(P, @1); }
    | KW_MODULATOR { $$ = reserved_name(P, @1); } | KW_LET { $$ = reserved_name(P, @1); }
    | KW_POPULATION { $$ = reserved_name(P, @1); } | KW_PROJECT { $$ = reserved_name(P, @1); }
    | KW_CONNECT { $$ = reserved_name(P, @1); } | KW_DELAY { $$ = reserved_name(P, @1); }
    | KW_LEARN { $$ = reserved_name(P, @1); } | KW_SIGNAL { $$ = reserved_name(P, @1); }
    | KW_RECORD { $$ = reserved_name(P, @1); } | KW_RUN { $$ = reserved_name(P, @1); }
    | KW_FOR { $$ = reserved_name(P, @1); } | KW_WHERE { $$ = reserved_name(P, @1); }
    | KW_FROM { $$ = reserved_name(P, @1); } | KW_EXTERN { $$ = reserved_name(P, @1); }
    ;

/* x' = f(x)    name = expr */
eqs
    : %empty { $$ = (ast_vec){0}; }
    | eqs SEP
    | eqs eq SEP { ast_vec_push(P->ar, &$1, $2); $$ = $1; }
    | eqs error SEP { $$ = $1; yyerrok; }
    ;

eq
    : PRIMED '=' expr { $$ = node(P, AST_ODE, @$); $$->name = $1; $$->a = $3; ast_fix_depth($$); }
    /* m[k]' = -m[k] / tau[k]: one equation per element (or m[3]' = ...: one element) */
    | IDENT '[' expr RBRACK_PRIME '=' expr {
          $$ = node(P, AST_ODE, @$); $$->name = $1; $$->c = $3; $$->a = $6; ast_fix_depth($$);
      }
    | IDENT '=' expr { $$ = node(P, AST_ALGEBRAIC, @$); $$->name = $1; $$->a = $3; ast_fix_depth($$); }
    /* h[j] = tanh(sum(k, W[4 * j + k] * m[k]) + b[j]): one definition per element */
    | IDENT '[' expr ']' '=' expr {
          $$ = node(P, AST_ALGEBRAIC, @$); $$->name = $1; $$->c = $3; $$->a = $6; ast_fix_depth($$);
      }
    | reserved '=' expr { $$ = node(P, AST_ALGEBRAIC, @$); $$->name = $1; $$->a = $3; ast_fix_depth($$); }
    ;

/* Statements of handlers, resets, step blocks and initialisers. */
stmts
    : %empty { $$ = (ast_vec){0}; }
    | stmts SEP
    | stmts stmt_simple SEP { ast_vec_push(P->ar, &$1, $2); $$ = $1; }
    | stmts stmt_block { ast_vec_push(P->ar, &$1, $2); $$ = $1; }
    | stmts error SEP { $$ = $1; yyerrok; }
    ;

stmt_simple
    : lvalue assign_op expr { $$ = node(P, AST_ASSIGN, @$); $$->op = $2; $$->a = $1; $$->b = $3; ast_fix_depth($$); }
    | KW_LET IDENT '=' expr { $$ = node(P, AST_LET, @$); $$->name = $2; $$->a = $4; ast_fix_depth($$); }
    | KW_LET reserved '=' expr { $$ = node(P, AST_LET, @$); $$->name = $2; $$->a = $4; ast_fix_depth($$); }
    ;

assign_op
    : '=' { $$ = '='; }
    | ADD_ASSIGN { $$ = OP_ADD_ASSIGN; }
    | SUB_ASSIGN { $$ = OP_SUB_ASSIGN; }
    | MUL_ASSIGN { $$ = OP_MUL_ASSIGN; }
    | DIV_ASSIGN { $$ = OP_DIV_ASSIGN; }
    ;

lvalue
    : IDENT { $$ = node(P, AST_IDENT, @$); $$->name = $1; }
    | IDENT '[' expr ']' { $$ = index_node(P, $1, $3, @$); }
    | reserved { $$ = node(P, AST_IDENT, @$); $$->name = $1; }
    | KW_PRE '.' IDENT { $$ = member(P, node(P, AST_PRE, @1), $3, @$); }
    | KW_POST '.' IDENT { $$ = member(P, node(P, AST_POST, @1), $3, @$); }
    /* post.I_d[seg] += w: one element of the target's vector input (b: the index) */
    | KW_POST '.' IDENT '[' expr ']' {
          $$ = member(P, node(P, AST_POST, @1), $3, @$); $$->b = $5; ast_fix_depth($$);
      }
    /* pre.u[0] += w: parsed so that the checker can refuse it with a located message */
    | KW_PRE '.' IDENT '[' expr ']' {
          $$ = member(P, node(P, AST_PRE, @1), $3, @$); $$->b = $5; ast_fix_depth($$);
      }
    /* astro.J += ...: the third neuron of a synapse (`via astro`) */
    | IDENT '.' IDENT {
          ast_node *b = node(P, AST_IDENT, @1); b->name = $1; $$ = member(P, b, $3, @$);
      }
    ;

/* if cond { ... } else if cond { ... } else { ... } */
stmt_block
    : KW_IF expr '{' stmts '}' opt_else { $$ = block(P, AST_IF, $4, @$); $$->a = $2; $$->b = $6; ast_fix_depth($$); }
    ;

opt_else
    : %empty { $$ = NULL; }
    | KW_ELSE '{' stmts '}' { $$ = list(P, $3, @$); }
    | KW_ELSE stmt_block { $$ = $2; }
    ;

/* The items of a module. */
mitems
    : %empty { $$ = (ast_vec){0}; }
    | mitems SEP
    | mitems mod_simple SEP { ast_vec_push(P->ar, &$1, $2); $$ = $1; }
    | mitems mod_block { ast_vec_push(P->ar, &$1, $2); $$ = $1; }
    | mitems error SEP { $$ = $1; yyerrok; }
    ;

mod_simple
    : KW_LET pop_name '=' expr { $$ = node(P, AST_LET, @$); $$->name = $2; $$->a = $4; ast_fix_depth($$); }
    | KW_POPULATION pop_name '=' IDENT '[' expr ']' opt_args_node opt_spikes {
          $$ = node(P, AST_POPULATION, @$); $$->name = $2; $$->str = $4; $$->a = $6; $$->b = $8;
          $$->c = $9; ast_fix_depth($$);
      }
    /* population E = AdEx[100](a = 4 nS) method euler: the integration method, chosen here */
    | KW_POPULATION pop_name '=' IDENT '[' expr ']' opt_args_node KW_METHOD IDENT {
          $$ = node(P, AST_POPULATION, @$); $$->name = $2; $$->str = $4; $$->a = $6; $$->b = $8;
          $$->c = node(P, AST_METHOD, span_join(@9, @10)); $$->c->name = $10; ast_fix_depth($$);
      }
    | KW_PROJECT paths ARROW paths ':' IDENT opt_args_node proj_clauses {
          $$ = block(P, AST_PROJECT, $8, @$); $$->a = list(P, $2, @2); $$->b = list(P, $4, @4);
          $$->str = $6; $$->c = $7; ast_fix_depth($$);
      }
    | KW_PROJECT IDENT '=' paths ARROW paths ':' IDENT opt_args_node proj_clauses {
          $$ = block(P, AST_PROJECT, $10, @$); $$->name = $2; $$->a = list(P, $4, @4);
          $$->b = list(P, $6, @6); $$->str = $8; $$->c = $9; ast_fix_depth($$);
      }
    | IDENT '=' IDENT '(' args ')' {
          $$ = node(P, AST_INSTANCE, @$); $$->name = $1; $$->str = $3; $$->a = list(P, $5, @4); ast_fix_depth($$);
      }
    /* E.ge += 0.1 nS * poisson_input(1000, 5 Hz): summed Poisson input (module.c) */
    | pin_target ADD_ASSIGN expr {
          $$ = node(P, AST_ASSIGN, @$); $$->op = OP_ADD_ASSIGN; $$->a = $1; $$->b = $3; ast_fix_depth($$);
      }
    | KW_SIGNAL IDENT '=' expr { $$ = node(P, AST_SIGNAL, @$); $$->name = $2; $$->a = $4; ast_fix_depth($$); }
    | KW_RECORD IDENT paths opt_subset opt_every {
          $$ = block(P, AST_RECORD, $3, @$); $$->str = $2; $$->a = $4; $$->b = $5; ast_fix_depth($$);
      }
    | KW_RECORD paths opt_subset opt_every {
          $$ = block(P, AST_RECORD, $2, @$); $$->a = $3; $$->b = $4; ast_fix_depth($$);
      }
    ;

mod_block
    : KW_POPULATION pop_name '=' IDENT '[' expr ']' opt_args_node '{' stmts '}' {
          $$ = block(P, AST_POPULATION, $10, @$); $$->name = $2; $$->str = $4; $$->a = $6; $$->b = $8;
          ast_fix_depth($$);
      }
    | KW_POPULATION pop_name '=' IDENT '[' expr ']' opt_args_node KW_METHOD IDENT '{' stmts '}' {
          $$ = block(P, AST_POPULATION, $12, @$); $$->name = $2; $$->str = $4; $$->a = $6; $$->b = $8;
          $$->c = node(P, AST_METHOD, span_join(@9, @10)); $$->c->name = $10; ast_fix_depth($$);
      }
    ;

/* The spikes of a spike source: from "spikes.csv" | from [(0, 10 ms), (2, 15.5 ms)] */
opt_spikes
    : %empty { $$ = NULL; }
    | KW_FROM STRING { $$ = node(P, AST_FROM, @$); $$->str = $2; }
    | KW_FROM '[' spikes ']' { $$ = list(P, $3, @$); }
    ;

spikes
    : %empty { $$ = (ast_vec){0}; }
    | spike_list
    ;

spike_list
    : spike { $$ = vec1(P, $1); }
    | spike_list ',' spike { ast_vec_push(P->ar, &$1, $3); $$ = $1; }
    ;

spike
    : '(' expr ',' expr ')' {
          ast_vec v = vec1(P, $2); ast_vec_push(P->ar, &v, $4); $$ = list(P, v, @$); ast_fix_depth($$);
      }
    ;

opt_args_node
    : %empty { $$ = NULL; }
    | '(' args ')' { $$ = list(P, $2, @$); }
    ;

paths
    : path { $$ = vec1(P, $1); }
    | paths ',' path { ast_vec_push(P->ar, &$1, $3); $$ = $1; }
    ;

path
    : IDENT { $$ = node(P, AST_IDENT, @$); $$->name = $1; }
    | reserved { $$ = node(P, AST_IDENT, @$); $$->name = $1; }
    | path '.' IDENT { $$ = member(P, $1, $3, @$); }
    ;

proj_clauses
    : %empty { $$ = (ast_vec){0}; }
    | proj_clauses proj_clause { ast_vec_push(P->ar, &$1, $2); $$ = $1; }
    ;

proj_clause
    : KW_CONNECT connector { $$ = node(P, AST_CONNECT, @$); $$->a = $2; ast_fix_depth($$); }
    | KW_DELAY expr { $$ = node(P, AST_DELAY, @$); $$->a = $2; ast_fix_depth($$); }
    | KW_LEARN IDENT opt_args_node { $$ = node(P, AST_LEARN, @$); $$->str = $2; $$->a = $3; ast_fix_depth($$); }
    | KW_LEARN IDENT opt_args_node KW_ON IDENT {
          $$ = node(P, AST_LEARN, @$); $$->str = $2; $$->a = $3; $$->name = $5; ast_fix_depth($$);
      }
    | IDENT path IDENT KW_POST { $$ = via_clause(P, $1, @1, $2, $3, @3, "post", @$); }
    | IDENT path IDENT KW_PRE { $$ = via_clause(P, $1, @1, $2, $3, @3, "pre", @$); }
    ;

/* all_to_all | random(p) | where (i != j) | from "edges.csv" */
connector
    : IDENT { $$ = node(P, AST_IDENT, @$); $$->name = $1; }
    | IDENT '(' args ')' { $$ = node(P, AST_CALL, @$); $$->name = $1; with_kids($$, $3); }
    | KW_WHERE '(' expr ')' { $$ = node(P, AST_WHERE, @$); $$->a = $3; ast_fix_depth($$); }
    | KW_FROM STRING { $$ = node(P, AST_FROM, @$); $$->str = $2; }
    ;

opt_subset
    : %empty { $$ = NULL; }
    | '[' expr DOTDOT expr ']' { $$ = node(P, AST_RANGE, @$); $$->a = $2; $$->b = $4; ast_fix_depth($$); }
    | '[' exprs ']' { $$ = list(P, $2, @$); }
    ;

opt_every
    : %empty { $$ = NULL; }
    | KW_EVERY expr { $$ = $2; }
    ;

exprs
    : expr { $$ = vec1(P, $1); }
    | exprs ',' expr { ast_vec_push(P->ar, &$1, $3); $$ = $1; }
    ;

/* Arguments: positional or named (name = value). */
args
    : %empty { $$ = (ast_vec){0}; }
    | arglist
    ;

arglist
    : expr { $$ = vec1(P, $1); }
    | arg_name '=' expr { ast_node *n = node(P, AST_NAMED, @$); n->name = $1; n->a = $3; ast_fix_depth(n); $$ = vec1(P, n); }
    | arglist ',' expr { ast_vec_push(P->ar, &$1, $3); $$ = $1; }
    | arglist ',' arg_name '=' expr {
          ast_node *n = node(P, AST_NAMED, span_join(@3, @5)); n->name = $3; n->a = $5; ast_fix_depth(n);
          ast_vec_push(P->ar, &$1, n); $$ = $1;
      }
    ;

/* The name of a named argument; a reserved word there (`N[10](delay = 2 ms)`) is read as the
   name, with reserved_name's error */
arg_name
    : IDENT
    | reserved
    ;

expr
    : expr KW_OR expr { $$ = binary(P, OP_OR, $1, $3, @$); }
    | expr KW_AND expr { $$ = binary(P, OP_AND, $1, $3, @$); }
    | KW_NOT expr { $$ = unary(P, OP_NOT, $2, @$); }
    | expr '<' expr { $$ = binary(P, '<', $1, $3, @$); }
    | expr '>' expr { $$ = binary(P, '>', $1, $3, @$); }
    | expr LE expr { $$ = binary(P, OP_LE, $1, $3, @$); }
    | expr GE expr { $$ = binary(P, OP_GE, $1, $3, @$); }
    | expr EQ expr { $$ = binary(P, OP_EQ, $1, $3, @$); }
    | expr NE expr { $$ = binary(P, OP_NE, $1, $3, @$); }
    | expr '+' expr { $$ = binary(P, '+', $1, $3, @$); }
    | expr '-' expr { $$ = binary(P, '-', $1, $3, @$); }
    | expr '*' expr { $$ = binary(P, '*', $1, $3, @$); }
    | expr '/' expr { $$ = binary(P, '/', $1, $3, @$); }
    | expr '%' expr { $$ = binary(P, '%', $1, $3, @$); }
    | expr '^' expr { $$ = binary(P, '^', $1, $3, @$); }
    | '-' expr %prec UMINUS { $$ = unary(P, '-', $2, @$); }
    | '+' expr %prec UMINUS { $$ = unary(P, '+', $2, @$); }
    | KW_IF expr KW_THEN expr KW_ELSE expr {
          $$ = node(P, AST_COND, @$); $$->a = $2; $$->b = $4; $$->c = $6; $$ = checked(P, $$);
      }
    | primary
    ;

primary
    : NUMBER { $$ = $1; }
    | KW_TRUE { $$ = node(P, AST_BOOL, @$); $$->num = 1; }
    | KW_FALSE { $$ = node(P, AST_BOOL, @$); }
    | IDENT { $$ = node(P, AST_IDENT, @$); $$->name = $1; }
    | reserved { $$ = node(P, AST_IDENT, @$); $$->name = $1; }
    | IDENT '(' args ')' { $$ = node(P, AST_CALL, @$); $$->name = $1; with_kids($$, $3); $$ = checked(P, $$); }
    | IDENT '[' expr ']' { $$ = index_node(P, $1, $3, @$); }
    | reserved '(' args ')' { $$ = node(P, AST_CALL, @$); $$->name = $1; with_kids($$, $3); $$ = checked(P, $$); }
    | STRING { $$ = node(P, AST_STRING, @$); $$->str = $1; } /* a file: timed("stim.csv", 1 ms) */
    | '(' expr ')' { $$ = $2; }
    | KW_PRE '.' IDENT { $$ = member(P, node(P, AST_PRE, @1), $3, @$); }
    | KW_POST '.' IDENT { $$ = member(P, node(P, AST_POST, @1), $3, @$); }
    /* post.u[seg]: one element of a vector of a synapse's neuron; parsed so that the checker
     * can refuse it with a located message (b: the index) */
    | KW_PRE '.' IDENT '[' expr ']' {
          $$ = member(P, node(P, AST_PRE, @1), $3, @$); $$->b = $5; ast_fix_depth($$);
      }
    | KW_POST '.' IDENT '[' expr ']' {
          $$ = member(P, node(P, AST_POST, @1), $3, @$); $$->b = $5; ast_fix_depth($$);
      }
    | primary '.' IDENT { $$ = member(P, $1, $3, @$); }
    | '[' exprs ']' { $$ = list(P, $2, @$); ast_fix_depth($$); } /* values per neuron */
    | KW_FROM STRING { $$ = node(P, AST_FROM, @$); $$->str = $2; } /* ... from a data file */
    ;

%%

static int axp_lex(AXP_STYPE *val, ax_span *loc, parse_ctx *P)
{
    if (P->start) {
        int tok = P->start;
        P->start = 0;
        *loc = (ax_span){P->lex.file, 1, 1, 1, 1, 0, 0};
        return tok;
    }
    lex_token t = lex_next(&P->lex);
    *loc = t.span;
    switch (t.tok) {
    case IDENT: case PRIMED: case STRING: val->str = t.str; break;
    case NUMBER: val->node = t.node; break;
    default: break;
    }
    return t.tok;
}

static void axp_error(ax_span *loc, parse_ctx *P, const char *msg)
{
    /* With parse.error custom, Bison calls this only for "memory exhausted",
       which parse_file reports in words of its own. */
    if (strcmp(msg, "memory exhausted") == 0)
        return;
    diag_error(P->diag, *loc, "%s", msg);
}

/* Token names as Bison spells them ("every", "'{'") made uniform: 'every', '{'. */
static void put_quoted(strbuf *sb, const char *name)
{
    size_t n = strlen(name);
    if (n >= 2 && (name[0] == '"' || name[0] == '\'') && name[n - 1] == name[0]) {
        name++;
        n -= 2;
    }
    sb_printf(sb, "'%.*s'", (int)n, name);
}

/* What the lookahead token looks like to a reader: "identifier 'foo'",
 * "end of line", "'}'". */
static void describe_lookahead(parse_ctx *P, yysymbol_kind_t k, strbuf *sb)
{
    const lex_token *t = &P->lex.last_tok;
    if (k == YYSYMBOL_SEP) {
        /* a SEP is a ';', a newline, or inserted before a '}' or at the end */
        size_t len = 0;
        const char *src = diag_file_text(P->diag, t->span.file, &len);
        bool semi = src && (size_t)t->span.off < len && src[t->span.off] == ';';
        sb_puts(sb, t->virt ? "'}'" : t->newline ? "end of line" : semi ? "';'" : "end of file");
        return;
    }
    if (k == YYSYMBOL_IDENT) {
        sb_printf(sb, "identifier '%.*s%s'", AX_QUOTED(t->str, strlen(t->str)));
        return;
    }
    if (k == YYSYMBOL_NUMBER) {
        size_t len = 0;
        const char *src = diag_file_text(P->diag, t->span.file, &len);
        sb_printf(sb, "number '%.*s%s'", AX_QUOTED(src + t->span.off, t->span.end_off - t->span.off));
        return;
    }
    if (k == YYSYMBOL_PRIMED) {
        sb_printf(sb, "derivative '%.*s%s''", AX_QUOTED(t->str, strlen(t->str)));
        return;
    }
    if (k == YYSYMBOL_STRING) {
        sb_printf(sb, "string \"%.*s%s\"", AX_QUOTED(t->str, strlen(t->str)));
        return;
    }
    if (k == YYSYMBOL_YYEOF) {
        sb_puts(sb, "end of file");
        return;
    }
    put_quoted(sb, yysymbol_name(k));
}

static void describe_expected(yysymbol_kind_t k, strbuf *sb)
{
    if (k == YYSYMBOL_SEP)
        sb_puts(sb, "end of line");
    else if (k == YYSYMBOL_IDENT || k == YYSYMBOL_NUMBER || k == YYSYMBOL_STRING ||
             k == YYSYMBOL_PRIMED)
        sb_puts(sb, yysymbol_name(k));
    else
        put_quoted(sb, yysymbol_name(k));
}

/* ", expected ...": the tokens when they are few, else what they start (an expression, an
 * item of a block), so that no message stops at "unexpected '{'". */
static void describe_expected_set(const yysymbol_kind_t *all, int n, const bool *want,
                                  strbuf *sb)
{
    if (n <= 0)
        return;
    if (n <= 4) {
        sb_puts(sb, ", expected ");
        for (int i = 0; i < n; i++) {
            if (i)
                sb_puts(sb, i == n - 1 ? " or " : ", ");
            describe_expected(all[i], sb);
        }
        return;
    }
    const char *what = NULL;
    if (want[YYSYMBOL_KW_NEURON] && want[YYSYMBOL_KW_MODULE])
        what = "'neuron', 'synapse', 'rule', 'module', 'import', 'extern' or 'run'";
    else if (want[YYSYMBOL_KW_PARAMETERS] && want[YYSYMBOL_KW_EQUATIONS])
        what = "an item of the block ('parameters', 'state', 'equations', 'on pre', ...) or '}'";
    else if (want[YYSYMBOL_KW_POPULATION] && want[YYSYMBOL_KW_PROJECT])
        what = "'population', 'project', 'record', 'signal', 'let', NAME = MODULE(...) or '}'";
    else if (want[YYSYMBOL_KW_LET] && want[YYSYMBOL_KW_IF])
        what = "a statement (NAME = value, 'let', 'if') or '}'";
    else if (want[YYSYMBOL_NUMBER] && want[YYSYMBOL_IDENT] && want[YYTRANSLATE('(')])
        what = "a value (a number, a name, '(' ...)";
    else if (want[YYTRANSLATE('=')] && want[YYSYMBOL_ADD_ASSIGN])
        what = "'=' or another assignment ('+=', '-=', '*=', '/=')";
    if (what) {
        sb_printf(sb, ", expected %s", what);
        return;
    }
    if (!want[YYTRANSLATE('+')] || !want[YYSYMBOL_KW_AND])
        return;
    /* within an expression: an operator, or what may follow it when that is short */
    int nrest = 0, rest[3];
    for (int i = 0; i < n; i++) {
        int k = all[i];
        bool op = k == YYTRANSLATE('+') || k == YYTRANSLATE('-') || k == YYTRANSLATE('*') ||
                  k == YYTRANSLATE('/') || k == YYTRANSLATE('%') || k == YYTRANSLATE('^') ||
                  k == YYTRANSLATE('<') ||
                  k == YYTRANSLATE('>') || k == YYTRANSLATE('.') || k == YYSYMBOL_LE ||
                  k == YYSYMBOL_GE || k == YYSYMBOL_EQ || k == YYSYMBOL_NE ||
                  k == YYSYMBOL_KW_AND || k == YYSYMBOL_KW_OR;
        if (!op && nrest++ < 3)
            rest[nrest - 1] = k;
    }
    sb_puts(sb, ", expected an operator");
    if (nrest > 3) {
        sb_puts(sb, " or the end of the expression");
        return;
    }
    for (int i = 0; i < nrest; i++) {
        sb_puts(sb, i == nrest - 1 ? " or " : ", ");
        describe_expected((yysymbol_kind_t)rest[i], sb);
    }
}

/* The reserved words of the rule `reserved`. */
static bool reserved_sym(yysymbol_kind_t k)
{
    switch (k) {
    case YYSYMBOL_KW_IMPORT: case YYSYMBOL_KW_NEURON: case YYSYMBOL_KW_SYNAPSE:
    case YYSYMBOL_KW_RULE: case YYSYMBOL_KW_MODULE: case YYSYMBOL_KW_PARAMETERS:
    case YYSYMBOL_KW_PER: case YYSYMBOL_KW_SHARED: case YYSYMBOL_KW_STATE:
    case YYSYMBOL_KW_INPUTS: case YYSYMBOL_KW_EQUATIONS: case YYSYMBOL_KW_STEP:
    case YYSYMBOL_KW_OUTPUT: case YYSYMBOL_KW_SPIKE: case YYSYMBOL_KW_WHEN: case YYSYMBOL_KW_ON:
    case YYSYMBOL_KW_REFRACTORY: case YYSYMBOL_KW_METHOD: case YYSYMBOL_KW_CONTINUOUS:
    case YYSYMBOL_KW_MODULATOR: case YYSYMBOL_KW_LET: case YYSYMBOL_KW_POPULATION:
    case YYSYMBOL_KW_PROJECT: case YYSYMBOL_KW_CONNECT: case YYSYMBOL_KW_DELAY:
    case YYSYMBOL_KW_LEARN: case YYSYMBOL_KW_SIGNAL: case YYSYMBOL_KW_RECORD: case YYSYMBOL_KW_RUN:
    case YYSYMBOL_KW_FOR: case YYSYMBOL_KW_WHERE: case YYSYMBOL_KW_FROM: case YYSYMBOL_KW_EXTERN:
        return true;
    default:
        return false;
    }
}

/* When the token at off is the first on its line and the line before ends
 * with a character that continues a statement ('=', an operator, ',', '('),
 * that character; else NULL. Blank lines are skipped; comments are not. */
static const char *continued_from(const char *src, int off)
{
    const char *p = src + off;
    while (p > src && (p[-1] == ' ' || p[-1] == '\t'))
        p--;
    if (p == src || p[-1] != '\n')
        return NULL;
    while (p > src && (p[-1] == ' ' || p[-1] == '\t' || p[-1] == '\n' || p[-1] == '\r'))
        p--;
    if (p == src || !strchr("=+-*/^,(<>", p[-1]))
        return NULL;
    return p - 1;
}

/* A misspelt keyword read as a name ('equaitons {', 'populaton E = ...', 'conect
 * fixed_indegree(10)'): a word of the error's line, up to the error, that is not a keyword but
 * is one or two letters from one and is followed by a name, a number or '{' as the keyword
 * would be (not by '=', ':', '.' or '(', which a name of the model is). The keyword, or NULL;
 * *word gets the word. */
static const char *misspelt_keyword(const char *src, size_t len, int line_off, int err_off,
                                    char *word, size_t wsize)
{
    static const char *const KW[] = {
        "parameters", "state", "inputs", "equations", "step", "output", "spike", "when",
        "refractory", "method", "continuous", "modulator", "population", "project", "connect",
        "delay", "learn", "signal", "record", "import", "neuron", "synapse", "rule", "module",
        "extern", "where", "every", "event"};
    for (int i = line_off; i < err_off && (size_t)i < len;) {
        if (!isalpha((unsigned char)src[i]) || (i > 0 && (src[i - 1] == '.' ||
                                                          isalnum((unsigned char)src[i - 1]) ||
                                                          src[i - 1] == '_'))) {
            i++;
            continue;
        }
        int j = i;
        while ((size_t)j < len && (isalnum((unsigned char)src[j]) || src[j] == '_'))
            j++;
        int k = j;
        while ((size_t)k < len && (src[k] == ' ' || src[k] == '\t'))
            k++;
        bool kw_like = k > j && (size_t)k < len &&
                       (isalnum((unsigned char)src[k]) || src[k] == '_' || src[k] == '{');
        if (kw_like && (size_t)(j - i) < wsize) {
            memcpy(word, src + i, (size_t)(j - i));
            word[j - i] = 0;
            /* not a keyword of the lexer ('then' is not a misspelt 'when'), nor a name that
               differs from a keyword in case only (a type 'Spike' or 'Delay') */
            bool name = lex_is_keyword(word);
            for (size_t q = 0; q < sizeof KW / sizeof *KW && !name; q++)
                name = !strcasecmp(word, KW[q]);
            const char *best = NULL;
            int bd = 1000;
            for (size_t q = 0; q < sizeof KW / sizeof *KW && !name; q++) {
                int d = typo_distance(word, KW[q]);
                if (d < bd && d <= (strlen(KW[q]) >= 6 ? 2 : 1)) {
                    bd = d;
                    best = KW[q];
                }
            }
            if (best)
                return best;
        }
        i = j;
    }
    return NULL;
}

/* Is there a `when` or `if` earlier on the line of off (a condition being read)? */
static bool when_before(const char *src, int off)
{
    if (!src || off < 0)
        return false;
    int b = off;
    while (b > 0 && src[b - 1] != '\n')
        b--;
    for (int i = b; i < off; i++)
        if ((i == b || !isalnum((unsigned char)src[i - 1])) &&
            ((!strncmp(src + i, "when", 4) && !isalnum((unsigned char)src[i + 4])) ||
             (!strncmp(src + i, "if", 2) && !isalnum((unsigned char)src[i + 2]))))
            return true;
    return false;
}

static int yyreport_syntax_error(const yypcontext_t *ctx, parse_ctx *P)
{
    if (P->lex.stopped) /* the lexer said why; what follows is not read */
        return 0;
    yysymbol_kind_t la = yypcontext_token(ctx);
    const ax_span *loc = yypcontext_location(ctx);
    strbuf sb = {0};
    sb_puts(&sb, "unexpected ");
    describe_lookahead(P, la, &sb);
    yysymbol_kind_t all[YYNTOKENS];
    int nall = yypcontext_expected_tokens(ctx, all, YYNTOKENS);
    bool want[YYNTOKENS] = {false};
    for (int i = 0; i < nall; i++)
        want[all[i]] = true;
    /* the items of a neuron, synapse or rule: `event NAME when` starts with a name, but the
       block's words are what is expected there */
    bool items = want[YYSYMBOL_KW_PARAMETERS] && want[YYSYMBOL_KW_EVERY] &&
                 want[YYSYMBOL_KW_CONTINUOUS];
    if (want[YYSYMBOL_IDENT] && want[YYSYMBOL_KW_STEP] && !items) {
        /* where a name is expected, reserved words are accepted only to report them: not
           worth listing ('let' starts a statement, though) */
        int n = 0;
        for (int i = 0; i < nall; i++) {
            if (reserved_sym(all[i]) &&
                (all[i] != YYSYMBOL_KW_LET || !want[YYSYMBOL_KW_IF] || want[YYSYMBOL_NUMBER]))
                want[all[i]] = false;
            else
                all[n++] = all[i];
        }
        nall = n;
    }
    describe_expected_set(all, nall, want, &sb);
    diag_error(P->diag, *loc, "%s", sb.buf);
    sb_free(&sb);
    /* One hint, for the likeliest cause. */
    const lex_token *t = &P->lex.last_tok;
    const lex_token *prev = &P->lex.prev_tok;
    size_t srclen = 0;
    const char *src = diag_file_text(P->diag, loc->file, &srclen);
    /* the first character after the lookahead, blanks skipped */
    char after = 0;
    if (src && loc->end_off >= 0) {
        size_t i = (size_t)loc->end_off;
        while (i < srclen && (src[i] == ' ' || src[i] == '\t'))
            i++;
        after = i < srclen ? src[i] : 0;
    }
    const char *cont = NULL, *kw = NULL;
    char word[64];
    if (src && loc->off >= 0) {
        int line_off = loc->off;
        while (line_off > 0 && src[line_off - 1] != '\n')
            line_off--;
        kw = misspelt_keyword(src, srclen, line_off, loc->off + 1, word, sizeof word);
    }
    bool is_kw = la >= YYSYMBOL_KW_IMPORT && la <= YYSYMBOL_KW_FROM;
    bool top_kw = la == YYSYMBOL_KW_NEURON || la == YYSYMBOL_KW_SYNAPSE || la == YYSYMBOL_KW_RULE ||
                  la == YYSYMBOL_KW_MODULE || la == YYSYMBOL_KW_IMPORT || la == YYSYMBOL_KW_RUN;
    bool cmp = la == YYSYMBOL_EQ || la == YYSYMBOL_NE || la == YYSYMBOL_LE || la == YYSYMBOL_GE ||
               la == YYTRANSLATE('<') || la == YYTRANSLATE('>');
    if (P->lex.paren_lost_off >= 0 && P->lex.paren_lost_off == loc->off) {
        /* a { or } arrived while a ( or [ was open */
        ax_span b = P->lex.paren_lost;
        diag_hint(P->diag, "the '%c' opened at line %d, column %d is never closed",
                  src ? src[b.off] : '(', b.line, b.col);
    } else if (la == YYSYMBOL_YYEOF && P->lex.depth > 0) {
        ax_span b = P->lex.paren_at;
        diag_hint(P->diag, "the '%c' opened at line %d, column %d is never closed",
                  src ? src[b.off] : '(', b.line, b.col);
    } else if ((la == YYSYMBOL_YYEOF || top_kw) && P->lex.nbraces > 0) {
        ax_span by;
        ax_span b = lex_open_brace(&P->lex, &by);
        if (by.line)
            diag_hint(P->diag, "the '{' opened at line %d is %s: the '}' on line %d is indented "
                      "as if it closed the block around it", b.line,
                      top_kw ? "not closed yet" : "never closed", by.line);
        else if (top_kw)
            diag_hint(P->diag, "the '{' opened at line %d is not closed yet: is a '}' missing?",
                      b.line);
        else
            diag_hint(P->diag, "the '{' opened at line %d is never closed", b.line);
    } else if (la == YYTRANSLATE('/') && prev->tok == IDENT && prev->str && prev->str[0] == 'd' &&
               prev->str[1] && src && loc->end_off + 2 <= (int)srclen &&
               !strncmp(src + loc->end_off, "dt", 2) &&
               !(loc->end_off + 2 < (int)srclen &&
                 (isalnum((unsigned char)src[loc->end_off + 2]) || src[loc->end_off + 2] == '_'))) {
        /* Brian2's "dv/dt = ..." */
        diag_hint(P->diag, "a derivative is written %s' = ..., not d%s/dt", prev->str + 1,
                  prev->str + 1);
    } else if (la == YYTRANSLATE('=') && when_before(src, loc->off)) {
        diag_hint(P->diag, "a condition compares: write '>' or '>=' (a threshold) or '==', not "
                           "'=', which assigns");
    } else if (kw) {
        diag_hint(P->diag, "'%s' is not a keyword: did you mean '%s'?", word, kw);
    } else if (P->lex.nbraces == 0 &&
               (la == YYSYMBOL_KW_POPULATION || la == YYSYMBOL_KW_PROJECT ||
                la == YYSYMBOL_KW_RECORD || la == YYSYMBOL_KW_SIGNAL)) {
        diag_hint(P->diag, "'%s' belongs inside a module: module NAME { ... }", yysymbol_name(la));
    } else if (P->lex.nbraces == 0 &&
               (la == YYSYMBOL_KW_PARAMETERS || la == YYSYMBOL_KW_STATE ||
                la == YYSYMBOL_KW_INPUTS || la == YYSYMBOL_KW_EQUATIONS ||
                la == YYSYMBOL_KW_STEP || la == YYSYMBOL_KW_SPIKE || la == YYSYMBOL_KW_ON ||
                la == YYSYMBOL_KW_CONTINUOUS || la == YYSYMBOL_KW_REFRACTORY ||
                la == YYSYMBOL_KW_OUTPUT || la == YYSYMBOL_KW_METHOD)) {
        diag_hint(P->diag, "'%s' belongs inside a neuron, synapse or rule: neuron NAME { ... }",
                  yysymbol_name(la));
    } else if (la == YYSYMBOL_KW_ELSE) {
        diag_hint(P->diag, "'else' must follow the '}' of its 'if' block");
    } else if (la == YYSYMBOL_SEP && t->newline && P->lex.npend > 0 && P->lex.pend[0].tok == '{') {
        diag_hint(P->diag, "a newline ends the line's statement: put the '{' at the end of this line");
    } else if (P->lex.depth > 0 && P->lex.paren_at.line < loc->line && src) {
        /* newlines inside ( ) and [ ] do not end statements */
        ax_span b = P->lex.paren_at;
        diag_hint(P->diag, "the '%c' opened at line %d, column %d is not closed, so its statement "
                  "continues on line %d", src[b.off], b.line, b.col, loc->line);
    } else if (prev->tok != SEP && prev->tok != '{' && prev->tok != '}' && prev->tok != 0 &&
               prev->span.end_line < loc->line && src) {
        /* the statement went on past a line end that could not end it */
        diag_hint(P->diag, "line %d ends with '%.*s%s', so its statement continues on line %d: "
                  "is something missing after it?", prev->span.end_line,
                  AX_QUOTED(src + prev->span.off, prev->span.end_off - prev->span.off), loc->line);
    } else if (la == YYTRANSLATE('=') && prev->span.line == loc->line && src &&
               (cont = continued_from(src, prev->span.off)) != NULL) {
        /* "tau =" then "v_rest = -65 mV": the value is missing, and the
           next line was read as the value */
        int line = prev->span.line;
        for (const char *q = cont + 1; q < src + prev->span.off; q++)
            line -= *q == '\n';
        diag_hint(P->diag, "line %d ends with '%c', so its statement continues on line %d: "
                  "is something missing after it?", line, *cont, loc->line);
    } else if (la == YYTRANSLATE(',') && want[YYSYMBOL_SEP] && !want[YYTRANSLATE(',')]) {
        diag_hint(P->diag, "separate statements with ';' or a newline, not ','");
    } else if (cmp && want[YYTRANSLATE('+')]) {
        diag_hint(P->diag, "comparisons cannot be chained: write 'a < b and b < c'");
    } else if (la == YYSYMBOL_EQ && want[YYTRANSLATE('=')]) {
        diag_hint(P->diag, "'==' compares; write '=' to assign");
    } else if (la == YYSYMBOL_PRIMED && want[YYSYMBOL_IDENT]) {
        diag_hint(P->diag, "a derivative (x') can only be defined, on the left of '=', in an "
                           "'equations' block");
    } else if (is_kw && want[YYSYMBOL_IDENT] && (after == '=' || after == ':' || after == ',')) {
        diag_hint(P->diag, "'%s' is a reserved word and cannot be used as a name",
                  yysymbol_name(la));
    } else if (la == YYSYMBOL_IDENT && t->str && loc->line > 0 &&
               !unit_is_name(t->str, strlen(t->str))) {
        /* "20 mv", "20 msecond": a misspelt unit is read as a name after a number */
        char ub[32];
        const char *sym = unit_spelled_out(t->str, ub, sizeof ub);
        if (sym)
            diag_hint(P->diag, "units are written as symbols: did you mean '%s'?", sym);
        for (const char *u = "ms\0mV\0nA\0pA\0nS\0pF\0Hz\0Mohm\0uF\0mS\0uA\0\0"; *u && !sym;
             u += strlen(u) + 1)
            if (strcasecmp(u, t->str) == 0 && strcmp(u, t->str) != 0) {
                diag_hint(P->diag, "units are case-sensitive: did you mean '%s'?", u);
                break;
            }
    }
    return 0;
}

static ast_node *parse(ax_arena *ar, diag_ctx *d, int file, int start)
{
    size_t len = 0;
    diag_file_text(d, file, &len);
    if (len > AX_MAX_SOURCE) {
        /* also for text given in memory (axonc_load_string); files are not read past it */
        ax_span at = {file, 1, 1, 1, 1, 0, 0};
        diag_error(d, at, "the file is larger than %d MiB, the limit for a model file",
                   AX_MAX_SOURCE_MIB);
        return ast_new(ar, AST_FILE, SPAN_NONE);
    }
    parse_ctx *P = arena_alloc(ar, sizeof *P);
    lex_init(&P->lex, d, ar, file);
    P->ar = ar;
    P->diag = d;
    P->start = start;
    int rc = axp_parse(P);
    if (!P->root && start == START_EXPR)
        return NULL;
    if (!P->root) {
        P->root = ast_new(ar, AST_FILE, SPAN_NONE);
    }
    if (rc == 2)
        diag_error(d, P->lex.last_tok.span, "the model is too large to parse (parser stack exhausted)");
    return P->root;
}

ast_node *parse_file(ax_arena *ar, diag_ctx *d, int file) { return parse(ar, d, file, START_FILE); }

ast_node *parse_expr(ax_arena *ar, diag_ctx *d, int file)
{
    return parse(ar, d, file, START_EXPR);
}
