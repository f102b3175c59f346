/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * nv-vmbind GMMU: enumerate the mappings of a page-directory base.
 *
 * The dump reads tables top-down with the walker's exact rules (a VA the
 * dump reports as mapped translates to the same place with nv_gmmu_walk(),
 * a VA it omits faults), skips invalid subtrees after one entry, and merges
 * neighbouring pages into maximal ranges.  Work is bounded by a budget of
 * entries examined: the tree has a fixed depth so it cannot loop, but many
 * PDEs may point at the same tables, so a hostile 49-bit tree could
 * otherwise ask for ~10^11 entry reads.
 */
#ifndef NV_VMBIND_GMMU_DUMP_H
#define NV_VMBIND_GMMU_DUMP_H

#include <stdbool.h>
#include <stdint.h>

#include "gmmu-walk.h"

/* Default budget: entries examined per call (~4 M, a few ms of work). */
#define NV_GMMU_DUMP_DEFAULT_BUDGET     (1u << 22)

/*
 * One maximal range: every page in it has the same sparse state, aperture,
 * page size, flags, kind and peer id, VAs are contiguous and (unless
 * sparse) PAs are contiguous too.  Sparse ranges merge only with sparse
 * ranges of the same granule (page_shift = coverage of the sparse entry:
 * 12, 16, 21, 29, 38 or 47).
 */
typedef struct NvGmmuMapping {
    uint64_t va;                /* first VA */
    uint64_t size;              /* bytes */
    uint64_t pa;                /* address of va; 0 if sparse */
    NvGmmuAperture aperture;    /* NONE if sparse */
    uint8_t page_shift;
    uint8_t flags;              /* as NvGmmuTranslation.flags */
    uint8_t kind;
    uint8_t peer_id;
    bool sparse;
} NvGmmuMapping;

/* Called once per range in VA order; return false to stop the dump. */
typedef bool (*NvGmmuDumpFn)(void *opaque, const NvGmmuMapping *m);

typedef enum NvGmmuDumpStatus {
    NV_GMMU_DUMP_DONE = 0,      /* the whole range was enumerated */
    NV_GMMU_DUMP_STOPPED,       /* the callback returned false */
    NV_GMMU_DUMP_TRUNCATED,     /* budget exhausted; resume at next_va */
} NvGmmuDumpStatus;

typedef struct NvGmmuDumpStats {
    uint64_t entries;           /* entries examined (budget used) */
    uint64_t reads;             /* accessor calls */
    uint64_t read_errors;       /* entries that could not be read */
    uint64_t ranges;            /* callbacks made */
    uint64_t next_va;           /* first VA not covered by the callbacks */
} NvGmmuDumpStats;

/**
 * nv_gmmu_dump: enumerate mappings of @pdb in [@va_start, @va_end).
 * @mem: accessor
 * @pdb: page-directory base; the range is clipped to pdb->va_limit and 2^49
 * @va_start: first VA of the half-open range; a range crossing it is
 *            clipped to it (pa adjusted)
 * @va_end: end (exclusive) of the range, clipped the same way
 * @budget: maximum entries examined (0 = NV_GMMU_DUMP_DEFAULT_BUDGET)
 * @fn: called once per range in VA order; returning false stops the dump
 * @opaque: passed to @fn
 * @stats: optional (may be NULL)
 *
 * Returns: DONE, STOPPED or TRUNCATED; ranges reported before a stop or
 * truncation are complete up to stats->next_va (a later call from
 * next_va continues the listing, possibly splitting one range in two).
 */
NvGmmuDumpStatus nv_gmmu_dump(const NvGmmuMem *mem, const NvGmmuPdb *pdb,
                              uint64_t va_start, uint64_t va_end,
                              uint64_t budget, NvGmmuDumpFn fn, void *opaque,
                              NvGmmuDumpStats *stats);

#endif /* NV_VMBIND_GMMU_DUMP_H */
