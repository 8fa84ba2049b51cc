/*
 * Internal: a small JSON reader for manifest.json (and the tests' expectations). The whole
 * document is parsed into one tree whose nodes and strings live in a single arena freed by
 * rt_json_free. Numbers are doubles (manifest integers stay below 2^53). Strings are UTF-8 with
 * escapes decoded (\uXXXX to UTF-8, surrogate pairs joined).
 */
#ifndef AXON_RT_JSON_H
#define AXON_RT_JSON_H

#include <stddef.h>

#include "axon/status.h"

typedef enum { RT_JNULL, RT_JBOOL, RT_JNUM, RT_JSTR, RT_JARR, RT_JOBJ } rt_jtype;

typedef struct rt_json rt_json;
struct rt_json {
    rt_jtype type;
    double num;       /* RT_JNUM; 0/1 for RT_JBOOL */
    const char *str;  /* RT_JSTR */
    size_t n;         /* RT_JARR, RT_JOBJ: elements / members */
    rt_json **items;  /* the elements, or the members' values */
    const char **keys; /* RT_JOBJ: the members' names */
};

typedef struct rt_json_doc rt_json_doc;

/* Parses text (len bytes). On a syntax error returns NULL with "NAME:LINE:COL: message" in err
 * (name labels the text, typically its path). */
rt_json_doc *rt_json_parse(const char *text, size_t len, const char *name, axon_err *err);
/* Reads and parses a file; errors name the path. */
rt_json_doc *rt_json_read(const char *path, axon_err *err);
const rt_json *rt_json_root(const rt_json_doc *d);
void rt_json_free(rt_json_doc *d);

/* The member named key of an object, or NULL (also when o is not an object or NULL). */
const rt_json *rt_json_get(const rt_json *o, const char *key);
/* The string of a member, or NULL when it is missing or not a string. */
const char *rt_json_str(const rt_json *o, const char *key);
/* The number of a member; 0 with *ok = 0 when it is missing or not a number (ok may be NULL). */
double rt_json_num(const rt_json *o, const char *key, int *ok);

#endif /* AXON_RT_JSON_H */
