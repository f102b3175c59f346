/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Shim (see linux/types.h): WARN and friends count into shim_warnings. */
#ifndef SHIM_LINUX_KERNEL_H
#define SHIM_LINUX_KERNEL_H

#include <stdio.h>
#include <linux/compiler.h>
#include <linux/container_of.h>
#include <linux/err.h>
#include <linux/export.h>
#include <linux/overflow.h>
#include <linux/slab.h>
#include <linux/types.h>

/* Every WARN that fires; the differential driver fails if it is not 0. */
extern unsigned long shim_warnings;
/* Called on code paths the test never takes (drm_exec, fences). */
void shim_unused_path(const char *what) __attribute__((noreturn));

#define WARN(cond, ...) ({ \
    bool shim_c_ = !!(cond); \
    if (shim_c_) { \
        shim_warnings++; \
        fprintf(stderr, "WARN %s:%d: ", __FILE__, __LINE__); \
        fprintf(stderr, __VA_ARGS__); \
    } \
    shim_c_; })
#define WARN_ON(cond) WARN(cond, "%s\n", #cond)
#define might_sleep() do { } while (0)

#endif
