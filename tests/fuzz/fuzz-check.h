/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * What every core fuzz target shares: an invariant that aborts, so that
 * libFuzzer (and fuzz-main.c over a corpus) reports the input, and the
 * reader of the input's little-endian fields.
 */
#ifndef NVVB_FUZZ_CHECK_H
#define NVVB_FUZZ_CHECK_H

#include <stdint.h>
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

/*
 * The next @n input bytes at *@p (before @end) as a little-endian value;
 * missing bytes read as 0, so every input decodes.
 */
static inline uint64_t fuzz_take(const uint8_t **p, const uint8_t *end,
                                 unsigned n)
{
    uint64_t v = 0;
    unsigned i;

    for (i = 0; i < n && *p < end; i++) {
        v |= (uint64_t)*(*p)++ << (8 * i);
    }
    return v;
}

#endif /* NVVB_FUZZ_CHECK_H */
