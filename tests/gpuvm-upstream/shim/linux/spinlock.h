/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Shim (see linux/types.h): the test is single-threaded; locks count. */
#ifndef SHIM_LINUX_SPINLOCK_H
#define SHIM_LINUX_SPINLOCK_H
#include <assert.h>
typedef struct {
    int held;
} spinlock_t;
#define spin_lock_init(l) ((l)->held = 0)
#define spin_lock(l) do { assert(!(l)->held); (l)->held = 1; } while (0)
#define spin_unlock(l) do { assert((l)->held); (l)->held = 0; } while (0)
#define lockdep_assert_held(l) do { } while (0)
#endif
