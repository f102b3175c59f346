/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Standalone driver for libFuzzer targets, so that a target builds with
 * any compiler and runs over a checked-in corpus as a regression test:
 *
 *   fuzz-main FILE|DIR...
 *
 * Every file (directories: every file inside, sorted) is passed once to
 * LLVMFuzzerTestOneInput().  A target signals a bug by aborting.  Prints
 * TAP: one "ok" line per input.
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <glib.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static gint cmp_path(gconstpointer a, gconstpointer b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

static void collect(const char *path, GPtrArray *files)
{
    GDir *dir = g_dir_open(path, 0, NULL);
    GPtrArray *names;
    const char *name;
    unsigned i;

    if (!dir) {
        g_ptr_array_add(files, g_strdup(path));
        return;
    }
    names = g_ptr_array_new_with_free_func(g_free);
    while ((name = g_dir_read_name(dir))) {
        g_ptr_array_add(names, g_build_filename(path, name, NULL));
    }
    g_dir_close(dir);
    g_ptr_array_sort(names, cmp_path);
    for (i = 0; i < names->len; i++) {
        collect(g_ptr_array_index(names, i), files);
    }
    g_ptr_array_free(names, true);
}

int main(int argc, char **argv)
{
    GPtrArray *files = g_ptr_array_new_with_free_func(g_free);
    unsigned i;
    int a;

    if (argc < 2) {
        fprintf(stderr, "usage: %s FILE|DIR...\n", argv[0]);
        return 2;
    }
    for (a = 1; a < argc; a++) {
        collect(argv[a], files);
    }
    printf("1..%u\n", files->len);
    for (i = 0; i < files->len; i++) {
        const char *path = g_ptr_array_index(files, i);
        GError *err = NULL;
        gchar *data;
        gsize len;

        if (!g_file_get_contents(path, &data, &len, &err)) {
            printf("not ok %u %s # %s\n", i + 1, path, err->message);
            g_error_free(err);
            continue;
        }
        LLVMFuzzerTestOneInput((const uint8_t *)data, len);
        g_free(data);
        printf("ok %u %s\n", i + 1, path);
        fflush(stdout);
    }
    g_ptr_array_free(files, true);
    return 0;
}
