/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * nv-vmbind GPUVM: the VA tree of a VM (private to gpuvm.c).
 *
 * An intrusive red-black tree of NvvbGpuVa keyed by start address, threaded
 * with a singly linked list in address order, plus a "finger": the node
 * last inserted, or the predecessor of the node last removed; and a hash
 * index of the mappings by start address, which answers requests that name
 * an existing mapping without descending.  Mappings
 * never overlap, so ordering by start also orders by end and the only
 * mapping that can contain an address is its floor (the last one starting
 * at or below it): no interval augmentation is needed.  Why this shape
 * rather than a GTree or drm_gpuvm's interval tree is in
 * docs/devel/nv-vmbind-gpuvm.rst ("VA tree").
 *
 * Plain C11 + GLib: no QEMU headers.
 */
#ifndef HW_DISPLAY_NV_VMBIND_GPUVM_TREE_H
#define HW_DISPLAY_NV_VMBIND_GPUVM_TREE_H

#include "gpuvm.h"

/*
 * The last mapping starting at or below @x, or NULL.  The finger answers
 * requests at or just after the last change without descending.
 */
NvvbGpuVa *nvvb_va_tree_floor(const NvvbVaTree *t, uint64_t x);
/*
 * Insert @va (not in any tree) between @floor (nvvb_va_tree_floor() of
 * va->addr, computed on the current tree) and its successor.  The caller
 * checked that @va overlaps neither.
 */
void nvvb_va_tree_insert(NvvbVaTree *t, NvvbGpuVa *va, NvvbGpuVa *floor);
/* Remove an inserted @va. */
void nvvb_va_tree_remove(NvvbVaTree *t, NvvbGpuVa *va);
/* The mapping that starts exactly at @addr, or NULL (the hash index). */
NvvbGpuVa *nvvb_va_tree_at(const NvvbVaTree *t, uint64_t addr);
/* Release what an empty tree still holds. */
void nvvb_va_tree_fini(NvvbVaTree *t);
/*
 * Check every red-black, order and list invariant; returns NULL or a
 * description of the first violation (for the unit tests).
 */
const char *nvvb_va_tree_check(const NvvbVaTree *t);

#endif
