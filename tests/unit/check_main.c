/* One runner for every unit-test suite. `check_axon SUITE` runs one. */
#include "check_suites.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef Suite *(*suite_fn)(void);

static const struct {
    const char *name;
    suite_fn fn;
} SUITES[] = {
    {"lex", lex_suite},       {"parse", parse_suite},   {"units", units_suite},
    {"rng", rng_suite},       {"tensor", tensor_suite}, {"io", io_suite},
    {"sx", sx_suite},         {"sema", sema_suite},     {"engine", engine_suite}, {"proj", proj_suite}, {"api", api_suite},
    {"delays", delays_suite},
    {"axonc", axonc_suite},
    {"cg", cg_suite},
    {"analysis", analysis_suite},
    {"param", param_suite},
    {"editors", editors_suite},
    {"misuse", misuse_suite},
};

int main(int argc, char **argv)
{
    SRunner *sr = NULL;
    for (size_t i = 0; i < sizeof SUITES / sizeof SUITES[0]; i++) {
        if (argc > 1 && strcmp(argv[1], SUITES[i].name))
            continue;
        if (!sr)
            sr = srunner_create(SUITES[i].fn());
        else
            srunner_add_suite(sr, SUITES[i].fn());
    }
    if (!sr) {
        fprintf(stderr, "check_axon: no suite named '%s'\n", argv[1]);
        return 2;
    }
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
