/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * nv-vmbind page-table pool: the VRAM the device keeps for the page tables
 * it builds (carved from the top of VRAM, NVVB_REG_PT_POOL_*).
 *
 * The pool hands out 4 KiB granules (PD3, PD2, PD1, PD0 and small-page
 * tables) and 256-byte slots (big-page tables, NV_MMU_VER2 LPT size), the
 * slots sub-allocated 16 to a granule.  Allocation is deterministic: the
 * lowest free granule, the lowest free slot of the lowest partly used slab,
 * so the same sequence of requests always yields the same addresses.  The
 * pool only does bookkeeping; it never touches the memory.
 *
 * QEMU-independent core (C11 + GLib).  Not thread-safe: one pool per
 * device, used under the device's lock.
 */
#ifndef NV_VMBIND_PT_POOL_H
#define NV_VMBIND_PT_POOL_H

#include <stdbool.h>
#include <stdint.h>

/* Allocation units. */
#define NVVB_PT_POOL_GRANULE        4096u   /* PD3..PD0, small PT */
#define NVVB_PT_POOL_SLOT           256u    /* big PT */
#define NVVB_PT_POOL_SLOTS_PER_GRANULE \
    (NVVB_PT_POOL_GRANULE / NVVB_PT_POOL_SLOT)
/* Largest pool: 2^32 granules (16 TiB) keeps the indices in 32 bits. */
#define NVVB_PT_POOL_SIZE_MAX       (1ull << 44)

typedef struct NvvbPtPool NvvbPtPool;

/**
 * nvvb_pt_pool_new: create a pool managing [@base, @base + @size).
 * @base: first byte; must be 4 KiB aligned
 * @size: bytes; rounded down to whole granules
 *
 * Returns: the pool, or NULL if @base is misaligned, @size holds no granule,
 * exceeds NVVB_PT_POOL_SIZE_MAX or @base + @size overflows.
 */
NvvbPtPool *nvvb_pt_pool_new(uint64_t base, uint64_t size);

/**
 * nvvb_pt_pool_free: destroy @pool (NULL is a no-op).  Users first. */
void nvvb_pt_pool_free(NvvbPtPool *pool);

/**
 * nvvb_pt_pool_alloc: allocate one table.
 * @pool: the pool
 * @size: NVVB_PT_POOL_GRANULE or NVVB_PT_POOL_SLOT
 * @addr: receives the address (aligned to @size)
 *
 * Returns: 0, -ENOSPC if nothing is free, -EINVAL for another @size.
 */
int nvvb_pt_pool_alloc(NvvbPtPool *pool, unsigned size, uint64_t *addr);

/**
 * nvvb_pt_pool_release: return a table allocated with the same @size.
 * Releasing something not allocated is ignored (returns false).
 *
 * Returns: true if @addr was allocated and is now free.
 */
bool nvvb_pt_pool_release(NvvbPtPool *pool, uint64_t addr, unsigned size);

/**
 * nvvb_pt_pool_claim: mark one table at a given address allocated (to
 * rebuild a pool's state after migration, see nvvb_ptm_load()).
 * @size: NVVB_PT_POOL_GRANULE or NVVB_PT_POOL_SLOT
 *
 * Returns: 0; -EINVAL if @addr is outside the pool or not aligned to @size
 * (or @size is neither); -EEXIST if it overlaps something allocated.
 */
int nvvb_pt_pool_claim(NvvbPtPool *pool, uint64_t addr, unsigned size);

/**
 * nvvb_pt_pool_free_bytes: bytes that could still be allocated: free
 * granules plus free slots of partly used slabs (NVVB_REG_PT_POOL_FREE).
 */
uint64_t nvvb_pt_pool_free_bytes(const NvvbPtPool *pool);

/**
 * nvvb_pt_pool_free_granules: whole free granules (each fits any table). */
uint64_t nvvb_pt_pool_free_granules(const NvvbPtPool *pool);

/** nvvb_pt_pool_base / _size: the managed range (size whole granules). */
uint64_t nvvb_pt_pool_base(const NvvbPtPool *pool);
uint64_t nvvb_pt_pool_size(const NvvbPtPool *pool);

/**
 * nvvb_pt_pool_is_allocated: true if [@addr, @addr + @size) is exactly one
 * table of that @size currently allocated.
 */
bool nvvb_pt_pool_is_allocated(const NvvbPtPool *pool, uint64_t addr,
                               unsigned size);

#endif /* NV_VMBIND_PT_POOL_H */
