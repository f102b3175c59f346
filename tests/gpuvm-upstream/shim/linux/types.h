/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Userspace shim of the kernel headers drm_gpuvm.c needs, written for
 * nv-vmbind's differential test (tests/gpuvm-upstream).  Only what
 * drm_gpuvm.c, lib/rbtree.c and the rbtree / interval-tree headers use.
 */
#ifndef SHIM_LINUX_TYPES_H
#define SHIM_LINUX_TYPES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef uint8_t u8;
typedef uint16_t u16;
typedef uint32_t u32;
typedef uint64_t u64;
typedef int8_t s8;
typedef int16_t s16;
typedef int32_t s32;
typedef int64_t s64;
typedef unsigned int gfp_t;

#define BIT(n) (1UL << (n))

#endif
