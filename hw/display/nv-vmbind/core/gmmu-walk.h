/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * nv-vmbind GMMU: VER2 page-table walker and instance-block decode.
 *
 * QEMU-independent core (C11 + GLib types only).  The walker never touches
 * memory itself: every table read goes through an NvGmmuMem accessor, which
 * decides what exists.  Guest-controlled tables can only produce a
 * translation, a sparse result or an NVIDIA fault type; never a crash, a
 * read outside what the accessor allows, or unbounded work (a walk reads
 * at most NV_GMMU_WALK_MAX_STEPS entries).
 *
 * The format itself (field layout, encoders) is in
 * include/hw/display/nv-gmmu-ver2.h; the behaviour is documented in
 * docs/devel/nv-vmbind-gmmu.rst.  Not thread-safe: callers serialise (the
 * device runs under the BQL).
 */
#ifndef NV_VMBIND_GMMU_WALK_H
#define NV_VMBIND_GMMU_WALK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "hw/display/nv-gmmu-ver2.h"

/* ---- Memory accessor ---- */

/*
 * Read @len bytes at @addr of aperture @aper into @buf.  Return false if any
 * byte is outside the backing store or the read failed; the walker then
 * reports a fault.  @len is 8 or 16 for the walker, up to 4096 for the dump.
 */
typedef bool (*NvGmmuReadFn)(void *opaque, NvGmmuAperture aper, uint64_t addr,
                             void *buf, size_t len);
/* Write counterpart, for users that build tables (page-table manager). */
typedef bool (*NvGmmuWriteFn)(void *opaque, NvGmmuAperture aper,
                              uint64_t addr, const void *buf, size_t len);

typedef struct NvGmmuMem {
    NvGmmuReadFn read;      /* required */
    NvGmmuWriteFn write;    /* optional; never called by walk/TLB/dump */
    void *opaque;
} NvGmmuMem;

/* ---- Page-directory base ---- */

typedef struct NvGmmuPdb {
    NvGmmuAperture aperture;    /* VID, SYS_COH or SYS_NCOH */
    uint64_t addr;              /* PD3 address (4 KiB aligned) */
    uint64_t va_limit;          /* highest VA the walker accepts */
    uint64_t adr_limit;         /* NV_RAMIN_ADR_LIMIT as read (| 0xfff) */
    bool vol;                   /* NV_RAMIN_PAGE_DIR_BASE_VOL */
    bool replay_tex;            /* NV_RAMIN_PAGE_DIR_BASE_FAULT_REPLAY_TEX */
    bool replay_gcc;            /* NV_RAMIN_PAGE_DIR_BASE_FAULT_REPLAY_GCC */
} NvGmmuPdb;

/**
 * nv_gmmu_pdb_init: a PDB given directly (e.g. learnt from an invalidate
 * or a debug command), with no instance block: va_limit = 2^49 - 1.
 * @pdb: filled in; vol and the replay bits are cleared, adr_limit is
 *       unlimited
 * @aper: aperture of the PD3 table; not checked here (a walk under one
 *        that is not VID or SYS faults UNBOUND_INST_BLOCK)
 * @addr: address of the PD3 table; bits 11:0 are dropped
 */
void nv_gmmu_pdb_init(NvGmmuPdb *pdb, NvGmmuAperture aper, uint64_t addr);

/**
 * nv_gmmu_inst_decode: decode the page-directory base of an instance block.
 * @mem: accessor
 * @inst_aperture: where the instance block lives (VID, SYS_COH, SYS_NCOH)
 * @inst_addr: instance block address; bits below 12 are ignored
 *             (NV_RAMIN_BASE_SHIFT)
 * @pdb: filled on success
 *
 * Reads inst+0x200..0x20f in one 16-byte read.  Fails -- the caller reports
 * NV_GMMU_FAULT_TYPE_UNBOUND_INST_BLOCK -- when the read fails, the target
 * is INVALID (1), USE_VER2_PT_FORMAT is 0 or BIG_PAGE_SIZE selects 128 KiB
 * (Volta: both "result in an UNBOUND_INSTANCE fault").  On success
 * pdb->va_limit = min(ADR_LIMIT, 2^49 - 1): the model honours
 * NV_RAMIN_ADR_LIMIT like Pascal does; a Volta-style user may set
 * pdb->va_limit = NV_GMMU_VA_LIMIT - 1 to ignore it.
 *
 * On failure @pdb is left unbound (aperture NONE, full VA range), so a
 * walk through it reports UNBOUND_INST_BLOCK.
 *
 * Returns: true if @pdb is valid.
 */
bool nv_gmmu_inst_decode(const NvGmmuMem *mem, NvGmmuAperture inst_aperture,
                         uint64_t inst_addr, NvGmmuPdb *pdb);

/* True if @va is below 2^49 and not above @pdb->va_limit. */
static inline bool nv_gmmu_va_in_range(const NvGmmuPdb *pdb, uint64_t va)
{
    return va < NV_GMMU_VA_LIMIT && va <= pdb->va_limit;
}

/* ---- Walk request and result ---- */

typedef struct NvGmmuAccess {
    uint8_t type;           /* NV_GMMU_ACCESS_TYPE_* (NVIDIA codes) */
    bool priv;              /* the requester is privileged */
    bool peer_unsupported;  /* fault PEER PTEs with UNSUPPORTED_APERTURE */
} NvGmmuAccess;

typedef enum NvGmmuWalkStatus {
    NV_GMMU_WALK_OK = 0,    /* translated: aperture + pa */
    NV_GMMU_WALK_SPARSE,    /* sparse: reads return 0, writes dropped */
    NV_GMMU_WALK_FAULT,     /* fault_type / fault_level */
} NvGmmuWalkStatus;

/* No fault (nv_gmmu_check_access). */
#define NV_GMMU_FAULT_NONE          0xff

/* PD3, PD2, PD1, PD0, big PT, small PT */
#define NV_GMMU_WALK_MAX_STEPS      6

/* One entry the walk looked at. */
typedef struct NvGmmuWalkStep {
    NvGmmuLevel level;
    NvGmmuAperture aperture;    /* where the entry was read */
    uint64_t addr;              /* address of the entry */
    uint64_t raw[2];            /* entry; raw[1] = PD0 high qword */
    bool ok;                    /* read succeeded (or came from cache) */
    bool cached;                /* taken from the PDE cache */
} NvGmmuWalkStep;

/* A leaf: what a TLB caches.  Valid for OK, SPARSE and permission faults. */
typedef struct NvGmmuTranslation {
    uint64_t va_base;           /* first VA of the page / sparse range */
    uint64_t pa_base;           /* address of va_base (0 if sparse) */
    uint64_t pte;               /* raw leaf entry (PD0: the low qword) */
    NvGmmuAperture aperture;    /* NONE if sparse */
    NvGmmuLevel level;          /* level of the leaf entry */
    uint8_t page_shift;         /* 12/16/21; sparse: the entry's coverage */
    /* NV_GMMU_PTE_{VALID,VOL,ENCRYPTED,PRIVILEGE,READ_ONLY,ATOMIC_DISABLE} */
    uint8_t flags;
    uint8_t kind;               /* NV_MMU_VER2_PTE_KIND */
    uint8_t peer_id;            /* ADDRESS_VID_PEER, PEER aperture only */
    bool sparse;
} NvGmmuTranslation;

typedef struct NvGmmuWalkResult {
    NvGmmuWalkStatus status;
    uint64_t va;
    uint64_t pa;                /* address of the byte at va (OK only) */
    NvGmmuTranslation tr;
    uint8_t fault_type;         /* NV_GMMU_FAULT_TYPE_* if FAULT */
    NvGmmuLevel fault_level;    /* level of the faulting entry, or NONE */
    bool tlb_hit;               /* from the TLB: steps[] is empty */
    unsigned nsteps;
    NvGmmuWalkStep steps[NV_GMMU_WALK_MAX_STEPS];  /* last = fault entry */
} NvGmmuWalkResult;

/* ---- PDE cache hooks (implemented by gmmu-tlb.c; NULL = no PDE cache) ---- */

/*
 * lookup: fill step->aperture/addr/raw for the PDE at @level covering @va
 * under @pdb and return true, or return false to make the walker read it.
 * insert: offered every pointer PDE (PD3..PD0, not 2 MiB PTEs, not
 * invalid or sparse entries) the walker read from memory.
 * lookup_path (optional): fill steps[PD3..PD0] and return true only if
 * lookup would answer each of those four levels for @va, with the same
 * entries (one call instead of four on the TLB's miss path).
 */
typedef struct NvGmmuPdeCache {
    bool (*lookup)(void *opaque, const NvGmmuPdb *pdb, NvGmmuLevel level,
                   uint64_t va, NvGmmuWalkStep *step);
    void (*insert)(void *opaque, const NvGmmuPdb *pdb, NvGmmuLevel level,
                   uint64_t va, const NvGmmuWalkStep *step);
    bool (*lookup_path)(void *opaque, const NvGmmuPdb *pdb, uint64_t va,
                        NvGmmuWalkStep *steps);
    void *opaque;
} NvGmmuPdeCache;

/* ---- Walking ---- */

/**
 * nv_gmmu_walk: translate @va under @pdb for @acc.
 * @mem: accessor used for every table read
 * @pdb: page-directory base (nv_gmmu_inst_decode or nv_gmmu_pdb_init)
 * @va: virtual address
 * @acc: access type and requester privilege
 * @res: result; always fully defined on return
 *
 * Faults: VA_LIMIT_VIOLATION (va >= 2^49 or > pdb->va_limit),
 * UNBOUND_INST_BLOCK (pdb aperture not VID/SYS), PDE (invalid or unreadable
 * PD3..PD0 entry, IS_PTE set above PD0), PTE (invalid or unreadable PTE, big
 * PTE "invalid + PRIV"), PRIV_VIOLATION, RO_VIOLATION, ATOMIC_VIOLATION,
 * UNSUPPORTED_APERTURE (PEER with acc->peer_unsupported).
 *
 * Returns: res->status.
 */
NvGmmuWalkStatus nv_gmmu_walk(const NvGmmuMem *mem, const NvGmmuPdb *pdb,
                              uint64_t va, const NvGmmuAccess *acc,
                              NvGmmuWalkResult *res);

/* nv_gmmu_walk() taking PDEs from @cache when it has them (may be NULL). */
NvGmmuWalkStatus nv_gmmu_walk_cached(const NvGmmuMem *mem,
                                     const NvGmmuPdb *pdb, uint64_t va,
                                     const NvGmmuAccess *acc,
                                     const NvGmmuPdeCache *cache,
                                     NvGmmuWalkResult *res);

/**
 * nv_gmmu_walk_next_small_pte: where the walk of @va would read its PTE if
 * it took the path @res took.
 * @res: a walk (not a TLB hit) whose last step read a small PTE under a PD0
 *       without a big page table
 * @va: a VA in the same small page table (the same 2 MiB) as res->va
 * @aper: the small page table's aperture
 * @addr: address of @va's small PTE
 *
 * Returns: false (nothing set) if @res or @va does not qualify.
 */
bool nv_gmmu_walk_next_small_pte(const NvGmmuWalkResult *res, uint64_t va,
                                 NvGmmuAperture *aper, uint64_t *addr);

/**
 * nv_gmmu_walk_next_small: the walk of @va along the path @res took.
 * @res: as for nv_gmmu_walk_next_small_pte(), which returned true for @va;
 *       becomes the walk of @va
 * @va: the virtual address
 * @pte: @va's small PTE, read at the address nv_gmmu_walk_next_small_pte()
 *       gave
 * @acc: access type and requester privilege
 *
 * The result is the one nv_gmmu_walk_cached() gives for @va with a PDE
 * cache holding @res's PD3..PD0 entries (they are kept in res->steps):
 * with no big page table the small PTE decides alone.  This lets a caller
 * that translates consecutive pages read their PTEs in one access.
 *
 * Returns: res->status.
 */
NvGmmuWalkStatus nv_gmmu_walk_next_small(NvGmmuWalkResult *res, uint64_t va,
                                         uint64_t pte,
                                         const NvGmmuAccess *acc);

/**
 * nv_gmmu_check_access: permission check of a cached or fresh leaf.
 * @tr: the leaf: its flags (PRIVILEGE, READ_ONLY, ATOMIC_DISABLE),
 *      aperture and sparse bit
 * @acc: the access: its type, privilege and peer_unsupported
 *
 * Order: PRIV_VIOLATION (PRIVILEGE and !acc->priv), RO_VIOLATION (READ_ONLY
 * and a write or atomic), ATOMIC_VIOLATION (ATOMIC_DISABLE and an atomic),
 * UNSUPPORTED_APERTURE (PEER and acc->peer_unsupported).  Sparse: none.
 *
 * Returns: an NV_GMMU_FAULT_TYPE_* or NV_GMMU_FAULT_NONE.
 */
uint8_t nv_gmmu_check_access(const NvGmmuTranslation *tr,
                             const NvGmmuAccess *acc);

/* True for write-class access types (VIRT/PHYS WRITE). */
bool nv_gmmu_access_is_write(uint8_t type);
/* True for atomic access types (VIRT_ATOMIC_STRONG/WEAK, PHYS_ATOMIC). */
bool nv_gmmu_access_is_atomic(uint8_t type);

/* "vid", "peer", "sys", "ncoh" or "none". */
const char *nv_gmmu_aperture_name(NvGmmuAperture aper);
/* "PD3", "PD2", "PD1", "PD0", "PT_BIG", "PT_SMALL" or "NONE". */
const char *nv_gmmu_level_name(NvGmmuLevel level);

#endif /* NV_VMBIND_GMMU_WALK_H */
