/*
 * lsp: `axon lsp`, a Language Server Protocol server over standard input and output. A client
 * of the compiler library (<axon/axonc.h>) like the rest of the `axon` command: each open
 * document is loaded and checked as one unit, and the editor's questions (hover, definition,
 * references, completion, outline, formatting) are answered from that unit. JSON through
 * json-c. See editors/README.md.
 */
#ifndef AXON_LSP_H
#define AXON_LSP_H

/* `axon lsp [--debounce MS]`: serves until the client sends `exit` or closes the input; the
 * exit status is 0 after a `shutdown` request, 1 otherwise (as the protocol says), 2 for a
 * usage error. */
int lsp_main(int argc, char **argv);

#endif
