/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * nv-vmbind GMMU: the set of live page-directory bases.
 *
 * A GPU driver names a VA space to the MMU only through the PDB of each TLB
 * invalidate (NV_PFB_PRI_MMU_INVALIDATE_PDB); nouveau never binds a user
 * VM to an instance block without a channel.  The device notes every PDB
 * it sees there and keeps the most recently invalidated ones, so the host
 * can find and walk the VA spaces a guest driver builds.
 *
 * Bounded: at most @capacity entries (NV_GMMU_PDBSET_MAX_CAPACITY); noting
 * a new PDB in a full set evicts the one whose last invalidate is oldest
 * (counted in evictions).  There is no "VMM destroyed" event on the bus:
 * an entry stays until evicted, removed, or the set is cleared (device
 * reset).  A freed and reused PD3 keeps its entry (same address).
 * QEMU-independent; not thread-safe.
 */
#ifndef NV_VMBIND_GMMU_PDBSET_H
#define NV_VMBIND_GMMU_PDBSET_H

#include <stdbool.h>
#include <stdint.h>

#include "hw/display/nv-gmmu-ver2.h"

#define NV_GMMU_PDBSET_DEFAULT_CAPACITY 64
#define NV_GMMU_PDBSET_MAX_CAPACITY     4096

typedef struct NvGmmuPdbEntry {
    NvGmmuAperture aperture;    /* VID, SYS_COH or SYS_NCOH */
    uint64_t addr;              /* PD3 address */
    uint32_t tag;               /* caller's classification (e.g. BAR1) */
    uint64_t first_seq;         /* sequence number of the first invalidate */
    uint64_t last_seq;          /* ... and of the latest one */
    uint64_t count;             /* invalidates naming this PDB */
} NvGmmuPdbEntry;

typedef struct NvGmmuPdbSet NvGmmuPdbSet;

/* A set of @capacity entries (0: default; clamped to the maximum). */
NvGmmuPdbSet *nv_gmmu_pdbset_new(unsigned capacity);
void nv_gmmu_pdbset_free(NvGmmuPdbSet *set);

/**
 * nv_gmmu_pdbset_note: record an invalidate naming (@aper, @addr).
 * @set: the set
 * @aper: the PDB's aperture
 * @addr: the PDB's address
 * @seq: the caller's invalidate sequence number (monotonic)
 * @tag: stored for a new entry and replaces the old tag
 *
 * Returns: the entry (valid until the next call that modifies the set),
 * or NULL if @aper is not a memory aperture.
 */
const NvGmmuPdbEntry *nv_gmmu_pdbset_note(NvGmmuPdbSet *set,
                                          NvGmmuAperture aper, uint64_t addr,
                                          uint32_t tag, uint64_t seq);

/**
 * nv_gmmu_pdbset_restore: replace the set's contents (migration).
 * @set: the set
 * @e: the entries, each with a memory aperture as nv_gmmu_pdbset_note()
 *     takes, count >= 1 and first_seq <= last_seq; no PDB twice
 * @n: number of entries in @e
 * @evictions: the evictions counter
 *
 * Returns: false, leaving the set empty, if @n exceeds the capacity or an
 * entry breaks these rules.
 */
bool nv_gmmu_pdbset_restore(NvGmmuPdbSet *set, const NvGmmuPdbEntry *e,
                            unsigned n, uint64_t evictions);

/* The entry for (@aper, @addr), or NULL. */
const NvGmmuPdbEntry *nv_gmmu_pdbset_find(const NvGmmuPdbSet *set,
                                          NvGmmuAperture aper, uint64_t addr);
/* Forget one PDB; true if it was there. */
bool nv_gmmu_pdbset_remove(NvGmmuPdbSet *set, NvGmmuAperture aper,
                           uint64_t addr);
void nv_gmmu_pdbset_clear(NvGmmuPdbSet *set);

/* Number of entries, capacity, entries evicted so far. */
unsigned nv_gmmu_pdbset_count(const NvGmmuPdbSet *set);
unsigned nv_gmmu_pdbset_capacity(const NvGmmuPdbSet *set);
uint64_t nv_gmmu_pdbset_evictions(const NvGmmuPdbSet *set);

/**
 * nv_gmmu_pdbset_list: copy up to @max entries into @out, oldest first
 * invalidate first (first_seq ascending).
 * @set: the set
 * @out: receives the entries
 * @max: room in @out
 *
 * Returns: the number copied.
 */
unsigned nv_gmmu_pdbset_list(const NvGmmuPdbSet *set, NvGmmuPdbEntry *out,
                             unsigned max);

#endif /* NV_VMBIND_GMMU_PDBSET_H */
