/* The unit-test suites; check_main.c runs them all. */
#ifndef AXON_CHECK_SUITES_H
#define AXON_CHECK_SUITES_H

#include <check.h>

Suite *lex_suite(void);
Suite *parse_suite(void);
Suite *units_suite(void);
Suite *rng_suite(void);
Suite *tensor_suite(void);
Suite *io_suite(void);
Suite *sx_suite(void);
Suite *engine_suite(void);
Suite *proj_suite(void);
Suite *delays_suite(void);
Suite *api_suite(void);
Suite *sema_suite(void);
Suite *axonc_suite(void);
Suite *cg_suite(void);
Suite *analysis_suite(void);
Suite *param_suite(void);
Suite *editors_suite(void);
Suite *misuse_suite(void);

#endif
