/* Versions of the runtime (axon.h). */
#include "axon/axon.h"

const char *axon_version(void)
{
    return AXON_VERSION_STRING;
}

int axon_version_number(void)
{
    return AXON_VERSION_NUMBER;
}

int axon_abi_version(void)
{
    return AXON_ABI_VERSION;
}
