/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * nv-vmbind GMMU: TLB model.
 *
 * Two caches with hardware semantics -- a cached entry stays until it is
 * invalidated, whatever happens to the page tables in memory:
 *
 * - the leaf TLB: complete walk results (NvGmmuTranslation, including the
 *   PTE flags, so permission checks still run on every hit), keyed by
 *   (PDB aperture, PDB address, VA >> 12);
 * - the PDE cache: pointer PDEs of PD3..PD0, keyed by (PDB, level, VA >>
 *   coverage of that level), used by walks after a leaf miss.
 *
 * Faults other than permission faults are not cached.  Both caches have a
 * fixed capacity (open-addressing tables allocated once, no allocation per
 * entry); inserting into a full cache first empties that cache (like QEMU's
 * SMMU IOTLB), which hardware semantics allow (a TLB may drop entries at
 * any time).  NV_PFB_PRI_MMU_INVALIDATE scopes: see
 * NvGmmuTlbInvalidate and docs/devel/nv-vmbind-gmmu.rst.  Not thread-safe.
 */
#ifndef NV_VMBIND_GMMU_TLB_H
#define NV_VMBIND_GMMU_TLB_H

#include <stdbool.h>
#include <stdint.h>

#include "gmmu-walk.h"

#define NV_GMMU_TLB_DEFAULT_CAPACITY        4096
#define NV_GMMU_TLB_DEFAULT_PDE_CAPACITY    512
/* Larger capacities are clamped to this. */
#define NV_GMMU_TLB_MAX_CAPACITY            (1u << 20)

/* NV_PFB_PRI_MMU_INVALIDATE (0x100CBC) fields (pri_mmu_hub.ref.txt) */
#define NV_GMMU_INVAL_ALL_VA                (1u << 0)
#define NV_GMMU_INVAL_ALL_PDB               (1u << 1)
#define NV_GMMU_INVAL_HUBTLB_ONLY           (1u << 2)
#define NV_GMMU_INVAL_CACHE_LEVEL_SHIFT     24
#define NV_GMMU_INVAL_CACHE_LEVEL_MASK      (7u << 24)
#define NV_GMMU_INVAL_TRIGGER               (1u << 31)
/* CACHE_LEVEL values */
#define NV_GMMU_INVAL_LEVEL_ALL             0
#define NV_GMMU_INVAL_LEVEL_PTE_ONLY        1
#define NV_GMMU_INVAL_LEVEL_UP_TO_PDE0      2
#define NV_GMMU_INVAL_LEVEL_UP_TO_PDE1      3
#define NV_GMMU_INVAL_LEVEL_UP_TO_PDE2      4
#define NV_GMMU_INVAL_LEVEL_UP_TO_PDE3      5
/*
 * NV_PFB_PRI_MMU_INVALIDATE_PDB (0x100CB8): APERTURE 1:1 (0 VID, 1 SYS),
 * ADDR 31:4 = PDB >> 12; INVALIDATE_UPPER_PDB (0x100CEC) ADDR 19:0 =
 * PDB >> 40
 */
#define NV_GMMU_INVAL_PDB_APERTURE_SYS      (1u << 1)
#define NV_GMMU_INVAL_PDB_ADDR_SHIFT        4
#define NV_GMMU_INVAL_UPPER_PDB_MASK        0xfffffu

/*
 * One invalidate request.  In the model:
 * - all_pdb: every PDB; else entries whose PDB address equals pdb_addr and
 *   whose PDB is in system memory iff pdb_sys (the register has one
 *   aperture bit, so SYS_COH and SYS_NCOH PDBs at one address match alike);
 * - all_va: every VA; else entries whose page (leaf) or coverage (PDE)
 *   overlaps [va, va + size) (size 0 = the byte at va);
 * - cache_level: the leaf TLB is always dropped (every level includes the
 *   PTEs); PDE-cache entries are dropped for PD0 (UP_TO_PDE0 and up), PD1
 *   (UP_TO_PDE1 and up), PD2 (UP_TO_PDE2 and up), PD3 (UP_TO_PDE3); ALL
 *   (0) and the non-VER2 values 6/7 drop every level; PTE_ONLY keeps them;
 * - hub_only: the model has one TLB serving every client, so HUB_ONLY
 *   invalidates it like any other request (it is counted only).
 */
typedef struct NvGmmuTlbInvalidate {
    bool all_pdb;
    bool pdb_sys;
    uint64_t pdb_addr;
    bool all_va;
    uint64_t va;
    uint64_t size;
    unsigned cache_level;
    bool hub_only;
} NvGmmuTlbInvalidate;

typedef struct NvGmmuTlbStats {
    uint64_t hits;              /* leaf hits */
    uint64_t misses;            /* leaf misses (each walks) */
    uint64_t bypass;            /* translations with the TLB disabled */
    uint64_t pde_hits;          /* PDEs taken from the PDE cache */
    uint64_t inserts;           /* leaf entries inserted */
    uint64_t invalidates;       /* invalidate requests */
    uint64_t hub_only;          /* ... of which HUB_ONLY */
    uint64_t dropped;           /* entries (leaf + PDE) dropped by them */
    uint64_t capacity_flushes;  /* cache emptied because it was full */
    unsigned entries;           /* leaf entries now */
    unsigned pde_entries;       /* PDE-cache entries now */
    unsigned capacity;
    unsigned pde_capacity;
    bool enabled;
} NvGmmuTlbStats;

typedef struct NvGmmuTlb NvGmmuTlb;

/**
 * nv_gmmu_tlb_new: create an enabled TLB.
 * @capacity: leaf entries (0 = NV_GMMU_TLB_DEFAULT_CAPACITY; at most
 *            NV_GMMU_TLB_MAX_CAPACITY)
 * @pde_capacity: PDE-cache entries (0 = NV_GMMU_TLB_DEFAULT_PDE_CAPACITY)
 */
NvGmmuTlb *nv_gmmu_tlb_new(unsigned capacity, unsigned pde_capacity);
void nv_gmmu_tlb_free(NvGmmuTlb *tlb);

/* Enable or disable caching; either transition empties both caches. */
void nv_gmmu_tlb_set_enabled(NvGmmuTlb *tlb, bool enabled);
bool nv_gmmu_tlb_is_enabled(const NvGmmuTlb *tlb);

/**
 * nv_gmmu_tlb_translate: translate through the TLB.
 * @tlb: TLB, or NULL for a plain walk
 * @mem: accessor used for the table reads of a miss, as nv_gmmu_walk()
 * @pdb: page-directory base; part of every cache key
 * @va: virtual address
 * @acc: access type and requester privilege, checked on hits and misses
 * @res: result; always fully defined on return
 *
 * A hit fills @res from the cached leaf (res->tlb_hit, no steps) and runs
 * nv_gmmu_check_access() for @acc.  A miss walks (using the PDE cache) and
 * caches valid and sparse leaves.  The VA limit is checked before lookup.
 *
 * Returns: res->status.
 */
NvGmmuWalkStatus nv_gmmu_tlb_translate(NvGmmuTlb *tlb, const NvGmmuMem *mem,
                                       const NvGmmuPdb *pdb, uint64_t va,
                                       const NvGmmuAccess *acc,
                                       NvGmmuWalkResult *res);

/* Small PTEs nv_gmmu_tlb_translate_next() reads in one access, at most. */
#define NV_GMMU_PTE_AHEAD       32

/*
 * PTEs read ahead for nv_gmmu_tlb_translate_next(): a copy of table memory,
 * so the caller empties it (n = 0) whenever that memory may have changed.
 */
typedef struct NvGmmuPteAhead {
    NvGmmuAperture aper;
    uint64_t addr;              /* address of raw[0] */
    unsigned n;                 /* entries held (0: none) */
    uint64_t raw[NV_GMMU_PTE_AHEAD];
} NvGmmuPteAhead;

/**
 * nv_gmmu_tlb_translate_next: nv_gmmu_tlb_translate() of a page next to
 * the one @res holds, for callers translating consecutive pages.
 * @tlb: TLB, or NULL
 * @mem: accessor
 * @pdb: page-directory base (the one @res was translated under)
 * @va: virtual address, normally res->va's page +/- 4 KiB
 * @acc: access type and requester privilege
 * @res: the previous page's result on entry; @va's on return
 * @ahead: PTEs read ahead (see NvGmmuPteAhead)
 * @backward: the caller goes down: read ahead below @va
 *
 * A hit is a hit.  A miss where @res walked to a small PTE under a PD0
 * without a big page table and @va is in the same small page table takes
 * @res's path (as the PDE cache would) and @va's PTE from @ahead, which
 * reads up to NV_GMMU_PTE_AHEAD PTEs of that table at once; the leaf is
 * cached as on any miss.  Otherwise (and if that read fails, or the TLB
 * is disabled) this is nv_gmmu_tlb_translate().
 *
 * Returns: res->status.
 */
NvGmmuWalkStatus nv_gmmu_tlb_translate_next(NvGmmuTlb *tlb,
                                            const NvGmmuMem *mem,
                                            const NvGmmuPdb *pdb, uint64_t va,
                                            const NvGmmuAccess *acc,
                                            NvGmmuWalkResult *res,
                                            NvGmmuPteAhead *ahead,
                                            bool backward);

/**
 * nv_gmmu_tlb_prefetch: start loading what translating @va will touch.
 * @tlb: TLB, or NULL (nothing to do)
 * @pdb: page-directory base the translation will use
 * @va: the virtual address about to be translated
 *
 * A hint for callers that know the pages they translate next (the copy
 * engine); it changes no state.
 */
void nv_gmmu_tlb_prefetch(const NvGmmuTlb *tlb, const NvGmmuPdb *pdb,
                          uint64_t va);

/* Drop what @inv selects (see NvGmmuTlbInvalidate). */
void nv_gmmu_tlb_invalidate(NvGmmuTlb *tlb, const NvGmmuTlbInvalidate *inv);
/* Drop everything (ALL_PDB | ALL_VA, CACHE_LEVEL ALL). */
void nv_gmmu_tlb_flush_all(NvGmmuTlb *tlb);

/**
 * nv_gmmu_tlb_invalidate_decode: build a request from register values.
 * @invalidate: NV_PFB_PRI_MMU_INVALIDATE as written (TRIGGER ignored)
 * @pdb_lo: NV_PFB_PRI_MMU_INVALIDATE_PDB
 * @pdb_hi: NV_PFB_PRI_MMU_INVALIDATE_UPPER_PDB
 * @va: VA for a targeted (ALL_VA = 0) invalidate; size = 1 page (4 KiB)
 * @inv: filled
 */
void nv_gmmu_tlb_invalidate_decode(uint32_t invalidate, uint32_t pdb_lo,
                                   uint32_t pdb_hi, uint64_t va,
                                   NvGmmuTlbInvalidate *inv);

void nv_gmmu_tlb_get_stats(const NvGmmuTlb *tlb, NvGmmuTlbStats *stats);
void nv_gmmu_tlb_reset_stats(NvGmmuTlb *tlb);

#endif /* NV_VMBIND_GMMU_TLB_H */
