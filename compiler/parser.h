/*
 * parser: turns one registered source file into an AST. Syntax errors go to
 * the diag_ctx; the returned tree holds every item that parsed (it is never
 * NULL), so later passes can run on the rest and report more.
 */
#ifndef AXON_PARSER_H
#define AXON_PARSER_H

#include "ast.h"
#include "diag.h"
#include "util.h"

ast_node *parse_file(ax_arena *ar, diag_ctx *d, int file);
/* One expression (and nothing else but line ends): a REPL entry. NULL after a syntax error
 * (reported). */
ast_node *parse_expr(ax_arena *ar, diag_ctx *d, int file);

#endif
