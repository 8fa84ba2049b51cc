#include "axon/status.h"

#include <stdarg.h>
#include <stdio.h>

const char *axon_status_str(axon_status s)
{
    switch (s) {
    case AXON_OK: return "ok";
    case AXON_ENOMEM: return "out of memory";
    case AXON_EINVAL: return "invalid argument";
    case AXON_EIO: return "I/O error";
    case AXON_ERANGE: return "value out of range";
    case AXON_EFORMAT: return "malformed or unsupported data";
    case AXON_ESTOPPED: return "stopped";
    case AXON_ENONFINITE: return "state not finite";
    }
    return "unknown status";
}

axon_status axon_err_set(axon_err *e, axon_status s, const char *fmt, ...)
{
    if (!e)
        return s;
    if (!fmt) {
        snprintf(e->msg, sizeof e->msg, "%s", axon_status_str(s));
        return s;
    }
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(e->msg, sizeof e->msg, fmt, ap);
    va_end(ap);
    return s;
}
