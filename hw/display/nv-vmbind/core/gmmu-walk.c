/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * nv-vmbind GMMU: VER2 page-table walker and instance-block decode.
 *
 * Walk order and the choices where NVIDIA's documents are silent are
 * described in docs/devel/nv-vmbind-gmmu.rst ("Walk").  In short:
 * PD3 -> PD2 -> PD1 -> PD0 (dual) -> big PT and/or small PT; a 2 MiB PTE
 * in PD0; invalid + VOL is sparse at every level; an invalid big PTE is
 * "unmapped" (look at the small PT) unless it carries VOL (sparse) or PRIV
 * (gp100_vmm_lpt_invalid: the small PTEs are ignored, fault PTE).
 */
#include <string.h>

#include "gmmu-walk.h"
#include "le.h"

void nv_gmmu_pdb_init(NvGmmuPdb *pdb, NvGmmuAperture aper, uint64_t addr)
{
    memset(pdb, 0, sizeof(*pdb));
    pdb->aperture = aper;
    pdb->addr = addr & ~0xfffULL;
    pdb->va_limit = NV_GMMU_VA_LIMIT - 1;
    pdb->adr_limit = UINT64_MAX;
}

bool nv_gmmu_inst_decode(const NvGmmuMem *mem, NvGmmuAperture inst_aperture,
                         uint64_t inst_addr, NvGmmuPdb *pdb)
{
    uint8_t buf[16];
    uint32_t lo, hi;
    uint64_t limit;
    NvGmmuAperture aper;

    /*
     * On failure the PDB stays unbound with the full VA range, so walks
     * through it report UNBOUND_INST_BLOCK rather than a VA limit.
     */
    nv_gmmu_pdb_init(pdb, NV_GMMU_APER_NONE, 0);
    if (inst_aperture != NV_GMMU_APER_VID &&
        !nv_gmmu_aperture_is_sys(inst_aperture)) {
        return false;
    }
    inst_addr &= ~((1ULL << NV_GMMU_RAMIN_SHIFT) - 1);
    if (!mem->read(mem->opaque, inst_aperture,
                   inst_addr + NV_GMMU_RAMIN_PDB_LO, buf, sizeof(buf))) {
        return false;
    }
    lo = ld_le32(buf);
    hi = ld_le32(buf + 4);
    limit = ((uint64_t)ld_le32(buf + 12) << 32) |
            (ld_le32(buf + 8) & NV_GMMU_RAMIN_ADR_LIMIT_LO_MASK) | 0xfff;

    /*
     * TARGET_INVALID unbinds; Volta: the old format and 128 KiB big pages
     * "result in an UNBOUND_INSTANCE fault".
     */
    aper = nv_gmmu_target_aperture(lo & NV_GMMU_RAMIN_TARGET_MASK);
    if (aper == NV_GMMU_APER_NONE ||
        !(lo & NV_GMMU_RAMIN_USE_VER2_PT_FORMAT) ||
        !(lo & NV_GMMU_RAMIN_BIG_PAGE_SIZE_64KB)) {
        return false;
    }
    pdb->aperture = aper;
    pdb->vol = lo & NV_GMMU_RAMIN_VOL;
    pdb->replay_tex = lo & NV_GMMU_RAMIN_FAULT_REPLAY_TEX;
    pdb->replay_gcc = lo & NV_GMMU_RAMIN_FAULT_REPLAY_GCC;
    pdb->addr = ((uint64_t)hi << 32) | (lo & NV_GMMU_RAMIN_PDB_LO_MASK);
    pdb->adr_limit = limit;
    pdb->va_limit = limit < NV_GMMU_VA_LIMIT ? limit : NV_GMMU_VA_LIMIT - 1;
    return true;
}

bool nv_gmmu_access_is_write(uint8_t type)
{
    return type == NV_GMMU_ACCESS_TYPE_VIRT_WRITE ||
           type == NV_GMMU_ACCESS_TYPE_PHYS_WRITE;
}

bool nv_gmmu_access_is_atomic(uint8_t type)
{
    return type == NV_GMMU_ACCESS_TYPE_VIRT_ATOMIC_STRONG ||
           type == NV_GMMU_ACCESS_TYPE_VIRT_ATOMIC_WEAK ||
           type == NV_GMMU_ACCESS_TYPE_PHYS_ATOMIC;
}

uint8_t nv_gmmu_check_access(const NvGmmuTranslation *tr,
                             const NvGmmuAccess *acc)
{
    bool atomic = nv_gmmu_access_is_atomic(acc->type);
    bool write = nv_gmmu_access_is_write(acc->type);

    if (tr->sparse) {
        return NV_GMMU_FAULT_NONE;
    }
    if ((tr->flags & NV_GMMU_PTE_PRIVILEGE) && !acc->priv) {
        return NV_GMMU_FAULT_TYPE_PRIV_VIOLATION;
    }
    if ((tr->flags & NV_GMMU_PTE_READ_ONLY) && (write || atomic)) {
        return NV_GMMU_FAULT_TYPE_RO_VIOLATION;
    }
    if ((tr->flags & NV_GMMU_PTE_ATOMIC_DISABLE) && atomic) {
        return NV_GMMU_FAULT_TYPE_ATOMIC_VIOLATION;
    }
    if (tr->aperture == NV_GMMU_APER_PEER && acc->peer_unsupported) {
        return NV_GMMU_FAULT_TYPE_UNSUPPORTED_APERTURE;
    }
    return NV_GMMU_FAULT_NONE;
}

const char *nv_gmmu_aperture_name(NvGmmuAperture aper)
{
    switch (aper) {
    case NV_GMMU_APER_VID:
        return "vid";
    case NV_GMMU_APER_PEER:
        return "peer";
    case NV_GMMU_APER_SYS_COH:
        return "sys";
    case NV_GMMU_APER_SYS_NCOH:
        return "ncoh";
    default:
        return "none";
    }
}

const char *nv_gmmu_level_name(NvGmmuLevel level)
{
    switch (level) {
    case NV_GMMU_LEVEL_PD3:
        return "PD3";
    case NV_GMMU_LEVEL_PD2:
        return "PD2";
    case NV_GMMU_LEVEL_PD1:
        return "PD1";
    case NV_GMMU_LEVEL_PD0:
        return "PD0";
    case NV_GMMU_LEVEL_PT_BIG:
        return "PT_BIG";
    case NV_GMMU_LEVEL_PT_SMALL:
        return "PT_SMALL";
    default:
        return "NONE";
    }
}

/* A walk of @va begins: no translation, no fault yet (steps untouched). */
static void walk_begin(NvGmmuWalkResult *res, uint64_t va)
{
    res->status = NV_GMMU_WALK_FAULT;
    res->va = va;
    res->pa = 0;
    memset(&res->tr, 0, sizeof(res->tr));
    res->tr.aperture = NV_GMMU_APER_NONE;
    res->tr.level = NV_GMMU_LEVEL_NONE;
    res->fault_type = NV_GMMU_FAULT_NONE;
    res->fault_level = NV_GMMU_LEVEL_NONE;
}

static NvGmmuWalkStatus walk_fault(NvGmmuWalkResult *res, uint8_t type,
                                   NvGmmuLevel level)
{
    res->status = NV_GMMU_WALK_FAULT;
    res->fault_type = type;
    res->fault_level = level;
    return res->status;
}

static NvGmmuWalkStatus walk_sparse(NvGmmuWalkResult *res, NvGmmuLevel level,
                                    uint64_t raw)
{
    unsigned shift = nv_gmmu_level_shift(level);

    res->tr.sparse = true;
    res->tr.level = level;
    res->tr.page_shift = shift;
    res->tr.va_base = res->va & ~((1ULL << shift) - 1);
    res->tr.pte = raw;
    res->status = NV_GMMU_WALK_SPARSE;
    return res->status;
}

/* A valid PTE at @level mapping a page of 1 << @shift bytes. */
static NvGmmuWalkStatus walk_leaf(NvGmmuWalkResult *res, NvGmmuLevel level,
                                  unsigned shift, uint64_t pte,
                                  const NvGmmuAccess *acc)
{
    NvGmmuTranslation *tr = &res->tr;
    uint64_t mask = (1ULL << shift) - 1;
    uint8_t fault;

    tr->aperture = nv_gmmu_pte_aperture(pte);
    tr->level = level;
    tr->page_shift = shift;
    tr->pte = pte;
    tr->flags = (uint8_t)nv_gmmu_pte_flags(pte);
    tr->kind = nv_gmmu_pte_kind(pte);
    tr->peer_id = tr->aperture == NV_GMMU_APER_PEER
                  ? nv_gmmu_pte_peer_id(pte) : 0;
    tr->va_base = res->va & ~mask;
    /* Address bits below the page size are ignored (inferred). */
    tr->pa_base = nv_gmmu_pte_addr(pte) & ~mask;

    fault = nv_gmmu_check_access(tr, acc);
    if (fault != NV_GMMU_FAULT_NONE) {
        return walk_fault(res, fault, level);
    }
    res->pa = tr->pa_base | (res->va & mask);
    res->status = NV_GMMU_WALK_OK;
    return res->status;
}

/* Read the @size-byte entry at @addr into a new step; false on failure. */
static bool walk_read(const NvGmmuMem *mem, NvGmmuWalkResult *res,
                      NvGmmuLevel level, NvGmmuAperture aper, uint64_t addr,
                      unsigned size, NvGmmuWalkStep **stepp)
{
    NvGmmuWalkStep *step = &res->steps[res->nsteps++];
    uint8_t buf[16];

    step->level = level;
    step->aperture = aper;
    step->addr = addr;
    step->raw[0] = step->raw[1] = 0;
    step->cached = false;
    step->ok = mem->read(mem->opaque, aper, addr, buf, size);
    if (step->ok) {
        step->raw[0] = ld_le64(buf);
        if (size == 16) {
            step->raw[1] = ld_le64(buf + 8);
        }
    }
    *stepp = step;
    return step->ok;
}

/* A PDE step, from @cache if it has it, else from memory. */
static bool walk_read_pde(const NvGmmuMem *mem, const NvGmmuPdb *pdb,
                          const NvGmmuPdeCache *cache, NvGmmuWalkResult *res,
                          NvGmmuLevel level, NvGmmuAperture aper,
                          uint64_t table, NvGmmuWalkStep **stepp)
{
    unsigned esize = nv_gmmu_level_entry_size(level);
    uint64_t addr = table + (uint64_t)nv_gmmu_level_index(level, res->va) *
                            esize;
    NvGmmuWalkStep *step;

    if (cache) {
        step = &res->steps[res->nsteps];
        step->level = level;
        step->raw[0] = step->raw[1] = 0;
        if (cache->lookup(cache->opaque, pdb, level, res->va, step)) {
            step->ok = true;
            step->cached = true;
            res->nsteps++;
            *stepp = step;
            return true;
        }
    }
    return walk_read(mem, res, level, aper, addr, esize, stepp);
}

NvGmmuWalkStatus nv_gmmu_walk_cached(const NvGmmuMem *mem,
                                     const NvGmmuPdb *pdb, uint64_t va,
                                     const NvGmmuAccess *acc,
                                     const NvGmmuPdeCache *cache,
                                     NvGmmuWalkResult *res)
{
    NvGmmuAperture aper = pdb->aperture;
    uint64_t table = pdb->addr;
    NvGmmuAperture big_aper, small_aper;
    NvGmmuWalkStep *step;
    uint64_t lo, hi, pte;
    int level;

    walk_begin(res, va);
    res->tlb_hit = false;
    res->nsteps = 0;

    if (!nv_gmmu_va_in_range(pdb, va)) {
        return walk_fault(res, NV_GMMU_FAULT_TYPE_VA_LIMIT_VIOLATION,
                          NV_GMMU_LEVEL_NONE);
    }
    if (aper != NV_GMMU_APER_VID && !nv_gmmu_aperture_is_sys(aper)) {
        return walk_fault(res, NV_GMMU_FAULT_TYPE_UNBOUND_INST_BLOCK,
                          NV_GMMU_LEVEL_NONE);
    }

    /*
     * Every PDE of the path cached: they passed the checks below when they
     * were inserted, so go straight to PD0 (the TLB's miss path).
     */
    if (cache && cache->lookup_path &&
        cache->lookup_path(cache->opaque, pdb, va, res->steps)) {
        res->nsteps = NV_GMMU_LEVEL_PD0 + 1;
        step = &res->steps[NV_GMMU_LEVEL_PD0];
        goto pd0;
    }

    /* PD3, PD2, PD1: 8-byte PDEs. */
    for (level = NV_GMMU_LEVEL_PD3; level <= NV_GMMU_LEVEL_PD1; level++) {
        uint64_t pde;

        if (!walk_read_pde(mem, pdb, cache, res, level, aper, table, &step)) {
            return walk_fault(res, NV_GMMU_FAULT_TYPE_PDE, level);
        }
        pde = step->raw[0];
        /* IS_PTE "should be 0 for all levels" before Ampere. */
        if (pde & NV_GMMU_PDE_IS_PTE) {
            return walk_fault(res, NV_GMMU_FAULT_TYPE_PDE, level);
        }
        if (nv_gmmu_pde_aperture(pde) == NV_GMMU_APER_NONE) {
            if (pde & NV_GMMU_PDE_VOL) {
                return walk_sparse(res, level, pde);
            }
            return walk_fault(res, NV_GMMU_FAULT_TYPE_PDE, level);
        }
        if (cache && !step->cached) {
            cache->insert(cache->opaque, pdb, level, va, step);
        }
        aper = nv_gmmu_pde_aperture(pde);
        table = nv_gmmu_pde_addr(pde);
    }

    /* PD0: 16-byte dual PDE, or a 2 MiB PTE in the low qword. */
    if (!walk_read_pde(mem, pdb, cache, res, NV_GMMU_LEVEL_PD0, aper, table,
                       &step)) {
        return walk_fault(res, NV_GMMU_FAULT_TYPE_PDE, NV_GMMU_LEVEL_PD0);
    }
pd0:
    lo = step->raw[0];
    hi = step->raw[1];
    if (nv_gmmu_pd0_is_pte(lo)) {
        return walk_leaf(res, NV_GMMU_LEVEL_PD0, NV_GMMU_PAGE_SHIFT_2M, lo,
                         acc);
    }
    big_aper = nv_gmmu_pd0_big_aperture(lo);
    small_aper = nv_gmmu_pd0_small_aperture(hi);
    if (big_aper == NV_GMMU_APER_NONE && small_aper == NV_GMMU_APER_NONE) {
        if (lo & NV_GMMU_PD0_VOL_BIG) {
            return walk_sparse(res, NV_GMMU_LEVEL_PD0, lo);
        }
        return walk_fault(res, NV_GMMU_FAULT_TYPE_PDE, NV_GMMU_LEVEL_PD0);
    }
    if (cache && !step->cached) {
        cache->insert(cache->opaque, pdb, NV_GMMU_LEVEL_PD0, va, step);
    }

    /* The big PT first: a valid, sparse or invalid+PRIV big PTE decides. */
    if (big_aper != NV_GMMU_APER_NONE) {
        uint64_t addr = nv_gmmu_pd0_big_addr(lo) +
            (uint64_t)nv_gmmu_level_index(NV_GMMU_LEVEL_PT_BIG, va) * 8;

        if (!walk_read(mem, res, NV_GMMU_LEVEL_PT_BIG, big_aper, addr, 8,
                       &step)) {
            return walk_fault(res, NV_GMMU_FAULT_TYPE_PTE,
                              NV_GMMU_LEVEL_PT_BIG);
        }
        pte = step->raw[0];
        if (pte & NV_GMMU_PTE_VALID) {
            return walk_leaf(res, NV_GMMU_LEVEL_PT_BIG,
                             NV_GMMU_PAGE_SHIFT_64K, pte, acc);
        }
        if (pte & NV_GMMU_PTE_VOL) {
            return walk_sparse(res, NV_GMMU_LEVEL_PT_BIG, pte);
        }
        if (pte & NV_GMMU_PTE_PRIVILEGE) {
            return walk_fault(res, NV_GMMU_FAULT_TYPE_PTE,
                              NV_GMMU_LEVEL_PT_BIG);
        }
        /* "Unmapped" big PTE: the small PTEs decide. */
    }
    if (small_aper != NV_GMMU_APER_NONE) {
        uint64_t addr = nv_gmmu_pd0_small_addr(hi) +
            (uint64_t)nv_gmmu_level_index(NV_GMMU_LEVEL_PT_SMALL, va) * 8;

        if (!walk_read(mem, res, NV_GMMU_LEVEL_PT_SMALL, small_aper, addr, 8,
                       &step)) {
            return walk_fault(res, NV_GMMU_FAULT_TYPE_PTE,
                              NV_GMMU_LEVEL_PT_SMALL);
        }
        pte = step->raw[0];
        if (pte & NV_GMMU_PTE_VALID) {
            return walk_leaf(res, NV_GMMU_LEVEL_PT_SMALL,
                             NV_GMMU_PAGE_SHIFT_4K, pte, acc);
        }
        if (pte & NV_GMMU_PTE_VOL) {
            return walk_sparse(res, NV_GMMU_LEVEL_PT_SMALL, pte);
        }
    }
    return walk_fault(res, NV_GMMU_FAULT_TYPE_PTE,
                      res->steps[res->nsteps - 1].level);
}

bool nv_gmmu_walk_next_small_pte(const NvGmmuWalkResult *res, uint64_t va,
                                 NvGmmuAperture *aper, uint64_t *addr)
{
    const NvGmmuWalkStep *pd0 = &res->steps[NV_GMMU_LEVEL_PD0];
    const NvGmmuWalkStep *pt = &res->steps[NV_GMMU_LEVEL_PD0 + 1];

    /* PD3..PD0, then the small PTE: the path of a PD0 with no big PT. */
    if (res->tlb_hit || res->nsteps != NV_GMMU_LEVEL_PD0 + 2 ||
        pt->level != NV_GMMU_LEVEL_PT_SMALL || !pt->ok ||
        pd0->level != NV_GMMU_LEVEL_PD0 || !pd0->ok ||
        nv_gmmu_pd0_is_pte(pd0->raw[0]) ||
        nv_gmmu_pd0_big_aperture(pd0->raw[0]) != NV_GMMU_APER_NONE ||
        nv_gmmu_pd0_small_aperture(pd0->raw[1]) == NV_GMMU_APER_NONE ||
        va >> NV_GMMU_PAGE_SHIFT_2M != res->va >> NV_GMMU_PAGE_SHIFT_2M) {
        return false;
    }
    *aper = nv_gmmu_pd0_small_aperture(pd0->raw[1]);
    *addr = nv_gmmu_pd0_small_addr(pd0->raw[1]) +
        (uint64_t)nv_gmmu_level_index(NV_GMMU_LEVEL_PT_SMALL, va) * 8;
    return true;
}

NvGmmuWalkStatus nv_gmmu_walk_next_small(NvGmmuWalkResult *res, uint64_t va,
                                         uint64_t pte,
                                         const NvGmmuAccess *acc)
{
    NvGmmuWalkStep *step = &res->steps[NV_GMMU_LEVEL_PD0 + 1];
    NvGmmuAperture aper;
    uint64_t addr;

    if (!nv_gmmu_walk_next_small_pte(res, va, &aper, &addr)) {
        /* A caller's bug: fault rather than translate with a stale path. */
        return walk_fault(res, NV_GMMU_FAULT_TYPE_PTE, NV_GMMU_LEVEL_NONE);
    }
    walk_begin(res, va);
    step->aperture = aper;
    step->addr = addr;
    step->raw[0] = pte;
    step->raw[1] = 0;
    step->cached = false;
    /* As the walker's small-PT step (no big PT: nothing else decides). */
    if (pte & NV_GMMU_PTE_VALID) {
        return walk_leaf(res, NV_GMMU_LEVEL_PT_SMALL, NV_GMMU_PAGE_SHIFT_4K,
                         pte, acc);
    }
    if (pte & NV_GMMU_PTE_VOL) {
        return walk_sparse(res, NV_GMMU_LEVEL_PT_SMALL, pte);
    }
    return walk_fault(res, NV_GMMU_FAULT_TYPE_PTE, NV_GMMU_LEVEL_PT_SMALL);
}

NvGmmuWalkStatus nv_gmmu_walk(const NvGmmuMem *mem, const NvGmmuPdb *pdb,
                              uint64_t va, const NvGmmuAccess *acc,
                              NvGmmuWalkResult *res)
{
    return nv_gmmu_walk_cached(mem, pdb, va, acc, NULL, res);
}
