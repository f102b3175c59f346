/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * What every core fuzz target shares: an invariant that aborts, so that
 * libFuzzer (and fuzz-main.c over a corpus) reports the input.
 */
#ifndef NVVB_FUZZ_CHECK_H
#define NVVB_FUZZ_CHECK_H

#include <stdio.h>
#include <stdlib.h>

#define CHECK(cond) \
    do { \
        if (!(cond)) { \
            fprintf(stderr, "%s:%d: invariant failed: %s\n", __FILE__, \
                    __LINE__, #cond); \
            abort(); \
        } \
    } while (0)

#endif /* NVVB_FUZZ_CHECK_H */
