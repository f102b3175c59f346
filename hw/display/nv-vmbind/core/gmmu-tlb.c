/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * nv-vmbind GMMU: TLB model (leaf TLB + PDE cache), see gmmu-tlb.h.
 */
#include <string.h>

#include <glib.h>

#include "gmmu-tlb.h"
#include "le.h"

/* Leaf keys use level NV_GMMU_LEVEL_COUNT and vpn = va >> 12. */
#define LEAF_LEVEL      NV_GMMU_LEVEL_COUNT
/* One bit per PDE level, PD3 (0) .. PD0 (3). */
#define ALL_PDE_LEVELS  0xfu

/* The tag of a slot; in use when gen equals the table's generation. */
typedef struct TlbKey {
    uint64_t pdb_addr;
    uint64_t vpn;           /* va >> 12 (leaf) or va >> level shift (PDE) */
    uint32_t gen;
    uint8_t pdb_aperture;
    uint8_t level;
} TlbKey;

typedef union TlbVal {
    NvGmmuTranslation tr;   /* leaf TLB */
    NvGmmuWalkStep step;    /* PDE cache */
} TlbVal;

/*
 * Both caches are fixed-size open-addressing tables (linear probing, at
 * most half full) allocated once.  Tags and values are separate arrays so
 * that probing reads only the compact tags; emptying a table is a
 * generation bump.
 */
typedef struct TlbTable {
    TlbKey *keys;
    TlbVal *vals;
    uint32_t mask;          /* number of slots - 1 */
    uint32_t gen;
    /* Bumped whenever an entry goes away or changes (see FastEntry). */
    uint32_t epoch;
    unsigned count;
    unsigned capacity;
} TlbTable;

/*
 * The fast path: a direct-mapped array in front of the leaf table, one
 * cache line per entry, indexed by page number.  An entry is a copy of a
 * leaf-table entry and is valid only while the table's epoch is the one it
 * was copied at: every removal, emptying or overwrite in the leaf table
 * bumps the epoch, so the array can never answer what the table no longer
 * holds (invalidate semantics are the table's, exactly).  It also keeps
 * the last nv_gmmu_check_access() result, a pure function of the entry
 * and the access, for the access it was computed for.
 */
typedef struct FastEntry {
    uint64_t vpn;
    uint64_t pdb_addr;
    uint32_t epoch;         /* 0: never valid (the epoch starts at 1) */
    uint8_t pdb_aperture;
    uint8_t fault;          /* check_access result for acc_key */
    uint16_t acc_key;       /* FAST_NO_ACC: not computed */
    NvGmmuTranslation tr;
} FastEntry;

#define FAST_MAX_ENTRIES    4096
#define FAST_NO_ACC         0xffff

/*
 * The PDE cache's fast path: per level, a few entries last answered or
 * taken (direct-mapped by VA, so a copy's source and destination do not
 * evict each other), valid only at the PDE table's epoch (as FastEntry).
 * A walk of the page after the last one needs the same PD3..PD0 entries.
 */
#define PDE_LAST_WAYS   4
typedef struct PdeLast {
    uint64_t vpn;           /* va >> level shift */
    uint64_t pdb_addr;
    uint32_t epoch;         /* 0: never valid */
    uint8_t pdb_aperture;
    NvGmmuWalkStep step;
} PdeLast;

/*
 * The whole PD3..PD0 path of a 2 MiB region, as pde_cache_lookup() gave it
 * level by level at this PDE-table epoch (a few, direct-mapped): the walk
 * of the next page of the region takes it in one step.
 */
#define PDE_PATH_WAYS   4

typedef struct PdePath {
    uint64_t vpn;           /* va >> 21 */
    uint64_t pdb_addr;
    uint32_t epoch;         /* 0: never valid */
    uint8_t pdb_aperture;
    NvGmmuWalkStep steps[NV_GMMU_LEVEL_PD0 + 1];
} PdePath;

struct NvGmmuTlb {
    TlbTable leaf;
    TlbTable pde;
    PdePath pde_path[PDE_PATH_WAYS];
    PdeLast pde_last[NV_GMMU_LEVEL_PD0 + 1][PDE_LAST_WAYS];
    FastEntry *fast;
    uint32_t fast_mask;
    bool enabled;
    NvGmmuTlbStats stats;
    NvGmmuPdeCache pde_ops;
};

/*
 * Runs of 8 consecutive pages share a hash and take neighbouring slots, so
 * streaming accesses touch few cache lines.
 */
static inline uint32_t tlb_key_hash(const TlbKey *k)
{
    uint64_t h = (k->vpn >> 3) * 0x9e3779b97f4a7c15ULL;

    h ^= (k->pdb_addr >> 12) * 0xc2b2ae3d27d4eb4fULL;
    h ^= ((uint64_t)k->level << 8 | k->pdb_aperture) * 0x165667b19e3779f9ULL;
    h ^= h >> 31;
    h *= 0xbf58476d1ce4e5b9ULL;
    return (uint32_t)(h ^ (h >> 32)) + (uint32_t)(k->vpn & 7);
}

static inline bool tlb_key_equal(const TlbKey *x, const TlbKey *y)
{
    return x->vpn == y->vpn && x->pdb_addr == y->pdb_addr &&
           x->level == y->level && x->pdb_aperture == y->pdb_aperture;
}

static void tlb_key_init(TlbKey *k, const NvGmmuPdb *pdb, unsigned level,
                         uint64_t vpn)
{
    k->pdb_addr = pdb->addr;
    k->pdb_aperture = (uint8_t)pdb->aperture;
    k->level = (uint8_t)level;
    k->vpn = vpn;
    k->gen = 0;
}

static void table_init(TlbTable *t, unsigned capacity)
{
    uint32_t n = 4;

    capacity = MIN(capacity, NV_GMMU_TLB_MAX_CAPACITY);
    while (n < 2u * capacity) {
        n <<= 1;
    }
    t->keys = g_new0(TlbKey, n);
    t->vals = g_new0(TlbVal, n);
    t->mask = n - 1;
    t->gen = 1;
    t->epoch = 1;
    t->count = 0;
    t->capacity = capacity;
}

static void table_free(TlbTable *t)
{
    g_free(t->keys);
    g_free(t->vals);
}

static inline bool slot_used(const TlbTable *t, uint32_t i)
{
    return t->keys[i].gen == t->gen;
}

static void table_changed(TlbTable *t)
{
    /* 0 marks a never-valid fast entry: skip it (the array is reset). */
    if (++t->epoch == 0) {
        t->epoch = 1;
    }
}

static void table_clear(TlbTable *t)
{
    if (++t->gen == 0) {
        memset(t->keys, 0, sizeof(TlbKey) * (t->mask + 1));
        t->gen = 1;
    }
    t->count = 0;
    table_changed(t);
}

/* Value of @k (whose tlb_key_hash() is @h), or NULL. */
static TlbVal *table_find_h(TlbTable *t, const TlbKey *k, uint32_t h)
{
    uint32_t i = h & t->mask;

    while (slot_used(t, i)) {
        if (tlb_key_equal(&t->keys[i], k)) {
            return &t->vals[i];
        }
        i = (i + 1) & t->mask;
    }
    return NULL;
}

static TlbVal *table_find(TlbTable *t, const TlbKey *k)
{
    return table_find_h(t, k, tlb_key_hash(k));
}

/*
 * Value slot for @k (hash @h; existing or new); empties a full table
 * first.
 */
static TlbVal *table_insert_h(NvGmmuTlb *tlb, TlbTable *t, const TlbKey *k,
                              uint32_t h)
{
    uint32_t i;

    if (t->count >= t->capacity) {
        table_clear(t);
        tlb->stats.capacity_flushes++;
    }
    i = h & t->mask;
    while (slot_used(t, i)) {
        if (tlb_key_equal(&t->keys[i], k)) {
            table_changed(t);   /* the caller overwrites the value */
            return &t->vals[i];
        }
        i = (i + 1) & t->mask;
    }
    t->keys[i] = *k;
    t->keys[i].gen = t->gen;
    t->count++;
    return &t->vals[i];
}

static TlbVal *table_insert(NvGmmuTlb *tlb, TlbTable *t, const TlbKey *k)
{
    return table_insert_h(tlb, t, k, tlb_key_hash(k));
}

/* Delete slot @i, shifting later members of its probe run back. */
static void table_remove_at(TlbTable *t, uint32_t i)
{
    uint32_t j = i;

    table_changed(t);
    for (;;) {
        uint32_t home;

        t->keys[i].gen = t->gen - 1;
        for (;;) {
            j = (j + 1) & t->mask;
            if (!slot_used(t, j)) {
                t->count--;
                return;
            }
            home = tlb_key_hash(&t->keys[j]) & t->mask;
            /* Stays if its home lies cyclically in (i, j]. */
            if (i <= j ? (i < home && home <= j) : (i < home || home <= j)) {
                continue;
            }
            break;
        }
        t->keys[i] = t->keys[j];
        t->vals[i] = t->vals[j];
        i = j;
    }
}

/* Remove every entry @pred selects; returns how many. */
static unsigned table_remove_if(TlbTable *t,
                                bool (*pred)(const TlbKey *, const TlbVal *,
                                             const void *),
                                const void *ctx)
{
    unsigned removed = 0;
    uint32_t i;

    /*
     * The scan costs the whole table (8,192 slots by default), which a
     * guest that binds while nothing translates (the device invalidates
     * the VM after every bind) would otherwise pay each time.
     */
    if (!t->count) {
        return 0;
    }
    for (i = 0; i <= t->mask; i++) {
        /* A removal may shift another entry into slot i: look again. */
        while (slot_used(t, i) && pred(&t->keys[i], &t->vals[i], ctx)) {
            table_remove_at(t, i);
            removed++;
        }
    }
    return removed;
}

/* Remember what the PDE table holds for (@pdb, @level, @vpn) now. */
static PdeLast *pde_last(NvGmmuTlb *tlb, const NvGmmuPdb *pdb,
                         NvGmmuLevel level, uint64_t vpn)
{
    uint64_t h = (vpn ^ (pdb->addr >> 12)) * 0x9e3779b97f4a7c15ULL;

    return &tlb->pde_last[level][h >> 62];     /* 2 bits: 4 ways */
}

static void pde_last_set(NvGmmuTlb *tlb, const NvGmmuPdb *pdb,
                         NvGmmuLevel level, uint64_t vpn,
                         const NvGmmuWalkStep *step)
{
    PdeLast *l = pde_last(tlb, pdb, level, vpn);

    l->vpn = vpn;
    l->pdb_addr = pdb->addr;
    l->pdb_aperture = (uint8_t)pdb->aperture;
    l->epoch = tlb->pde.epoch;
    l->step = *step;
}

/* The PDE table behind pde_last (kept out of the hot function). */
static __attribute__((noinline)) bool pde_cache_lookup_table(NvGmmuTlb *tlb,
                                               const NvGmmuPdb *pdb,
                                               NvGmmuLevel level,
                                               uint64_t vpn,
                                               NvGmmuWalkStep *step)
{
    TlbVal *v;
    TlbKey k;

    tlb_key_init(&k, pdb, level, vpn);
    v = table_find(&tlb->pde, &k);
    if (!v) {
        return false;
    }
    *step = v->step;
    tlb->stats.pde_hits++;
    pde_last_set(tlb, pdb, level, vpn, step);
    return true;
}

static bool pde_cache_lookup(void *opaque, const NvGmmuPdb *pdb,
                             NvGmmuLevel level, uint64_t va,
                             NvGmmuWalkStep *step)
{
    NvGmmuTlb *tlb = opaque;
    uint64_t vpn = va >> nv_gmmu_level_shift(level);
    const PdeLast *l = pde_last(tlb, pdb, level, vpn);

    if (l->epoch == tlb->pde.epoch && l->vpn == vpn &&
        l->pdb_addr == pdb->addr && l->pdb_aperture == pdb->aperture) {
        *step = l->step;
        tlb->stats.pde_hits++;
        return true;
    }
    return pde_cache_lookup_table(tlb, pdb, level, vpn, step);
}

/*
 * PD3..PD0 for @va at once, only if each level's pde_last holds it, i.e.
 * exactly when pde_cache_lookup() would answer all four from there.
 */
static bool pde_cache_lookup_path(void *opaque, const NvGmmuPdb *pdb,
                                  uint64_t va, NvGmmuWalkStep *steps)
{
    NvGmmuTlb *tlb = opaque;
    const PdeLast *l[NV_GMMU_LEVEL_PD0 + 1];
    uint64_t vpn0 = va >> nv_gmmu_level_shift(NV_GMMU_LEVEL_PD0);
    uint64_t h = (vpn0 ^ (pdb->addr >> 12)) * 0x9e3779b97f4a7c15ULL;
    PdePath *p = &tlb->pde_path[h >> 62];
    unsigned level;

    G_STATIC_ASSERT(PDE_PATH_WAYS == 4 && PDE_LAST_WAYS == 4);
    if (p->epoch == tlb->pde.epoch && p->vpn == vpn0 &&
        p->pdb_addr == pdb->addr && p->pdb_aperture == pdb->aperture) {
        memcpy(steps, p->steps, sizeof(p->steps));
        tlb->stats.pde_hits += NV_GMMU_LEVEL_PD0 + 1;
        return true;
    }
    for (level = NV_GMMU_LEVEL_PD3; level <= NV_GMMU_LEVEL_PD0; level++) {
        uint64_t vpn = va >> nv_gmmu_level_shift(level);

        l[level] = pde_last(tlb, pdb, level, vpn);
        if (l[level]->epoch != tlb->pde.epoch || l[level]->vpn != vpn ||
            l[level]->pdb_addr != pdb->addr ||
            l[level]->pdb_aperture != pdb->aperture) {
            return false;
        }
    }
    for (level = NV_GMMU_LEVEL_PD3; level <= NV_GMMU_LEVEL_PD0; level++) {
        steps[level] = l[level]->step;
        steps[level].level = level;
        steps[level].ok = true;
        steps[level].cached = true;
    }
    tlb->stats.pde_hits += NV_GMMU_LEVEL_PD0 + 1;
    p->vpn = vpn0;
    p->pdb_addr = pdb->addr;
    p->pdb_aperture = (uint8_t)pdb->aperture;
    p->epoch = tlb->pde.epoch;
    memcpy(p->steps, steps, sizeof(p->steps));
    return true;
}

static void pde_cache_insert(void *opaque, const NvGmmuPdb *pdb,
                             NvGmmuLevel level, uint64_t va,
                             const NvGmmuWalkStep *step)
{
    NvGmmuTlb *tlb = opaque;
    uint64_t vpn = va >> nv_gmmu_level_shift(level);
    TlbKey k;

    tlb_key_init(&k, pdb, level, vpn);
    table_insert(tlb, &tlb->pde, &k)->step = *step;
    pde_last_set(tlb, pdb, level, vpn, step);
}

NvGmmuTlb *nv_gmmu_tlb_new(unsigned capacity, unsigned pde_capacity)
{
    NvGmmuTlb *tlb = g_new0(NvGmmuTlb, 1);
    uint32_t n;

    table_init(&tlb->leaf, capacity ? capacity : NV_GMMU_TLB_DEFAULT_CAPACITY);
    table_init(&tlb->pde, pde_capacity ? pde_capacity
                                       : NV_GMMU_TLB_DEFAULT_PDE_CAPACITY);
    /* One entry per leaf the table can hold, within a bound. */
    n = 1;
    while (n < MIN(tlb->leaf.capacity, FAST_MAX_ENTRIES)) {
        n <<= 1;
    }
    tlb->fast = g_new0(FastEntry, n);      /* epoch 0: all invalid */
    tlb->fast_mask = n - 1;
    tlb->enabled = true;
    tlb->pde_ops.lookup = pde_cache_lookup;
    tlb->pde_ops.insert = pde_cache_insert;
    tlb->pde_ops.lookup_path = pde_cache_lookup_path;
    tlb->pde_ops.opaque = tlb;
    return tlb;
}

void nv_gmmu_tlb_free(NvGmmuTlb *tlb)
{
    if (!tlb) {
        return;
    }
    table_free(&tlb->leaf);
    table_free(&tlb->pde);
    g_free(tlb->fast);
    g_free(tlb);
}

void nv_gmmu_tlb_flush_all(NvGmmuTlb *tlb)
{
    table_clear(&tlb->leaf);
    table_clear(&tlb->pde);
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

/*
 * Consecutive 4 KiB pages take consecutive slots; vpn >> 9 (the 2 MiB page
 * number) spreads pages one 64 KiB or 2 MiB apart, whose low bits repeat.
 */
static FastEntry *fast_slot(NvGmmuTlb *tlb, const NvGmmuPdb *pdb,
                            uint64_t vpn)
{
    return &tlb->fast[(vpn ^ (vpn >> 9) ^ (pdb->addr >> 12)) &
                      tlb->fast_mask];
}

/* Copy a leaf-table entry into the fast array (valid at this epoch). */
static void fast_fill(NvGmmuTlb *tlb, const NvGmmuPdb *pdb, uint64_t vpn,
                      const NvGmmuTranslation *tr)
{
    FastEntry *f = fast_slot(tlb, pdb, vpn);

    f->vpn = vpn;
    f->pdb_addr = pdb->addr;
    f->pdb_aperture = (uint8_t)pdb->aperture;
    f->epoch = tlb->leaf.epoch;
    f->acc_key = FAST_NO_ACC;
    f->tr = *tr;
}

/* Cache a leaf under @k (hash @h): leaf table and fast array. */
static void tlb_insert_leaf(NvGmmuTlb *tlb, const NvGmmuPdb *pdb,
                            const TlbKey *k, uint32_t h,
                            const NvGmmuTranslation *tr)
{
    table_insert_h(tlb, &tlb->leaf, k, h)->tr = *tr;
    tlb->stats.inserts++;
    fast_fill(tlb, pdb, k->vpn, tr);
}

/* A hit: fill @res from @f for @acc. */
static NvGmmuWalkStatus fast_hit(FastEntry *f, uint64_t va,
                                 const NvGmmuAccess *acc,
                                 NvGmmuWalkResult *res)
{
    const NvGmmuTranslation *e = &f->tr;
    uint16_t acc_key = acc->type | acc->priv << 8 | acc->peer_unsupported << 9;

    res->va = va;
    res->tr = *e;
    res->tlb_hit = true;
    res->nsteps = 0;
    res->pa = 0;
    res->fault_type = NV_GMMU_FAULT_NONE;
    res->fault_level = NV_GMMU_LEVEL_NONE;
    if (e->sparse) {
        res->status = NV_GMMU_WALK_SPARSE;
        return res->status;
    }
    if (f->acc_key != acc_key) {
        f->fault = nv_gmmu_check_access(e, acc);
        f->acc_key = acc_key;
    }
    if (f->fault != NV_GMMU_FAULT_NONE) {
        res->status = NV_GMMU_WALK_FAULT;
        res->fault_type = f->fault;
        res->fault_level = e->level;
        return res->status;
    }
    res->pa = e->pa_base | (va & ((1ULL << e->page_shift) - 1));
    res->status = NV_GMMU_WALK_OK;
    return res->status;
}

void nv_gmmu_tlb_prefetch(const NvGmmuTlb *tlb, const NvGmmuPdb *pdb,
                          uint64_t va)
{
    uint64_t vpn = va >> NV_GMMU_PAGE_SHIFT_4K;
    uint32_t i;
    TlbKey k;

    if (!tlb || !tlb->enabled) {
        return;
    }
    tlb_key_init(&k, pdb, LEAF_LEVEL, vpn);
    i = tlb_key_hash(&k) & tlb->leaf.mask;
    __builtin_prefetch(fast_slot((NvGmmuTlb *)tlb, pdb, vpn), 1);
    __builtin_prefetch(&tlb->leaf.keys[i], 1);
    __builtin_prefetch(&tlb->leaf.vals[i], 1);
}

/*
 * Look @va up (TLB enabled, @va in range): on a hit fill @res and return
 * true; on a miss return false with @k / @h set for the insert.  The same
 * steps as nv_gmmu_tlb_translate()'s, which keeps its own copy inline.
 */
static bool tlb_lookup(NvGmmuTlb *tlb, const NvGmmuPdb *pdb, uint64_t va,
                       const NvGmmuAccess *acc, NvGmmuWalkResult *res,
                       TlbKey *k, uint32_t *h)
{
    uint64_t vpn = va >> NV_GMMU_PAGE_SHIFT_4K;
    FastEntry *f = fast_slot(tlb, pdb, vpn);
    const TlbVal *slot;

    if (f->epoch == tlb->leaf.epoch && f->vpn == vpn &&
        f->pdb_addr == pdb->addr && f->pdb_aperture == pdb->aperture) {
        tlb->stats.hits++;
        fast_hit(f, va, acc, res);
        return true;
    }
    tlb_key_init(k, pdb, LEAF_LEVEL, vpn);
    *h = tlb_key_hash(k);
    slot = table_find_h(&tlb->leaf, k, *h);
    if (slot) {
        tlb->stats.hits++;
        fast_fill(tlb, pdb, vpn, &slot->tr);
        fast_hit(f, va, acc, res);
        return true;
    }
    tlb->stats.misses++;
    return false;
}

/*
 * After a miss: valid leaves (even when this access lacked permission) and
 * sparse ranges are cached; PDE/PTE faults are not.
 */
static void tlb_miss_insert(NvGmmuTlb *tlb, const NvGmmuPdb *pdb,
                            const TlbKey *k, uint32_t h,
                            const NvGmmuWalkResult *res)
{
    if (res->tr.sparse || (res->tr.flags & NV_GMMU_PTE_VALID)) {
        tlb_insert_leaf(tlb, pdb, k, h, &res->tr);
    }
}

NvGmmuWalkStatus nv_gmmu_tlb_translate(NvGmmuTlb *tlb, const NvGmmuMem *mem,
                                       const NvGmmuPdb *pdb, uint64_t va,
                                       const NvGmmuAccess *acc,
                                       NvGmmuWalkResult *res)
{
    uint64_t vpn = va >> NV_GMMU_PAGE_SHIFT_4K;
    const TlbVal *slot;
    FastEntry *f;
    uint32_t h;
    TlbKey k;

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

    /* The hit path, written out: tlb_lookup() here cost a quarter of it. */
    f = fast_slot(tlb, pdb, vpn);
    if (f->epoch == tlb->leaf.epoch && f->vpn == vpn &&
        f->pdb_addr == pdb->addr && f->pdb_aperture == pdb->aperture) {
        tlb->stats.hits++;
        return fast_hit(f, va, acc, res);
    }
    tlb_key_init(&k, pdb, LEAF_LEVEL, vpn);
    h = tlb_key_hash(&k);
    slot = table_find_h(&tlb->leaf, &k, h);
    if (slot) {
        tlb->stats.hits++;
        fast_fill(tlb, pdb, vpn, &slot->tr);
        return fast_hit(f, va, acc, res);
    }

    tlb->stats.misses++;
    nv_gmmu_walk_cached(mem, pdb, va, acc, &tlb->pde_ops, res);
    tlb_miss_insert(tlb, pdb, &k, h, res);
    return res->status;
}

/*
 * @ahead's copy of the PTE at @addr in @aper, reading up to
 * NV_GMMU_PTE_AHEAD entries of its 4 KiB page table (in @backward's
 * direction) when it has none; false if that read fails.  @addr comes from
 * nv_gmmu_walk_next_small_pte(): 8-byte aligned in a 4 KiB-aligned table.
 */
static bool pte_ahead_get(NvGmmuPteAhead *ahead, const NvGmmuMem *mem,
                          NvGmmuAperture aper, uint64_t addr, bool backward,
                          uint64_t *pte)
{
    uint8_t buf[NV_GMMU_PTE_AHEAD * 8];
    uint64_t table = addr & ~0xfffull, lo, hi;
    unsigned i;

    if (ahead->n && ahead->aper == aper && addr >= ahead->addr &&
        addr < ahead->addr + ahead->n * 8ull) {
        *pte = ahead->raw[(addr - ahead->addr) / 8];
        return true;
    }
    ahead->n = 0;
    if (backward) {
        lo = MAX(table, addr - (NV_GMMU_PTE_AHEAD - 1) * 8ull);
        hi = addr + 8;
    } else {
        lo = addr;
        hi = MIN(table + 0x1000, addr + NV_GMMU_PTE_AHEAD * 8ull);
    }
    if (!mem->read(mem->opaque, aper, lo, buf, hi - lo)) {
        return false;
    }
    for (i = 0; i < (hi - lo) / 8; i++) {
        ahead->raw[i] = ld_le64(buf + 8 * i);
    }
    ahead->aper = aper;
    ahead->addr = lo;
    ahead->n = (hi - lo) / 8;
    *pte = ahead->raw[(addr - lo) / 8];
    return true;
}

NvGmmuWalkStatus nv_gmmu_tlb_translate_next(NvGmmuTlb *tlb,
                                            const NvGmmuMem *mem,
                                            const NvGmmuPdb *pdb, uint64_t va,
                                            const NvGmmuAccess *acc,
                                            NvGmmuWalkResult *res,
                                            NvGmmuPteAhead *ahead,
                                            bool backward)
{
    NvGmmuAperture aper;
    uint64_t addr, pte;
    uint32_t h;
    TlbKey k;

    if (!tlb || !tlb->enabled || !nv_gmmu_va_in_range(pdb, va) ||
        !nv_gmmu_walk_next_small_pte(res, va, &aper, &addr)) {
        return nv_gmmu_tlb_translate(tlb, mem, pdb, va, acc, res);
    }
    if (tlb_lookup(tlb, pdb, va, acc, res, &k, &h)) {
        return res->status;
    }
    if (pte_ahead_get(ahead, mem, aper, addr, backward, &pte)) {
        nv_gmmu_walk_next_small(res, va, pte, acc);
    } else {
        nv_gmmu_walk_cached(mem, pdb, va, acc, &tlb->pde_ops, res);
    }
    tlb_miss_insert(tlb, pdb, &k, h, res);
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

static bool inval_leaf(const TlbKey *k, const TlbVal *v, const void *opaque)
{
    return inval_match(opaque, k, v->tr.va_base, v->tr.page_shift);
}

static bool inval_pde(const TlbKey *k, const TlbVal *v, const void *opaque)
{
    const InvalCtx *c = opaque;
    unsigned shift = nv_gmmu_level_shift((NvGmmuLevel)k->level);

    if (!(c->pde_levels & (1u << k->level))) {
        return false;
    }
    return inval_match(c, k, k->vpn << shift, shift);
}

/* PDE-cache levels dropped for a CACHE_LEVEL value. */
static unsigned inval_pde_levels(unsigned cache_level)
{
    const unsigned pd0 = 1u << NV_GMMU_LEVEL_PD0;
    const unsigned pd1 = 1u << NV_GMMU_LEVEL_PD1;
    const unsigned pd2 = 1u << NV_GMMU_LEVEL_PD2;

    switch (cache_level) {
    case NV_GMMU_INVAL_LEVEL_PTE_ONLY:
        return 0;
    case NV_GMMU_INVAL_LEVEL_UP_TO_PDE0:
        return pd0;
    case NV_GMMU_INVAL_LEVEL_UP_TO_PDE1:
        return pd0 | pd1;
    case NV_GMMU_INVAL_LEVEL_UP_TO_PDE2:
        return pd0 | pd1 | pd2;
    default:
        /* UP_TO_PDE3, ALL, and PDE4/PDE5 which VER2 does not have. */
        return ALL_PDE_LEVELS;
    }
}

void nv_gmmu_tlb_invalidate(NvGmmuTlb *tlb, const NvGmmuTlbInvalidate *inv)
{
    InvalCtx c = { .inv = inv };

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
        tlb->stats.dropped += tlb->leaf.count;
        table_clear(&tlb->leaf);
        if (c.pde_levels == ALL_PDE_LEVELS) {
            tlb->stats.dropped += tlb->pde.count;
            table_clear(&tlb->pde);
        } else if (c.pde_levels) {
            tlb->stats.dropped += table_remove_if(&tlb->pde, inval_pde, &c);
        }
    } else {
        tlb->stats.dropped += table_remove_if(&tlb->leaf, inval_leaf, &c);
        if (c.pde_levels) {
            tlb->stats.dropped += table_remove_if(&tlb->pde, inval_pde, &c);
        }
    }
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
    stats->entries = tlb->leaf.count;
    stats->pde_entries = tlb->pde.count;
    stats->capacity = tlb->leaf.capacity;
    stats->pde_capacity = tlb->pde.capacity;
    stats->enabled = tlb->enabled;
}

void nv_gmmu_tlb_reset_stats(NvGmmuTlb *tlb)
{
    memset(&tlb->stats, 0, sizeof(tlb->stats));
}
