/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Shim (see linux/types.h): reservation objects are only compared by
 * address in drm_gpuvm; locking them is the single-threaded test's no-op.
 */
#ifndef SHIM_LINUX_DMA_RESV_H
#define SHIM_LINUX_DMA_RESV_H
#include <linux/kernel.h>
#include <linux/list.h>
#include <linux/kref.h>
#include <linux/spinlock.h>

struct dma_fence;
struct dma_resv {
    int unused;
};
enum dma_resv_usage {
    DMA_RESV_USAGE_KERNEL,
    DMA_RESV_USAGE_WRITE,
    DMA_RESV_USAGE_READ,
    DMA_RESV_USAGE_BOOKKEEP,
};
#define dma_resv_held(r) ((void)(r), 1)
#define dma_resv_assert_held(r) do { (void)(r); } while (0)
static inline void dma_resv_add_fence(struct dma_resv *r,
                                      struct dma_fence *f,
                                      enum dma_resv_usage u)
{
    shim_unused_path("dma_resv_add_fence");
}
#endif
