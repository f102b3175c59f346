/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * nv-vmbind page-table manager: builds NVIDIA VER2 page tables in VRAM for
 * one GPU VM from map / unmap / sparse requests or batches of them
 * (ptm-gpuvm.h makes batches from GPUVM op lists; the manager itself knows
 * nothing of the GPUVM).
 *
 * The rules (page-size choice, sparse encoding, table lifetime, write
 * skipping, invalidation, errors) are described in the DOC block of ptm.c
 * and in docs/devel/nv-vmbind-ptm.rst.  In one paragraph: every table comes
 * from an NvvbPtPool and goes back when it no longer holds a valid PTE, a
 * table pointer or a sparse marker of a region; each 4 KiB-granular piece
 * of a mapping gets the largest of 2 MiB / 64 KiB / 4 KiB pages that its VA
 * alignment, length and backing allow (2 MiB and 64 KiB for VRAM only, as
 * nouveau's gp100 page list); sparse regions are marked at the largest
 * aligned level, as nouveau's nvkm_vmm_ptes_sparse() does; an entry is
 * only written when its value changes; a request that cannot get the
 * tables it needs fails with -ENOSPC and changes nothing.
 *
 * All table reads and writes go through the NvGmmuMem given at creation
 * (mem->read and mem->write, aperture VID).  QEMU-independent core (C11 +
 * GLib).  Not thread-safe: callers serialise (the device holds its lock
 * across a request, as it does for the GPUVM).
 */
#ifndef NV_VMBIND_PTM_H
#define NV_VMBIND_PTM_H

#include <stdbool.h>
#include <stdint.h>

#include <glib.h>

#include "gmmu-walk.h"
#include "pt-pool.h"

typedef struct NvvbPtm NvvbPtm;

/* PTE attributes of one mapping (NVVB_MAP_FLAGS of the bind descriptor). */
typedef struct NvvbPtmAttrs {
    uint8_t kind;           /* NV_MMU_VER2_PTE_KIND */
    bool read_only;         /* NV_MMU_VER2_PTE_READ_ONLY */
    bool priv;              /* NV_MMU_VER2_PTE_PRIVILEGE */
    bool atomic_disable;    /* NV_MMU_VER2_PTE_ATOMIC_DISABLE */
} NvvbPtmAttrs;

/*
 * Where a byte of a buffer object lives: @len bytes from @addr in
 * @aperture are physically contiguous.  @addr must be 4 KiB aligned and
 * @len at least 4 KiB (only whole 4 KiB pages are used); VID for VRAM,
 * SYS_COH or SYS_NCOH for guest memory.
 */
typedef struct NvvbPtmExtent {
    NvGmmuAperture aperture;
    uint64_t addr;
    uint64_t len;
} NvvbPtmExtent;

/*
 * Backing resolver: fill @ext for byte @bo_offset of the mapped BO; return
 * false if the offset has no backing.  Must answer the same way for the
 * whole request (it is asked once to validate and again to write).
 */
typedef bool (*NvvbPtmBackingFn)(void *opaque, uint64_t bo_offset,
                                 NvvbPtmExtent *ext);

typedef struct NvvbPtmBacking {
    NvvbPtmBackingFn fn;
    void *opaque;
} NvvbPtmBacking;

/*
 * What one request did.  TLB invalidation: if @changed, issue one
 * invalidate for this VM's PDB covering [@va_start, @va_end) (or all VAs)
 * with CACHE_LEVEL nvvb_ptm_cache_level(); if not, the tables are
 * byte-for-byte what they were and no invalidate is needed.
 */
typedef struct NvvbPtmResult {
    bool changed;               /* at least one entry was written */
    /* Highest level written (PD3 highest); NV_GMMU_LEVEL_NONE if !changed */
    NvGmmuLevel top_level;
    uint64_t va_start;          /* VAs whose translation may have */
    uint64_t va_end;            /* changed: [va_start, va_end) */
    uint64_t written;           /* entries written */
    uint64_t skipped;           /* entries already holding the value */
    uint32_t tables_allocated;
    uint32_t tables_freed;
    bool journaled;             /* ran with the undo journal (pool tight) */
} NvvbPtmResult;

/* Totals since creation (tables_live / table_bytes: now). */
typedef struct NvvbPtmStats {
    uint64_t requests;          /* successful requests */
    uint64_t failed;            /* requests that returned an error */
    uint64_t enospc;            /* ... of which -ENOSPC */
    uint64_t journaled;         /* requests run with the journal */
    uint64_t rollbacks;         /* journaled requests undone */
    uint64_t entries_written;
    uint64_t entries_skipped;
    uint64_t tables_allocated;
    uint64_t tables_freed;
    uint64_t tables_live;       /* including the PD3 */
    uint64_t table_bytes;       /* pool bytes held (4096 or 256 each) */
} NvvbPtmStats;

/* When to run a request with the undo journal. */
typedef enum NvvbPtmJournalMode {
    NVVB_PTM_JOURNAL_AUTO = 0,  /* only when the pool may run out */
    NVVB_PTM_JOURNAL_ALWAYS,    /* every request (tests) */
} NvvbPtmJournalMode;

/**
 * nvvb_ptm_new: create a VM's page tables: an empty PD3 from @pool.
 * @out: receives the manager
 * @pool: table memory (shared by the device's VMs; outlives the manager)
 * @mem: accessor for VRAM (read and write required); copied
 *
 * Returns: 0, -ENOSPC if the pool has no granule left, -EIO if the PD3
 * cannot be written, -EINVAL if @mem has no write function.
 */
int nvvb_ptm_new(NvvbPtm **out, NvvbPtPool *pool, const NvGmmuMem *mem);

/**
 * nvvb_ptm_free: release every table of @ptm (NULL is a no-op).  The
 * memory is not rewritten: the caller stops using the PDB first and
 * invalidates the TLB for it.
 */
void nvvb_ptm_free(NvvbPtm *ptm);

/**
 * nvvb_ptm_pdb: VRAM address of the PD3 (for NV_RAMIN / VM_PDB). */
uint64_t nvvb_ptm_pdb(const NvvbPtm *ptm);

/**
 * nvvb_ptm_map: map [@va, @va + @range) to a BO, replacing whatever is
 * mapped there (no unmap needed first: this is also how a moved BO's PTEs
 * are rewritten).
 * @ptm: the manager
 * @va: 4 KiB aligned
 * @range: non-zero multiple of 4 KiB, @va + @range <= 2^49
 * @bo_offset: BO offset of @va; the resolver is asked for @bo_offset +
 *             (page VA - @va)
 * @backing: resolver
 * @attrs: PTE attributes
 * @res: receives what was done (may be NULL)
 *
 * Pages cut by the range ends that belong to a larger page are rewritten
 * as smaller pages with their old translation.
 *
 * Returns: 0; -EINVAL for a bad range or a backing extent that is missing,
 * misaligned, shorter than 4 KiB, outside its aperture or PEER; -ENOSPC if
 * the pool cannot hold the tables.  Nothing changed then (tables, pool
 * memory and pool state).  -EIO: the accessor refused pool memory (a
 * device bug); tables may be partly written.
 */
int nvvb_ptm_map(NvvbPtm *ptm, uint64_t va, uint64_t range,
                 uint64_t bo_offset, const NvvbPtmBacking *backing,
                 const NvvbPtmAttrs *attrs, NvvbPtmResult *res);

/**
 * nvvb_ptm_unmap: remove the pages in [@va, @va + @range).  Entries inside
 * a sparse region (nvvb_ptm_sparse()) return to sparse, the others fault.
 * Larger pages cut by the range ends keep their outside part (as smaller
 * pages), which may need tables.
 *
 * Returns: 0, -EINVAL (bad range) or -ENOSPC (nothing changed then), or
 * -EIO as nvvb_ptm_map().
 */
int nvvb_ptm_unmap(NvvbPtm *ptm, uint64_t va, uint64_t range,
                   NvvbPtmResult *res);

/**
 * nvvb_ptm_sparse: create or destroy a sparse region.
 * @enable: create [@va, @va + @range): it must not overlap another region
 *          (-EEXIST); unmapped entries in it become sparse markers at the
 *          largest aligned level (PD3 .. 4 KiB PTE), as nouveau writes them.
 *          Pages already mapped stay mapped and return to sparse when
 *          unmapped.  Destroy: the range must be exactly a region
 *          (-ENOENT); its markers are cleared, mapped pages stay.
 *
 * Returns: 0, -EINVAL, -EEXIST, -ENOENT or -ENOSPC (nothing changed
 * then), or -EIO as nvvb_ptm_map().
 */
int nvvb_ptm_sparse(NvvbPtm *ptm, uint64_t va, uint64_t range, bool enable,
                    NvvbPtmResult *res);

/**
 * nvvb_ptm_in_sparse: true if [@va, @va + @range) lies inside one sparse
 * region created with nvvb_ptm_sparse().
 */
bool nvvb_ptm_in_sparse(NvvbPtm *ptm, uint64_t va, uint64_t range);

/* One step of a batch: a mapping to write or a range to clear. */
typedef enum NvvbPtmStepType {
    NVVB_PTM_STEP_MAP,          /* as nvvb_ptm_map() */
    NVVB_PTM_STEP_CLEAR,        /* as nvvb_ptm_unmap() */
} NvvbPtmStepType;

typedef struct NvvbPtmStep {
    NvvbPtmStepType type;
    uint64_t va;                /* 4 KiB aligned */
    uint64_t range;             /* non-zero multiple of 4 KiB */
    uint64_t bo_offset;         /* MAP: BO offset of @va */
} NvvbPtmStep;

/**
 * nvvb_ptm_apply: write a batch of steps to the tables, in order, as one
 * request.
 * @ptm: the manager
 * @steps: MAP and CLEAR steps
 * @n: how many
 * @backing: resolver for the MAP steps' BO (may be NULL if there is none)
 * @attrs: PTE attributes of the MAP steps (NULL: kind 0, no flags)
 * @res: receives what was done (may be NULL)
 *
 * CLEAR removes the pages of its range as nvvb_ptm_unmap() does (back to
 * sparse inside a region; a larger page it cuts keeps its outside part);
 * MAP is nvvb_ptm_map().  A CLEAR followed by a MAP of the same range
 * rewrites only what changes.  All steps are checked before anything is
 * written, so on error the tables and the pool are unchanged.
 * ptm-gpuvm.h turns a GPUVM op list into steps.
 *
 * Returns: 0; -EINVAL (bad range or type, bad backing); -ENOSPC; -EIO.
 */
int nvvb_ptm_apply(NvvbPtm *ptm, const NvvbPtmStep *steps, unsigned n,
                   const NvvbPtmBacking *backing, const NvvbPtmAttrs *attrs,
                   NvvbPtmResult *res);

/**
 * nvvb_ptm_rewrite: rewrite the pages of mappings of one BO after its
 * backing changed (BO_MOVE), keeping each mapping's attributes (kind, RO,
 * PRIV, ATOMIC_DISABLE) as read from its first page.  Page sizes follow
 * the new backing.  All or nothing.
 * @ptm: the manager
 * @maps: the mappings, as MAP steps (va, range, bo_offset)
 * @n: how many
 * @backing: the BO's new backing
 * @res: receives what was done (may be NULL)
 *
 * Returns: 0; -EINVAL for a step that is not a MAP; -ENOENT if a mapping's
 * first page is not mapped; else as nvvb_ptm_map().
 */
int nvvb_ptm_rewrite(NvvbPtm *ptm, const NvvbPtmStep *maps, unsigned n,
                     const NvvbPtmBacking *backing, NvvbPtmResult *res);

/**
 * nvvb_ptm_lookup: the page mapping @va according to the manager.
 * @level: receives PD0 (2 MiB), PT_BIG (64 KiB) or PT_SMALL (4 KiB)
 * @pte: receives the PTE
 *
 * Returns: 0, -ENOENT if @va is not mapped, -EIO if the PTE is unreadable.
 */
int nvvb_ptm_lookup(NvvbPtm *ptm, uint64_t va, NvGmmuLevel *level,
                    uint64_t *pte);

/**
 * nvvb_ptm_map_bound: upper bound of the pool granules nvvb_ptm_map()
 * with these arguments can allocate (0 if the arguments are invalid).  A
 * device that must update several VMs at once (a BO mapped in more than one)
 * can compare the sum with nvvb_pt_pool_free_granules() first.
 */
uint64_t nvvb_ptm_map_bound(uint64_t va, uint64_t range, uint64_t bo_offset,
                            const NvvbPtmBacking *backing);

/**
 * nvvb_ptm_cache_level: NV_PFB_PRI_MMU_INVALIDATE CACHE_LEVEL for @res:
 * PTE_ONLY if only page tables changed, UP_TO_PDE0..3 after PD0..PD3
 * entries changed.  Meaningless if !res->changed.
 */
unsigned nvvb_ptm_cache_level(const NvvbPtmResult *res);

/**
 * nvvb_ptm_result_merge: fold @r into @acc (both initialised). */
void nvvb_ptm_result_merge(NvvbPtmResult *acc, const NvvbPtmResult *r);

/**
 * nvvb_ptm_save: the manager's bookkeeping, for migration: its sparse
 * regions and where its tables are (level, VA, address) -- not their
 * contents, which live in VRAM and migrate with it.  Little-endian blob,
 * 24 + 16 bytes per region + 17 bytes per table.
 *
 * Returns: a new GByteArray (g_byte_array_unref() it).
 */
GByteArray *nvvb_ptm_save(const NvvbPtm *ptm);

/**
 * nvvb_ptm_load: recreate a manager from nvvb_ptm_save() output over the
 * tables in VRAM (after VRAM migrated): claims its tables in @pool at their
 * recorded addresses (so the PDB and every table keep their address), takes
 * valid PTEs from VRAM and rewrites every other entry -- PDE pointers,
 * sparse markers, zeroes -- from the recorded structure, so a table damaged
 * in VRAM is repaired rather than trusted.
 * @out: receives the manager
 * @pool: the pool (load every VM of a device into one fresh pool)
 * @mem: as nvvb_ptm_new()
 * @data, @len: the blob
 *
 * Returns: 0; -EINVAL for a malformed blob (bad magic, version or length;
 * a table at a bad level or VA, without its parent, outside the pool or
 * overlapping another; regions unsorted or overlapping, or without the
 * tables their markers need); -EIO if VRAM cannot be read or written.
 * On error nothing stays claimed.
 */
int nvvb_ptm_load(NvvbPtm **out, NvvbPtPool *pool, const NvGmmuMem *mem,
                  const void *data, size_t len);

/**
 * nvvb_ptm_get_stats: totals since creation (see NvvbPtmStats). */
void nvvb_ptm_get_stats(const NvvbPtm *ptm, NvvbPtmStats *stats);

/**
 * nvvb_ptm_set_journal: when requests run with the undo journal; ALWAYS
 * is for tests (the journal's own correctness), AUTO the default.
 */
void nvvb_ptm_set_journal(NvvbPtm *ptm, NvvbPtmJournalMode mode);

#endif /* NV_VMBIND_PTM_H */
