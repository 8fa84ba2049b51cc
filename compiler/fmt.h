/*
 * fmt: the canonical layout of a model file (`axon fmt`, the language server's formatting).
 * It works on the token stream with its comments, not on the syntax tree, so that every
 * comment stays where it was: on its own line before the same code, or at the end of the
 * same line. What it decides:
 *   - indentation: 4 spaces per open block; a line that continues a statement is indented
 *     4 more, or, inside brackets opened with something after them, lined up after the bracket;
 *   - one statement per line: `a = 1; b = 2` becomes two lines, and so does a one-line block
 *     that holds several statements; a block with one statement written on one line stays so;
 *   - spacing: one blank around binary operators, `=`, `:`, `->`, `..` and keywords; none
 *     inside brackets, before `,`, around `.` and `^`, after a unary sign; a number and its
 *     unit are written `20 ms`;
 *   - `=` lined up in runs of consecutive `name = value` lines of one block (parameters,
 *     state, equations; derivatives and definitions each in runs of their own), and trailing
 *     comments of consecutive lines lined up two blanks after the longest line;
 *   - blank lines: at most one in a row, none at the start or end of a block, exactly one
 *     around each neuron, synapse, rule and module (before its doc comment).
 * The user's line breaks inside a statement are kept (there is no line-length limit). The
 * result parses to exactly the syntax tree of the input: fmt_source checks that and gives
 * NULL rather than a text that would mean something else.
 */
#ifndef AXON_FMT_H
#define AXON_FMT_H

#include <stddef.h>

/* The formatted text of a file that lexes and parses without errors in *out (malloc'd, the
 * caller frees): FMT_OK; otherwise *out is NULL and the result FMT_NOMEM when memory ran out
 * (nothing leaks), FMT_CHANGED when the text has errors or when the laid-out text would not
 * parse to the same syntax tree (a bug in the formatter; the caller keeps the text as it was). */
enum { FMT_OK = 0, FMT_CHANGED = -1, FMT_NOMEM = -2 };
int fmt_source(const char *text, size_t len, char **out);

#endif
