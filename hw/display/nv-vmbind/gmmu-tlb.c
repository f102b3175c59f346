/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * nv-vmbind GMMU: TLB model (leaf TLB + PDE cache), see gmmu-tlb.h.
 */
#include <string.h>

#include <glib.h>

#include "gmmu-tlb.h"

/* Leaf keys use level NV_GMMU_LEVEL_COUNT and vpn = va >> 12. */
#define LEAF_LEVEL      NV_GMMU_LEVEL_COUNT
/* One bit per PDE level, PD3 (0) .. PD0 (3). */
#define ALL_PDE_LEVELS  0xfu

typedef struct TlbKey {
    uint64_t pdb_addr;
    uint64_t vpn;           /* va >> 12 (leaf) or va >> level shift (PDE) */
    uint8_t pdb_aperture;
    uint8_t level;
} TlbKey;

typedef struct TlbLeaf {
    TlbKey key;
    NvGmmuTranslation tr;
} TlbLeaf;

typedef struct TlbPde {
    TlbKey key;
    NvGmmuWalkStep step;
} TlbPde;

struct NvGmmuTlb {
    GHashTable *leaf;       /* TlbKey* -> TlbLeaf* (key inside value) */
    GHashTable *pde;        /* TlbKey* -> TlbPde* */
    unsigned capacity;
    unsigned pde_capacity;
    bool enabled;
    NvGmmuTlbStats stats;
    NvGmmuPdeCache pde_ops;
};

static guint tlb_key_hash(gconstpointer p)
{
    const TlbKey *k = p;
    uint64_t h = k->vpn * 0x9e3779b97f4a7c15ULL;

    h ^= (k->pdb_addr >> 12) * 0xc2b2ae3d27d4eb4fULL;
    h ^= ((uint64_t)k->level << 8 | k->pdb_aperture) * 0x165667b19e3779f9ULL;
    h ^= h >> 29;
    return (guint)(h ^ (h >> 32));
}

static gboolean tlb_key_equal(gconstpointer a, gconstpointer b)
{
    const TlbKey *x = a, *y = b;

    return x->vpn == y->vpn && x->pdb_addr == y->pdb_addr &&
           x->level == y->level && x->pdb_aperture == y->pdb_aperture;
}

static void tlb_key_init(TlbKey *k, const NvGmmuPdb *pdb, unsigned level,
                         uint64_t vpn)
{
    memset(k, 0, sizeof(*k));
    k->pdb_addr = pdb->addr;
    k->pdb_aperture = (uint8_t)pdb->aperture;
    k->level = (uint8_t)level;
    k->vpn = vpn;
}

static bool pde_cache_lookup(void *opaque, const NvGmmuPdb *pdb,
                             NvGmmuLevel level, uint64_t va,
                             NvGmmuWalkStep *step)
{
    NvGmmuTlb *tlb = opaque;
    TlbPde *e;
    TlbKey k;

    tlb_key_init(&k, pdb, level, va >> nv_gmmu_level_shift(level));
    e = g_hash_table_lookup(tlb->pde, &k);
    if (!e) {
        return false;
    }
    *step = e->step;
    tlb->stats.pde_hits++;
    return true;
}

static void pde_cache_insert(void *opaque, const NvGmmuPdb *pdb,
                             NvGmmuLevel level, uint64_t va,
                             const NvGmmuWalkStep *step)
{
    NvGmmuTlb *tlb = opaque;
    TlbPde *e;

    if (g_hash_table_size(tlb->pde) >= tlb->pde_capacity) {
        g_hash_table_remove_all(tlb->pde);
        tlb->stats.capacity_flushes++;
    }
    e = g_new(TlbPde, 1);
    tlb_key_init(&e->key, pdb, level, va >> nv_gmmu_level_shift(level));
    e->step = *step;
    g_hash_table_replace(tlb->pde, &e->key, e);
}

NvGmmuTlb *nv_gmmu_tlb_new(unsigned capacity, unsigned pde_capacity)
{
    NvGmmuTlb *tlb = g_new0(NvGmmuTlb, 1);

    tlb->capacity = capacity ? capacity : NV_GMMU_TLB_DEFAULT_CAPACITY;
    tlb->pde_capacity = pde_capacity ? pde_capacity
                                     : NV_GMMU_TLB_DEFAULT_PDE_CAPACITY;
    tlb->leaf = g_hash_table_new_full(tlb_key_hash, tlb_key_equal, NULL,
                                      g_free);
    tlb->pde = g_hash_table_new_full(tlb_key_hash, tlb_key_equal, NULL,
                                     g_free);
    tlb->enabled = true;
    tlb->pde_ops.lookup = pde_cache_lookup;
    tlb->pde_ops.insert = pde_cache_insert;
    tlb->pde_ops.opaque = tlb;
    return tlb;
}

void nv_gmmu_tlb_free(NvGmmuTlb *tlb)
{
    if (!tlb) {
        return;
    }
    g_hash_table_destroy(tlb->leaf);
    g_hash_table_destroy(tlb->pde);
    g_free(tlb);
}

void nv_gmmu_tlb_flush_all(NvGmmuTlb *tlb)
{
    g_hash_table_remove_all(tlb->leaf);
    g_hash_table_remove_all(tlb->pde);
}

void nv_gmmu_tlb_set_enabled(NvGmmuTlb *tlb, bool enabled)
{
    if (tlb->enabled != enabled) {
        nv_gmmu_tlb_flush_all(tlb);
        tlb->enabled = enabled;
    }
}

bool nv_gmmu_tlb_is_enabled(const NvGmmuTlb *tlb)
{
    return tlb->enabled;
}

static void tlb_insert_leaf(NvGmmuTlb *tlb, const NvGmmuPdb *pdb,
                            uint64_t va, const NvGmmuTranslation *tr)
{
    TlbLeaf *e;

    if (g_hash_table_size(tlb->leaf) >= tlb->capacity) {
        g_hash_table_remove_all(tlb->leaf);
        tlb->stats.capacity_flushes++;
    }
    e = g_new(TlbLeaf, 1);
    tlb_key_init(&e->key, pdb, LEAF_LEVEL, va >> NV_GMMU_PAGE_SHIFT_4K);
    e->tr = *tr;
    g_hash_table_replace(tlb->leaf, &e->key, e);
    tlb->stats.inserts++;
}

NvGmmuWalkStatus nv_gmmu_tlb_translate(NvGmmuTlb *tlb, const NvGmmuMem *mem,
                                       const NvGmmuPdb *pdb, uint64_t va,
                                       const NvGmmuAccess *acc,
                                       NvGmmuWalkResult *res)
{
    const TlbLeaf *e;
    TlbKey k;
    uint8_t fault;

    if (!tlb || !tlb->enabled) {
        if (tlb) {
            tlb->stats.bypass++;
        }
        return nv_gmmu_walk(mem, pdb, va, acc, res);
    }
    if (!nv_gmmu_va_in_range(pdb, va)) {
        /* Instance-block state, not a translation: never cached. */
        return nv_gmmu_walk(mem, pdb, va, acc, res);
    }

    tlb_key_init(&k, pdb, LEAF_LEVEL, va >> NV_GMMU_PAGE_SHIFT_4K);
    e = g_hash_table_lookup(tlb->leaf, &k);
    if (e) {
        tlb->stats.hits++;
        res->va = va;
        res->tr = e->tr;
        res->tlb_hit = true;
        res->nsteps = 0;
        res->pa = 0;
        res->fault_type = NV_GMMU_FAULT_NONE;
        res->fault_level = NV_GMMU_LEVEL_NONE;
        if (e->tr.sparse) {
            res->status = NV_GMMU_WALK_SPARSE;
            return res->status;
        }
        fault = nv_gmmu_check_access(&e->tr, acc);
        if (fault != NV_GMMU_FAULT_NONE) {
            res->status = NV_GMMU_WALK_FAULT;
            res->fault_type = fault;
            res->fault_level = e->tr.level;
            return res->status;
        }
        res->pa = e->tr.pa_base |
                  (va & ((1ULL << e->tr.page_shift) - 1));
        res->status = NV_GMMU_WALK_OK;
        return res->status;
    }

    tlb->stats.misses++;
    nv_gmmu_walk_cached(mem, pdb, va, acc, &tlb->pde_ops, res);
    /* Valid leaves (even when this access lacked permission) and sparse
     * ranges are cached; PDE/PTE faults are not. */
    if (res->tr.sparse || (res->tr.flags & NV_GMMU_PTE_VALID)) {
        tlb_insert_leaf(tlb, pdb, va, &res->tr);
    }
    return res->status;
}

typedef struct InvalCtx {
    const NvGmmuTlbInvalidate *inv;
    uint64_t va_last;       /* last byte of the targeted range */
    unsigned pde_levels;    /* bit per NvGmmuLevel dropped from PDE cache */
} InvalCtx;

static bool inval_match(const InvalCtx *c, const TlbKey *k, uint64_t base,
                        unsigned shift)
{
    const NvGmmuTlbInvalidate *inv = c->inv;

    if (!inv->all_pdb) {
        if (k->pdb_addr != inv->pdb_addr ||
            nv_gmmu_aperture_is_sys((NvGmmuAperture)k->pdb_aperture) !=
            inv->pdb_sys) {
            return false;
        }
    }
    if (!inv->all_va) {
        uint64_t last = base + ((1ULL << shift) - 1);

        if (last < inv->va || base > c->va_last) {
            return false;
        }
    }
    return true;
}

static gboolean inval_leaf(gpointer key, gpointer value, gpointer opaque)
{
    const TlbLeaf *e = value;

    return inval_match(opaque, &e->key, e->tr.va_base, e->tr.page_shift);
}

static gboolean inval_pde(gpointer key, gpointer value, gpointer opaque)
{
    const TlbPde *e = value;
    const InvalCtx *c = opaque;
    unsigned shift = nv_gmmu_level_shift((NvGmmuLevel)e->key.level);

    if (!(c->pde_levels & (1u << e->key.level))) {
        return false;
    }
    return inval_match(c, &e->key, e->key.vpn << shift, shift);
}

/* PDE-cache levels dropped for a CACHE_LEVEL value. */
static unsigned inval_pde_levels(unsigned cache_level)
{
    unsigned m = 0;

    switch (cache_level) {
    case NV_GMMU_INVAL_LEVEL_PTE_ONLY:
        return 0;
    case NV_GMMU_INVAL_LEVEL_UP_TO_PDE3:
        m |= 1u << NV_GMMU_LEVEL_PD3;
        /* fall through */
    case NV_GMMU_INVAL_LEVEL_UP_TO_PDE2:
        m |= 1u << NV_GMMU_LEVEL_PD2;
        /* fall through */
    case NV_GMMU_INVAL_LEVEL_UP_TO_PDE1:
        m |= 1u << NV_GMMU_LEVEL_PD1;
        /* fall through */
    case NV_GMMU_INVAL_LEVEL_UP_TO_PDE0:
        m |= 1u << NV_GMMU_LEVEL_PD0;
        return m;
    default:
        /* ALL, and PDE4/PDE5 which VER2 does not have. */
        return ALL_PDE_LEVELS;
    }
}

void nv_gmmu_tlb_invalidate(NvGmmuTlb *tlb, const NvGmmuTlbInvalidate *inv)
{
    InvalCtx c = { .inv = inv };
    unsigned before = g_hash_table_size(tlb->leaf) +
                      g_hash_table_size(tlb->pde);

    tlb->stats.invalidates++;
    if (inv->hub_only) {
        tlb->stats.hub_only++;
    }
    c.pde_levels = inval_pde_levels(inv->cache_level);
    c.va_last = inv->va + (inv->size ? inv->size - 1 : 0);
    if (c.va_last < inv->va) {
        c.va_last = UINT64_MAX;
    }

    if (inv->all_pdb && inv->all_va) {
        g_hash_table_remove_all(tlb->leaf);
        if (c.pde_levels == ALL_PDE_LEVELS) {
            g_hash_table_remove_all(tlb->pde);
        } else if (c.pde_levels) {
            g_hash_table_foreach_remove(tlb->pde, inval_pde, &c);
        }
    } else {
        g_hash_table_foreach_remove(tlb->leaf, inval_leaf, &c);
        if (c.pde_levels) {
            g_hash_table_foreach_remove(tlb->pde, inval_pde, &c);
        }
    }
    tlb->stats.dropped += before - (g_hash_table_size(tlb->leaf) +
                                    g_hash_table_size(tlb->pde));
}

void nv_gmmu_tlb_invalidate_decode(uint32_t invalidate, uint32_t pdb_lo,
                                   uint32_t pdb_hi, uint64_t va,
                                   NvGmmuTlbInvalidate *inv)
{
    memset(inv, 0, sizeof(*inv));
    inv->all_va = invalidate & NV_GMMU_INVAL_ALL_VA;
    inv->all_pdb = invalidate & NV_GMMU_INVAL_ALL_PDB;
    inv->hub_only = invalidate & NV_GMMU_INVAL_HUBTLB_ONLY;
    inv->cache_level = (invalidate & NV_GMMU_INVAL_CACHE_LEVEL_MASK) >>
                       NV_GMMU_INVAL_CACHE_LEVEL_SHIFT;
    inv->pdb_sys = pdb_lo & NV_GMMU_INVAL_PDB_APERTURE_SYS;
    inv->pdb_addr = (((uint64_t)(pdb_hi & NV_GMMU_INVAL_UPPER_PDB_MASK) << 28) |
                     (pdb_lo >> NV_GMMU_INVAL_PDB_ADDR_SHIFT)) << 12;
    inv->va = va;
    inv->size = 1ULL << NV_GMMU_PAGE_SHIFT_4K;
}

void nv_gmmu_tlb_get_stats(const NvGmmuTlb *tlb, NvGmmuTlbStats *stats)
{
    *stats = tlb->stats;
    stats->entries = g_hash_table_size(tlb->leaf);
    stats->pde_entries = g_hash_table_size(tlb->pde);
    stats->capacity = tlb->capacity;
    stats->pde_capacity = tlb->pde_capacity;
    stats->enabled = tlb->enabled;
}

void nv_gmmu_tlb_reset_stats(NvGmmuTlb *tlb)
{
    memset(&tlb->stats, 0, sizeof(tlb->stats));
}
