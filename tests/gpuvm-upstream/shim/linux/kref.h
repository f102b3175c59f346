/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Shim (see linux/types.h): reference counts, single-threaded. */
#ifndef SHIM_LINUX_KREF_H
#define SHIM_LINUX_KREF_H

#include <assert.h>
#include <stdbool.h>

struct kref {
    unsigned int refcount;
};

static inline void kref_init(struct kref *k)
{
    k->refcount = 1;
}

static inline void kref_get(struct kref *k)
{
    assert(k->refcount > 0);
    k->refcount++;
}

static inline bool kref_get_unless_zero(struct kref *k)
{
    if (!k->refcount) {
        return false;
    }
    k->refcount++;
    return true;
}

static inline int kref_put(struct kref *k, void (*release)(struct kref *))
{
    assert(k->refcount > 0);
    if (--k->refcount) {
        return 0;
    }
    release(k);
    return 1;
}

#endif
