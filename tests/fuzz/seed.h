/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * What the seed generators (gen-*-corpus.c) share: an input built as a
 * byte array of little-endian fields, written to a corpus directory.
 */
#ifndef NVVB_FUZZ_SEED_H
#define NVVB_FUZZ_SEED_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include <glib.h>

typedef GByteArray Seed;

/* Append the low @n bytes of @v, least significant first. */
static inline void put(Seed *s, uint64_t v, unsigned n)
{
    unsigned i;

    for (i = 0; i < n; i++) {
        uint8_t b = (uint8_t)(v >> (8 * i));

        g_byte_array_append(s, &b, 1);
    }
}

/* A generator's one argument, its output directory, created; else usage. */
static inline const char *seed_dir(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "usage: %s DIR\n", argv[0]);
        exit(2);
    }
    g_mkdir_with_parents(argv[1], 0755);
    return argv[1];
}

/* Write @s to @dir/@name and free it; exits on an I/O error. */
static inline void save(const char *dir, const char *name, Seed *s)
{
    char *path = g_build_filename(dir, name, NULL);
    GError *err = NULL;

    if (!g_file_set_contents(path, (const char *)s->data, s->len, &err)) {
        fprintf(stderr, "%s\n", err->message);
        exit(1);
    }
    g_free(path);
    g_byte_array_free(s, true);
}

#endif /* NVVB_FUZZ_SEED_H */
