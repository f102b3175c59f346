/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Shim (see linux/types.h): kernel allocators over libc. */
#ifndef SHIM_LINUX_SLAB_H
#define SHIM_LINUX_SLAB_H
#include <stdlib.h>
#include <string.h>
#include <linux/types.h>
#define GFP_KERNEL 0u
static inline void *kzalloc(size_t size, gfp_t gfp) { return calloc(1, size); }
static inline void *kmalloc(size_t size, gfp_t gfp) { return malloc(size); }
static inline void kfree(const void *p) { free((void *)p); }
static inline void *kmemdup(const void *src, size_t len, gfp_t gfp)
{
    void *p = malloc(len);

    if (p) {
        memcpy(p, src, len);
    }
    return p;
}
#endif
