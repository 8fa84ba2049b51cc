/*
 * lex: the re2c lexer. One lex_state per source file, no globals. Besides
 * cutting tokens it implements the newline rules of the language:
 *   - a newline ends a statement (becomes SEP) only when the last token can
 *     end one (a name, number, string, `)`, `]`, `}` ...) and no `(` or `[`
 *     is open;
 *   - a newline followed by a continuation keyword (`connect`, `delay`,
 *     `learn`, `every`, `else`, `then`) does not end the statement;
 *   - a virtual SEP is inserted before a `}` that closes a non-empty block,
 *     so `{ v = v_reset }` needs no `;`.
 * Numbers carry their attached unit text ("20 ms", "1.5 mV/ms").
 */
#ifndef AXON_LEX_H
#define AXON_LEX_H

#include "ast.h"
#include "diag.h"
#include "util.h"

#include <stdbool.h>

enum { LEX_MAX_BRACES = 64 };

/* The kind of a comment token: lex_raw returns comments only when keep_comments is set (for
 * the formatter and editors); the parser never sees them. */
enum { LEX_COMMENT = '#' };

typedef struct {
    int tok;         /* token kind (parse.h) */
    ax_span span;
    const char *str; /* identifier / string text */
    ast_node *node;  /* numbers */
    bool virt;       /* a virtual SEP before '}' */
    bool newline;    /* a SEP that came from a newline */
} lex_token;

typedef struct lex_state {
    const char *src, *cur, *lim, *tok, *bol;
    int file, line;
    const char *colp; /* a position on the current line ... */
    int col;          /* ... and its column (see column() in lex.re) */
    int depth;     /* open ( and [ */
    int last;      /* kind of the last token returned */
    diag_ctx *diag;
    ax_arena *ar;
    ax_span braces[LEX_MAX_BRACES]; /* where each open { is */
    int brace_indent[LEX_MAX_BRACES]; /* the indentation of its line */
    int nbraces;
    ax_span misclosed;    /* the first '{' closed by a '}' indented less than its line ... */
    ax_span misclosed_by; /* ... and that '}' (line 0: none) */
    ax_span paren_at;   /* where the outermost open ( or [ is */
    ax_span paren_lost; /* an open ( or [ that a { or } cut off ... */
    int paren_lost_off; /* ... at this offset (of the { or }); -1 if none */
    lex_token pend[4]; /* tokens read ahead */
    int npend;
    int nest;     /* brackets and blocks open */
    bool stopped; /* nested too deeply: the rest of the file is not read ... */
    ax_span stop_at; /* ... from here */
    lex_token last_tok; /* the token returned last (the parser's lookahead) */
    lex_token prev_tok; /* the token returned before it */
    bool keep_comments; /* lex_raw returns comments as LEX_COMMENT tokens */
} lex_state;

void lex_init(lex_state *L, diag_ctx *d, ax_arena *ar, int file);
/* The next token for the parser (SEP rules applied). */
lex_token lex_next(lex_state *L);
/* Raw scanning, for the lexer unit tests and `axon dump tokens`. */
lex_token lex_raw(lex_state *L);
/* The '{' most likely left open, for messages when blocks are not closed (nbraces > 0): the
 * innermost open one, or one that a '}' indented like an outer block closed, after it
 * (*closed_by is that '}'; line 0 when none). */
ax_span lex_open_brace(const lex_state *L, ax_span *closed_by);

/* The newline rules, for tools that lay out tokens (the formatter): can a statement end
 * after a token of kind tok, and does a line starting with tok continue the statement before
 * it (`every` does unless `step` follows it). */
bool lex_can_end(int tok);
bool lex_continues(int tok);
/* A description of a token kind for messages ("identifier", "'{'"). */
const char *lex_token_desc(int tok);
/* Whether word is a keyword of the language (for tools that make names: renaming). */
bool lex_is_keyword(const char *word);

#endif
