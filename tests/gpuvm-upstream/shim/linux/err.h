/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Shim (see linux/types.h): error pointers, as the kernel encodes them. */
#ifndef SHIM_LINUX_ERR_H
#define SHIM_LINUX_ERR_H
#include <errno.h>   /* Linux userspace errno values are the kernel's */
#include <stdbool.h>
#define MAX_ERRNO 4095
static inline void *ERR_PTR(long err) { return (void *)err; }
static inline long PTR_ERR(const void *p) { return (long)p; }
static inline bool IS_ERR(const void *p)
{
    return (unsigned long)p >= (unsigned long)-MAX_ERRNO;
}
static inline bool IS_ERR_OR_NULL(const void *p) { return !p || IS_ERR(p); }
#endif
