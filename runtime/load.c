/*
 * axon_model_open: a compiled model from a shared library (`axon build --emit shared`).
 *
 * The library is opened with RTLD_NOW, so a model that needs a symbol this process lacks fails
 * here rather than in the middle of a step, and RTLD_LOCAL, so two models' libraries never see
 * each other's symbols (they are prefixed anyway, model.h). The descriptor's ABI is checked
 * before the handle is returned: a model built for another runtime is refused with both version
 * numbers, never run. So that a wrong name is refused rather than read (a function's code, a
 * variable of a library the model links), the symbol must be a data object of the library
 * opened, at least as large as the ABI field, and of a descriptor's size once the ABI agrees.
 */
#include <dlfcn.h>
#include <link.h>
#include <stdlib.h>
#include <string.h>

#include "axon/axon.h"

struct axon_model_handle {
    void *dl;
    const axon_model_desc *desc;
};

/* Why the symbol at addr, found through dl, cannot be a model descriptor, or NULL; *size: its
 * ELF size (0 when it cannot be told). */
static const char *rt_not_descriptor(void *dl, const void *addr, size_t *size)
{
    Dl_info info;
    const ElfW(Sym) *es = NULL;
    struct link_map *lm = NULL;
    *size = 0;
    if (!dladdr1(addr, &info, (void **)&es, RTLD_DL_SYMENT) || !es ||
        dlinfo(dl, RTLD_DI_LINKMAP, &lm) != 0 || !lm)
        return NULL; /* nothing to tell by: the ABI check below still applies */
    *size = (size_t)es->st_size;
    int type = ELF64_ST_TYPE(es->st_info); /* the same low 4 bits in 32-bit ELF */
    if (type != STT_OBJECT)
        return type == STT_FUNC ? "a function" : "not a variable";
    if (!info.dli_fname || !lm->l_name || strcmp(info.dli_fname, lm->l_name))
        return "a variable of another library it links";
    if (es->st_size < sizeof(uint32_t))
        return "a variable too small";
    return NULL;
}

axon_model_handle *axon_model_open(const char *path, const char *symbol, axon_err *err)
{
    if (!path || !*path) {
        axon_err_set(err, AXON_EINVAL, "axon_model_open: no library path");
        return NULL;
    }
    const char *sym = symbol ? symbol : "axon_model";
    if (!*sym) {
        axon_err_set(err, AXON_EINVAL, "%s: empty descriptor symbol name", path);
        return NULL;
    }
    /* a bare name would be searched for on the library path, not in the current directory,
       which surprises: "model.so" means ./model.so */
    char *full = NULL;
    if (!strchr(path, '/')) {
        size_t n = strlen(path);
        if (!(full = malloc(n + 3))) {
            axon_err_set(err, AXON_ENOMEM, "out of memory");
            return NULL;
        }
        memcpy(full, "./", 2);
        memcpy(full + 2, path, n + 1);
    }
    axon_model_handle *h = calloc(1, sizeof *h);
    if (!h) {
        free(full);
        axon_err_set(err, AXON_ENOMEM, "out of memory");
        return NULL;
    }
    dlerror();
    h->dl = dlopen(full ? full : path, RTLD_NOW | RTLD_LOCAL);
    free(full);
    if (!h->dl) {
        const char *why = dlerror();
        axon_err_set(err, AXON_EIO, "cannot load model library: %s", why ? why : path);
        free(h);
        return NULL;
    }
    dlerror();
    h->desc = dlsym(h->dl, sym);
    const char *why = dlerror();
    axon_status st = AXON_OK;
    size_t size = 0;
    if (why || !h->desc)
        st = axon_err_set(err, AXON_EINVAL, "%s: no model descriptor '%s'%s", path, sym,
                          symbol ? "" : " (built with --symbol? pass that name)");
    else if ((why = rt_not_descriptor(h->dl, h->desc, &size)))
        st = axon_err_set(err, AXON_EINVAL, "%s: '%s' is not a model descriptor (%s)", path, sym,
                          why);
    else if (h->desc->abi != AXON_ABI_VERSION)
        st = axon_err_set(err, AXON_EINVAL,
                          "%s: model '%s' was compiled for runtime ABI %u, but this runtime "
                          "(%s) implements ABI %d: rebuild the model with this axon",
                          path, sym, h->desc->abi, axon_version(), AXON_ABI_VERSION);
    else if (size != sizeof(axon_model_desc))
        st = axon_err_set(err, AXON_EINVAL,
                          "%s: '%s' is not a model descriptor (%zu bytes, not %zu)", path, sym,
                          size, sizeof(axon_model_desc));
    if (st != AXON_OK) {
        dlclose(h->dl);
        free(h);
        return NULL;
    }
    return h;
}

const axon_model_desc *axon_model_descriptor(const axon_model_handle *h)
{
    return h ? h->desc : NULL;
}

void axon_model_close(axon_model_handle *h)
{
    if (!h)
        return;
    dlclose(h->dl);
    free(h);
}
