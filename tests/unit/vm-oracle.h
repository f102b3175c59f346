/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The VM object's oracle, shared by tests/unit/test-vm.c and
 * tests/fuzz/fuzz-vm.c: do a VM's page tables say what its GPUVM says, and
 * did a refused request leave everything as it was?
 *
 * Agreement is computed on ranges, so a sparse region of 2^46 bytes costs
 * as little as a 4 KiB mapping: the GPUVM gives the expected ranges (every
 * mapping, split where its buffer's backing is discontiguous; every sparse
 * region minus its mappings), the tables give theirs (nv_gmmu_dump()), and
 * a sweep over both counts the 4 KiB pages whose state, aperture, address,
 * kind or attribute bits differ.  nv_gmmu_walk() then checks that each
 * dumped range translates as the dump says (every page, or its first and
 * last), so the walker the device uses is checked too.  The expected
 * backing is computed here from NvvbBuffer's fields, not by the core.
 */
#ifndef NVVB_TESTS_VM_ORACLE_H
#define NVVB_TESTS_VM_ORACLE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <glib.h>

#include "vm.h"

/**
 * vmo_mismatches: pages where @vm's tables and its GPUVM disagree.
 * @mem: the accessor the tables live behind
 * @vm: the VM (with tables)
 * @every_page: walk every page of every dumped range, not just its ends
 *
 * Returns: 0 if they agree; else the number of disagreeing 4 KiB pages
 * plus the walked pages that do not translate as the dump says.
 */
uint64_t vmo_mismatches(const NvGmmuMem *mem, NvvbVm *vm, bool every_page);

/**
 * vmo_evicted: vm_bos on @vm's evict list.
 * @vm: the VM
 *
 * Returns: the count.
 */
unsigned vmo_evicted(NvvbVm *vm);

/*
 * Everything a refused request must leave as it was: each VM's mappings,
 * regions and evict count, each buffer's backing, every byte of the pool,
 * the pool's free space and the invalidates counted by the caller.
 */
typedef struct VmoSnap {
    GString *state;
    uint8_t *pool;
    size_t pool_len;
    size_t pool_cap;
    uint64_t pool_free;
    unsigned invalidates;
} VmoSnap;

/**
 * vmo_snap_take: record @s (vmo_snap_clear() frees it).
 * @s: receives the snapshot: zero-initialised, or an earlier snapshot
 *     whose buffers are reused
 * @vms: VM slots (NULL entries skipped)
 * @nvms: entries in @vms
 * @bos: buffer slots (NULL entries skipped)
 * @nbos: entries in @bos
 * @pool: the page-table pool
 * @pool_bytes: the pool's bytes in VRAM
 * @invalidates: the caller's invalidate count
 */
void vmo_snap_take(VmoSnap *s, NvvbVm *const *vms, unsigned nvms,
                   NvvbBuffer *const *bos, unsigned nbos,
                   const NvvbPtPool *pool, const uint8_t *pool_bytes,
                   unsigned invalidates);

/**
 * vmo_snap_diff: what differs between two snapshots.
 * @a: one
 * @b: the other
 *
 * Returns: NULL if they are equal, else a static description.
 */
const char *vmo_snap_diff(const VmoSnap *a, const VmoSnap *b);

/**
 * vmo_snap_clear: free what vmo_snap_take() recorded.
 * @s: the snapshot
 */
void vmo_snap_clear(VmoSnap *s);

#endif /* NVVB_TESTS_VM_ORACLE_H */
