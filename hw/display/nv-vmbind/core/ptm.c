/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * nv-vmbind page-table manager.
 *
 * DOC: Page tables the device builds
 *
 * One NvvbPtm per GPU VM owns a PD3 and the tables below it, all in VRAM
 * from the device's NvvbPtPool (4 KiB granules; 256-byte slots for big-page
 * tables).  A software shadow mirrors the tree: per table its children, and
 * per entry two bits, VALID (the entry holds a mapping's PTE: a 2 MiB PTE
 * in PD0, a 64 KiB or 4 KiB PTE in a PT) and TILE (the entry is a sparse
 * marker of a region, placed as below).  Every other entry value is
 * *derived* from the shadow, so the tables never drift from it:
 *
 * - PD3/PD2/PD1: pointer to the child table, else sparse (VOL) if the entry
 *   lies in a sparse tile, else 0;
 * - PD0 (dual): big / small pointers for the tables that exist, else the
 *   sparse marker (VOL_BIG, hi 0) or 0 (gp100_vmm_pd0_pde/_sparse/_unmap);
 * - big PTE: 0 ("look at the small PTEs") if the small PT holds a valid PTE
 *   or a 4 KiB sparse tile in its 64 KiB, else sparse, else invalid (PRIV,
 *   gp100_vmm_lpt_invalid) -- nouveau's nvkm_vmm_ref_sptes() rules, and
 *   what gmmu-walk.c expects (big entry first; 0 defers to the small PT);
 * - small PTE: sparse if in a tile (its own, the big entry's or one above),
 *   else 0.
 *
 * Page size.  A mapping is cut into pieces by its backing extents; each
 * piece gets, from its start, the largest page of 2 MiB, 64 KiB, 4 KiB for
 * which the VA, the physical address and the remaining contiguous length
 * all fit.  2 MiB and 64 KiB pages are used for VRAM only: nouveau's gp100
 * page list {21 SVxC, 16 SVxC, 12 SVHx} allows host memory at 4 KiB only.
 * The choice for a page depends only on its VA, its backing and where the
 * mapping ends, so splitting a mapping (REMAP) leaves every page not cut
 * by the split exactly as it was, and the tables always equal what mapping
 * each current GPUVM mapping afresh would give.
 *
 * Sparse regions are tiled like nvkm_vmm_ptes_sparse(): the largest
 * aligned block of 128 TiB (PD3 entry), 256 GiB, 512 MiB, 2 MiB, 64 KiB or
 * 4 KiB that fits, repeated.  A table created below a sparse entry is
 * filled with sparse entries before it is linked (nvkm_vmm_ref_hwpt), and
 * an entry that loses its last mapping or table goes back to sparse.
 *
 * Lifetime.  A table holds a reference per entry that is VALID, a TILE or
 * points to a child; at the end of a request every table left with none is
 * unlinked (its parent entry rewritten to 0 or sparse) and returned to the
 * pool, children first.  Freeing only at the end means a table that exists
 * when a request starts exists until it ends.
 *
 * Writes.  Every entry write compares with what the table holds and skips
 * identical values (NvvbPtmResult.written / .skipped), and consecutive
 * entries of one table are read and written in one accessor call.  A REMAP
 * rewrites only the removed middle; `keep` skips removing what the MAP will
 * rewrite with the same translation.
 *
 * Atomicity.  Before writing, a request is checked completely (ranges,
 * backing extents, op geometry) and the number of granules it could
 * allocate is bounded from above.  If the pool has that many, the request
 * cannot fail and runs directly.  Otherwise it runs with an undo journal:
 * the first time a table is touched its shadow and its bytes are saved (and
 * the old bytes of every new table); if an allocation fails, everything is
 * restored and -ENOSPC returned, so tables, pool memory and pool state are
 * as before.
 */
#include <errno.h>
#include <string.h>

#include <glib.h>

#include "ptm.h"
#include "le.h"
#include "gmmu-tlb.h"

#define SZ_4K       0x1000ull
#define SZ_64K      0x10000ull
#define SZ_2M       0x200000ull
#define PAGE_MASK_4K (SZ_4K - 1)

#define LV_PD3      NV_GMMU_LEVEL_PD3
#define LV_PD2      NV_GMMU_LEVEL_PD2
#define LV_PD1      NV_GMMU_LEVEL_PD1
#define LV_PD0      NV_GMMU_LEVEL_PD0
#define LV_BIG      NV_GMMU_LEVEL_PT_BIG
#define LV_SMALL    NV_GMMU_LEVEL_PT_SMALL

/* Small PTEs per big PTE, big PTEs per PD0 entry. */
#define SPT_PER_LPT 16
#define LPT_PER_PD0 32

/* Shadow entry bits. */
#define E_VALID     0x01
#define E_TILE      0x02

/* Worst-case new tables an unmap / sparse request can need (see bounds). */
#define BOUND_CLEAR 4
#define BOUND_SPARSE 10

typedef struct PtmNode PtmNode;

/*
 * One table.  Allocated as one block (the arrays follow the struct) so
 * that the journal can save and restore it with one copy.
 */
struct PtmNode {
    PtmNode *parent;
    uint64_t addr;          /* table address in VRAM */
    uint64_t va_base;       /* first VA the table covers */
    size_t block_size;      /* bytes of this block */
    uint64_t txn;           /* last request that saved it (journal) */
    uint32_t refs;          /* entries VALID, TILE or with a child */
    uint32_t nvalid;        /* VALID entries */
    uint16_t pidx;          /* entry index in the parent */
    uint8_t level;          /* NvGmmuLevel */
    bool gc_queued;
    uint8_t *flags;         /* E_* per entry */
    PtmNode **child;        /* PD3..PD1: [n]; PD0: [2n] big, small */
    uint64_t *pte;          /* PD0, big PT: PTE of VALID entries */
    uint8_t *spte;          /* small PT: occupied entries per 64 KiB */
};

typedef struct PtmSave {
    PtmNode *node;
    void *shadow;           /* NULL: node created by this request */
    uint8_t *hw;            /* table bytes before the request */
    unsigned hw_len;
    uint64_t hw_addr;
} PtmSave;

/* A backing extent, checked and clipped to its mapping. */
typedef struct PtmExt {
    uint64_t va;
    uint64_t len;
    uint64_t pa;
    NvGmmuAperture aperture;
} PtmExt;

typedef struct PtmRegion {
    uint64_t addr;
    uint64_t range;
} PtmRegion;

/* The request in progress. */
typedef struct PtmTxn {
    uint64_t id;
    bool journal;
    int error;
    NvvbPtmResult res;
    GArray *saves;                          /* PtmSave */
    GPtrArray *gc[NV_GMMU_LEVEL_COUNT];     /* nodes that lost all refs */
    /* Pending writes: wb_count consecutive entries from wb_first. */
    PtmNode *wb_node;
    unsigned wb_first;
    unsigned wb_count;
    uint64_t wb_vals[512];
    /* Last PD0 table looked up, by VA >> 29. */
    uint64_t pc_key;
    PtmNode *pc_pd0;
} PtmTxn;

struct NvvbPtm {
    NvvbPtPool *pool;
    NvGmmuMem mem;
    PtmNode *root;
    GTree *regions;                 /* &r->addr -> PtmRegion */
    GArray *exts;                   /* PtmExt, checked per request */
    GArray *attrs;                  /* NvvbPtmAttrs, revalidate */
    NvvbPtmStats stats;
    NvvbPtmJournalMode journal_mode;
    uint64_t txn_seq;
    PtmTxn txn;
    uint8_t io[4096];               /* one table's worth of bytes */
};

/* ---- Small helpers ---- */

static inline unsigned lvl_entries(unsigned level)
{
    return 1u << nv_gmmu_level_bits(level);
}

/* Child slots of a table: one per entry above PD0, big + small in PD0. */
static inline unsigned lvl_children(unsigned level)
{
    return level <= LV_PD1 ? lvl_entries(level)
           : level == LV_PD0 ? 2 * lvl_entries(level) : 0;
}

static inline unsigned lvl_shift(unsigned level)
{
    return nv_gmmu_level_shift(level);
}

/* Pool allocation size of a table at @level. */
static inline unsigned lvl_pool_size(unsigned level)
{
    return level == LV_BIG ? NVVB_PT_POOL_SLOT : NVVB_PT_POOL_GRANULE;
}

static inline uint64_t node_end(const PtmNode *n)
{
    return n->va_base +
           ((uint64_t)lvl_entries(n->level) << lvl_shift(n->level));
}

/* Number of 1 << @shift blocks [a, b) touches (b > a). */
static inline uint64_t span_count(uint64_t a, uint64_t b, unsigned shift)
{
    return ((b - 1) >> shift) - (a >> shift) + 1;
}

static bool range_ok(uint64_t va, uint64_t range)
{
    return range && !(va & PAGE_MASK_4K) && !(range & PAGE_MASK_4K) &&
           va < NV_GMMU_VA_LIMIT && range <= NV_GMMU_VA_LIMIT - va;
}

static uint64_t attrs_flags(const NvvbPtmAttrs *a)
{
    return (a->read_only ? NV_GMMU_PTE_READ_ONLY : 0) |
           (a->priv ? NV_GMMU_PTE_PRIVILEGE : 0) |
           (a->atomic_disable ? NV_GMMU_PTE_ATOMIC_DISABLE : 0);
}

/*
 * Largest page for a piece at @v backed at @pa with @avail bytes of VA and
 * contiguous backing left: 2 MiB and 64 KiB need VRAM and alignment of both
 * addresses (gp100: big pages are VRAM-only).
 */
static uint64_t choose_page(uint64_t v, NvGmmuAperture aper, uint64_t pa,
                            uint64_t avail)
{
    if (aper == NV_GMMU_APER_VID) {
        if (!((v | pa) & (SZ_2M - 1)) && avail >= SZ_2M) {
            return SZ_2M;
        }
        if (!((v | pa) & (SZ_64K - 1)) && avail >= SZ_64K) {
            return SZ_64K;
        }
    }
    return SZ_4K;
}

/* ---- Shadow nodes ---- */

static PtmNode *node_new(unsigned level, uint64_t addr, PtmNode *parent,
                         unsigned pidx, uint64_t va_base)
{
    unsigned n = lvl_entries(level);
    size_t nchild = lvl_children(level);
    size_t npte = (level == LV_PD0 || level == LV_BIG) ? n : 0;
    size_t nspte = level == LV_SMALL ? LPT_PER_PD0 : 0;
    size_t off_child = (sizeof(PtmNode) + 7) & ~(size_t)7;
    size_t off_pte = off_child + nchild * sizeof(PtmNode *);
    size_t off_flags = off_pte + npte * sizeof(uint64_t);
    size_t off_spte = off_flags + n;
    size_t size = off_spte + nspte;
    uint8_t *blk = g_malloc0(size);
    PtmNode *node = (PtmNode *)blk;

    node->parent = parent;
    node->addr = addr;
    node->va_base = va_base;
    node->block_size = size;
    node->pidx = (uint16_t)pidx;
    node->level = (uint8_t)level;
    node->child = nchild ? (PtmNode **)(blk + off_child) : NULL;
    node->pte = npte ? (uint64_t *)(blk + off_pte) : NULL;
    node->flags = blk + off_flags;
    node->spte = nspte ? blk + off_spte : NULL;
    return node;
}

static inline unsigned child_slot(const PtmNode *par, unsigned i,
                                  unsigned child_level)
{
    return par->level == LV_PD0 ? 2 * i + (child_level == LV_SMALL) : i;
}

static bool occupied(const PtmNode *n, unsigned i)
{
    if (n->flags[i]) {
        return true;
    }
    if (n->level <= LV_PD1) {
        return n->child[i] != NULL;
    }
    if (n->level == LV_PD0) {
        return n->child[2 * i] || n->child[2 * i + 1];
    }
    return false;
}

/* Every entry of @n lies in a sparse tile placed above it. */
static bool node_inherited(const PtmNode *n)
{
    for (; n->parent; n = n->parent) {
        if (n->parent->flags[n->pidx] & E_TILE) {
            return true;
        }
    }
    return false;
}

static bool entry_sparse(const PtmNode *n, unsigned i, bool inh)
{
    const PtmNode *big;

    if (inh || (n->flags[i] & E_TILE)) {
        return true;
    }
    if (n->level == LV_SMALL) {
        big = n->parent->child[2 * n->pidx];
        return big && (big->flags[i / SPT_PER_LPT] & E_TILE);
    }
    return false;
}

/* The value of a non-VALID entry (see DOC). */
static void derive(const PtmNode *n, unsigned i, bool inh, uint64_t *lo,
                   uint64_t *hi)
{
    const PtmNode *big, *small;

    *hi = 0;
    switch (n->level) {
    case LV_PD3:
    case LV_PD2:
    case LV_PD1:
        if (n->child[i]) {
            *lo = nv_gmmu_pde_encode(NV_GMMU_APER_VID, n->child[i]->addr,
                                     false);
        } else {
            *lo = entry_sparse(n, i, inh) ? nv_gmmu_pde_sparse()
                                          : NV_GMMU_UNMAPPED;
        }
        return;
    case LV_PD0:
        big = n->child[2 * i];
        small = n->child[2 * i + 1];
        if (big || small) {
            NvGmmuPd0 e = nv_gmmu_pd0_encode(
                big ? NV_GMMU_APER_VID : NV_GMMU_APER_NONE,
                big ? big->addr : 0, false,
                small ? NV_GMMU_APER_VID : NV_GMMU_APER_NONE,
                small ? small->addr : 0, false);

            *lo = e.lo;
            *hi = e.hi;
        } else if (entry_sparse(n, i, inh)) {
            NvGmmuPd0 e = nv_gmmu_pd0_sparse();

            *lo = e.lo;
            *hi = e.hi;
        } else {
            *lo = NV_GMMU_UNMAPPED;
        }
        return;
    case LV_BIG:
        small = n->parent->child[2 * n->pidx + 1];
        if (small && small->spte[i]) {
            *lo = NV_GMMU_UNMAPPED;
        } else if (entry_sparse(n, i, inh)) {
            *lo = nv_gmmu_pte_sparse();
        } else {
            *lo = nv_gmmu_pte_lpt_invalid();
        }
        return;
    default:
        *lo = entry_sparse(n, i, inh) ? nv_gmmu_pte_sparse()
                                      : NV_GMMU_UNMAPPED;
        return;
    }
}

/* ---- Requests: journal, write combining, table lifetime ---- */

static void txn_error(NvvbPtm *p, int err)
{
    if (!p->txn.error) {
        p->txn.error = err;
    }
}

/* Save @n's shadow and bytes the first time a journaled request touches it. */
static void touch(NvvbPtm *p, PtmNode *n)
{
    PtmTxn *t = &p->txn;
    PtmSave s;

    if (!t->journal || n->txn == t->id) {
        return;
    }
    s.node = n;
    s.shadow = g_memdup2(n, n->block_size);
    s.hw_len = nv_gmmu_level_table_size(n->level);
    s.hw_addr = n->addr;
    s.hw = g_malloc(s.hw_len);
    if (!p->mem.read(p->mem.opaque, NV_GMMU_APER_VID, s.hw_addr, s.hw,
                     s.hw_len)) {
        g_free(s.hw);
        s.hw = NULL;
        txn_error(p, -EIO);
    }
    n->txn = t->id;
    g_array_append_val(t->saves, s);
}

/* Write the pending entries that differ from what the table holds. */
static void wb_flush(NvvbPtm *p)
{
    PtmTxn *t = &p->txn;
    PtmNode *n = t->wb_node;
    unsigned esz, q, e, k, run;
    uint64_t addr;
    size_t len;
    bool have;

    t->wb_node = NULL;
    if (!n || !t->wb_count) {
        t->wb_count = 0;
        return;
    }
    esz = nv_gmmu_level_entry_size(n->level);
    q = esz / 8;
    addr = n->addr + (uint64_t)t->wb_first * esz;
    len = (size_t)t->wb_count * esz;
    have = p->mem.read(p->mem.opaque, NV_GMMU_APER_VID, addr, p->io, len);
    if (!have) {
        txn_error(p, -EIO);
    }

    run = UINT32_MAX;
    for (e = 0; e <= t->wb_count; e++) {
        bool same = e < t->wb_count && have;

        for (k = 0; same && k < q; k++) {
            same = ld_le64(p->io + e * esz + 8 * k) == t->wb_vals[e * q + k];
        }
        if (e < t->wb_count && !same) {
            for (k = 0; k < q; k++) {
                st_le64(p->io + e * esz + 8 * k, t->wb_vals[e * q + k]);
            }
            if (run == UINT32_MAX) {
                run = e;
            }
            continue;
        }
        if (e < t->wb_count) {
            t->res.skipped++;
        }
        if (run != UINT32_MAX) {
            if (!p->mem.write(p->mem.opaque, NV_GMMU_APER_VID,
                              addr + (uint64_t)run * esz, p->io + run * esz,
                              (size_t)(e - run) * esz)) {
                txn_error(p, -EIO);
            }
            t->res.written += e - run;
            t->res.changed = true;
            if (n->level < t->res.top_level) {
                t->res.top_level = n->level;
            }
            run = UINT32_MAX;
        }
    }
    t->wb_count = 0;
}

static void hw_write(NvvbPtm *p, PtmNode *n, unsigned i, uint64_t lo,
                     uint64_t hi)
{
    PtmTxn *t = &p->txn;
    unsigned q = n->level == LV_PD0 ? 2 : 1;

    touch(p, n);
    if (t->wb_node != n || i != t->wb_first + t->wb_count) {
        wb_flush(p);
        t->wb_node = n;
        t->wb_first = i;
        t->wb_count = 0;
    }
    t->wb_vals[t->wb_count * q] = lo;
    if (q == 2) {
        t->wb_vals[t->wb_count * q + 1] = hi;
    }
    t->wb_count++;
}

static void write_derived_inh(NvvbPtm *p, PtmNode *n, unsigned i, bool inh)
{
    uint64_t lo, hi;

    derive(n, i, inh, &lo, &hi);
    hw_write(p, n, i, lo, hi);
}

static void write_derived(NvvbPtm *p, PtmNode *n, unsigned i)
{
    write_derived_inh(p, n, i, node_inherited(n));
}

static void gc_queue(NvvbPtm *p, PtmNode *n)
{
    if (n->parent && !n->gc_queued) {
        n->gc_queued = true;
        g_ptr_array_add(p->txn.gc[n->level], n);
    }
}

/*
 * Entry @i of @n was (@was) or was not occupied before a change: keep the
 * reference counts, and the big entry that depends on a small PT's 64 KiB
 * block, in step.  The caller touched @n.
 */
static void occ_update(NvvbPtm *p, PtmNode *n, unsigned i, bool was)
{
    bool now = occupied(n, i);

    if (was == now) {
        return;
    }
    if (now) {
        n->refs++;
    } else if (--n->refs == 0) {
        gc_queue(p, n);
    }
    if (n->level == LV_SMALL) {
        unsigned b = i / SPT_PER_LPT;
        bool before = n->spte[b] != 0;
        PtmNode *big;

        n->spte[b] = (uint8_t)(n->spte[b] + (now ? 1 : -1));
        big = n->parent->child[2 * n->pidx];
        if (before != (n->spte[b] != 0) && big &&
            !(big->flags[b] & E_VALID)) {
            write_derived(p, big, b);
        }
    }
}

static void node_destroy(NvvbPtm *p, PtmNode *n)
{
    nvvb_pt_pool_release(p->pool, n->addr, lvl_pool_size(n->level));
    p->stats.tables_live--;
    p->stats.table_bytes -= lvl_pool_size(n->level);
    g_free(n);
}

/* Return every table left without references, deepest first. */
static void gc_run(NvvbPtm *p)
{
    PtmTxn *t = &p->txn;
    int lvl;
    guint k;

    for (lvl = LV_SMALL; lvl > LV_PD3; lvl--) {
        GPtrArray *a = t->gc[lvl];

        for (k = 0; k < a->len; k++) {
            PtmNode *n = g_ptr_array_index(a, k);
            PtmNode *par = n->parent;
            unsigned i = n->pidx;
            bool was;

            n->gc_queued = false;
            if (n->refs) {
                continue;
            }
            if (t->wb_node == n) {
                t->wb_node = NULL;      /* its pending writes are moot */
                t->wb_count = 0;
            }
            was = occupied(par, i);
            par->child[child_slot(par, i, n->level)] = NULL;
            if (!(par->flags[i] & E_VALID)) {
                write_derived(p, par, i);
            }
            occ_update(p, par, i, was);
            node_destroy(p, n);
            t->res.tables_freed++;
        }
        g_ptr_array_set_size(a, 0);
    }
}

/*
 * The table at @child_level below entry @i of @par, created (filled with
 * its derived entries, then linked) if missing.  NULL on failure.
 */
static PtmNode *ensure_child(NvvbPtm *p, PtmNode *par, unsigned i,
                             unsigned child_level)
{
    unsigned slot = child_slot(par, i, child_level);
    unsigned size = lvl_pool_size(child_level);
    PtmTxn *t = &p->txn;
    PtmNode *c = par->child[slot];
    uint64_t addr;
    unsigned j, n;
    bool was, inh;

    if (c) {
        return c;
    }
    if (t->error) {
        return NULL;
    }
    if (nvvb_pt_pool_alloc(p->pool, size, &addr)) {
        txn_error(p, -ENOSPC);
        return NULL;
    }
    c = node_new(child_level, addr, par, i,
                 par->va_base + ((uint64_t)i << lvl_shift(par->level)));
    p->stats.tables_live++;
    p->stats.table_bytes += size;
    t->res.tables_allocated++;
    if (t->journal) {
        PtmSave s = { c, NULL, g_malloc(size), size, addr };

        if (!p->mem.read(p->mem.opaque, NV_GMMU_APER_VID, addr, s.hw, size)) {
            g_free(s.hw);
            s.hw = NULL;
            txn_error(p, -EIO);
        }
        c->txn = t->id;
        g_array_append_val(t->saves, s);
    }

    touch(p, par);
    was = occupied(par, i);
    par->child[slot] = c;
    /* Fill before link: the new table's writes are queued first. */
    inh = node_inherited(c);
    n = lvl_entries(child_level);
    for (j = 0; j < n; j++) {
        write_derived_inh(p, c, j, inh);
    }
    occ_update(p, par, i, was);
    if (!(par->flags[i] & E_VALID)) {
        write_derived(p, par, i);
    }
    return c;
}

/* The table at @level holding @va's entry, created as needed. */
static PtmNode *ensure_table(NvvbPtm *p, uint64_t va, unsigned level)
{
    PtmTxn *t = &p->txn;
    PtmNode *n = p->root;
    unsigned l;

    if (level == LV_PD3) {
        return n;
    }
    if (level >= LV_PD0 && t->pc_pd0 &&
        t->pc_key == va >> lvl_shift(LV_PD1)) {
        n = t->pc_pd0;
    } else {
        for (l = LV_PD3; l < LV_PD1 + 1 && l < level; l++) {
            n = ensure_child(p, n, nv_gmmu_level_index(l, va), l + 1);
            if (!n) {
                return NULL;
            }
        }
        if (level < LV_PD0) {
            return n;
        }
        t->pc_pd0 = n;
        t->pc_key = va >> lvl_shift(LV_PD1);
    }
    if (level == LV_PD0) {
        return n;
    }
    return ensure_child(p, n, nv_gmmu_level_index(LV_PD0, va), level);
}

/* The table at @level holding @va's entry, or NULL. */
static PtmNode *find_table(const NvvbPtm *p, uint64_t va, unsigned level)
{
    PtmNode *n = p->root;
    unsigned l;

    for (l = LV_PD3; l < level && l < LV_PD0 && n; l++) {
        n = n->child[nv_gmmu_level_index(l, va)];
    }
    if (!n || level <= LV_PD0) {
        return n;
    }
    return n->child[2 * nv_gmmu_level_index(LV_PD0, va) +
                    (level == LV_SMALL)];
}

/* ---- Entry state changes ---- */

static void set_pte(NvvbPtm *p, PtmNode *n, unsigned i, uint64_t pte)
{
    touch(p, n);
    if (!(n->flags[i] & E_VALID)) {
        bool was = occupied(n, i);

        n->flags[i] |= E_VALID;
        n->nvalid++;
        occ_update(p, n, i, was);
    }
    if (n->pte) {
        n->pte[i] = pte;
    }
    hw_write(p, n, i, pte, 0);      /* PD0: a 2 MiB PTE, hi = 0 */
}

static void clear_valid(NvvbPtm *p, PtmNode *n, unsigned i)
{
    bool was;

    touch(p, n);
    was = occupied(n, i);
    n->flags[i] &= ~E_VALID;
    n->nvalid--;
    if (n->pte) {
        n->pte[i] = 0;
    }
    occ_update(p, n, i, was);
    write_derived(p, n, i);
}

/* Rewrite every non-VALID entry of @n and below (their sparse state moved). */
static void recompute_subtree(NvvbPtm *p, PtmNode *n)
{
    unsigned i, nent = lvl_entries(n->level);
    unsigned nchild = lvl_children(n->level);
    bool inh = node_inherited(n);

    for (i = 0; i < nent; i++) {
        if (!(n->flags[i] & E_VALID)) {
            write_derived_inh(p, n, i, inh);
        }
    }
    for (i = 0; i < nchild; i++) {
        if (n->child[i]) {
            recompute_subtree(p, n->child[i]);
        }
    }
}

static void set_tile(NvvbPtm *p, PtmNode *n, unsigned i, bool on)
{
    bool was;
    unsigned j;

    touch(p, n);
    was = occupied(n, i);
    if (on) {
        n->flags[i] |= E_TILE;
    } else {
        n->flags[i] &= ~E_TILE;
    }
    occ_update(p, n, i, was);
    if (!(n->flags[i] & E_VALID)) {
        write_derived(p, n, i);
    }
    /* Entries below this one derive their sparse state from it. */
    if (n->level <= LV_PD1 && n->child[i]) {
        recompute_subtree(p, n->child[i]);
    } else if (n->level == LV_PD0) {
        for (j = 0; j < 2; j++) {
            if (n->child[2 * i + j]) {
                recompute_subtree(p, n->child[2 * i + j]);
            }
        }
    } else if (n->level == LV_BIG) {
        PtmNode *small = n->parent->child[2 * n->pidx + 1];
        bool inh;

        if (small) {
            inh = node_inherited(small);
            for (j = i * SPT_PER_LPT; j < (i + 1) * SPT_PER_LPT; j++) {
                if (!(small->flags[j] & E_VALID)) {
                    write_derived_inh(p, small, j, inh);
                }
            }
        }
    }
}

/* ---- Mapping and unmapping ---- */

static void txn_va(NvvbPtm *p, uint64_t a, uint64_t b)
{
    NvvbPtmResult *r = &p->txn.res;

    if (a < r->va_start) {
        r->va_start = a;
    }
    if (b > r->va_end) {
        r->va_end = b;
    }
}

static void map_page(NvvbPtm *p, uint64_t v, uint64_t s, uint64_t pte,
                     uint64_t a, uint64_t b);

/*
 * Map [x0, x1) inside the page of @size at @base that @pte mapped, with
 * the page's translation and attributes (what is left of a split page).
 */
static void map_linear(NvvbPtm *p, uint64_t x0, uint64_t x1, uint64_t pte,
                       uint64_t base, uint64_t size)
{
    NvGmmuAperture aper = nv_gmmu_pte_aperture(pte);
    uint64_t pa0 = nv_gmmu_pte_addr(pte) & ~(size - 1);
    uint64_t flags = pte & NV_GMMU_PTE_FLAGS_MASK;
    uint8_t kind = nv_gmmu_pte_kind(pte);
    uint64_t x, s;

    /* At most 511 pieces: x1 - x0 < 2 MiB. */
    for (x = x0; x < x1 && !p->txn.error; x += s) {
        uint64_t pa = pa0 + (x - base);

        s = choose_page(x, aper, pa, x1 - x);
        map_page(p, x, s, nv_gmmu_pte_encode(aper, pa, flags, kind), x0, x1);
    }
}

/*
 * Entry @i of @n (PD0 or big PT) maps a page that [a, b) cuts: remove it
 * and map again the parts outside [a, b) as smaller pages.
 */
static void split_page(NvvbPtm *p, PtmNode *n, unsigned i, uint64_t a,
                       uint64_t b)
{
    uint64_t size = 1ull << lvl_shift(n->level);
    uint64_t base = n->va_base + (uint64_t)i * size;
    uint64_t pte = n->pte[i];

    txn_va(p, base, base + size);
    clear_valid(p, n, i);
    if (a > base) {
        map_linear(p, base, MIN(a, base + size), pte, base, size);
    }
    if (b < base + size) {
        map_linear(p, MAX(b, base), base + size, pte, base, size);
    }
}

/*
 * Write one page of @s bytes at @v, part of a request for [a, b): a larger
 * page around it is split first (keeping what lies outside [a, b)), the
 * page is written, then smaller pages it now covers are removed.
 */
static void map_page(NvvbPtm *p, uint64_t v, uint64_t s, uint64_t pte,
                     uint64_t a, uint64_t b)
{
    PtmNode *pd0 = ensure_table(p, v, LV_PD0);
    PtmNode *big, *small;
    unsigned i0, bi, j;

    if (!pd0) {
        return;
    }
    i0 = nv_gmmu_level_index(LV_PD0, v);
    if (s == SZ_2M) {
        set_pte(p, pd0, i0, pte);
        for (j = 0; j < 2; j++) {
            PtmNode *c = pd0->child[2 * i0 + j];
            unsigned k, nent;

            if (!c || !c->nvalid) {
                continue;
            }
            nent = lvl_entries(c->level);
            for (k = 0; k < nent && c->nvalid; k++) {
                if (c->flags[k] & E_VALID) {
                    clear_valid(p, c, k);
                }
            }
        }
        return;
    }
    if (pd0->flags[i0] & E_VALID) {
        split_page(p, pd0, i0, a, b);
    }
    bi = nv_gmmu_level_index(LV_BIG, v);
    if (s == SZ_64K) {
        big = ensure_child(p, pd0, i0, LV_BIG);
        if (!big) {
            return;
        }
        set_pte(p, big, bi, pte);
        small = pd0->child[2 * i0 + 1];
        if (small && small->nvalid) {
            for (j = bi * SPT_PER_LPT; j < (bi + 1) * SPT_PER_LPT; j++) {
                if (small->flags[j] & E_VALID) {
                    clear_valid(p, small, j);
                }
            }
        }
        return;
    }
    big = pd0->child[2 * i0];
    if (big && (big->flags[bi] & E_VALID)) {
        split_page(p, big, bi, a, b);
    }
    small = ensure_child(p, pd0, i0, LV_SMALL);
    if (small) {
        set_pte(p, small, nv_gmmu_level_index(LV_SMALL, v), pte);
    }
}

/* Map [a, b) from the checked extents exts[*cursor ...] covering it. */
static void map_range(NvvbPtm *p, uint64_t a, uint64_t b, guint *cursor,
                      const NvvbPtmAttrs *attrs)
{
    uint64_t flags = attrs_flags(attrs);

    txn_va(p, a, b);
    while (*cursor < p->exts->len && !p->txn.error) {
        const PtmExt *e = &g_array_index(p->exts, PtmExt, *cursor);
        uint64_t f = flags;
        uint64_t v, s;

        (*cursor)++;
        /* nouveau_uvmm: VOL for anything but VRAM. */
        if (e->aperture != NV_GMMU_APER_VID) {
            f |= NV_GMMU_PTE_VOL;
        }
        /* Bounded by the extent length / 4 KiB. */
        for (v = e->va; v < e->va + e->len && !p->txn.error; v += s) {
            uint64_t pa = e->pa + (v - e->va);

            s = choose_page(v, e->aperture, pa, e->va + e->len - v);
            map_page(p, v, s,
                     nv_gmmu_pte_encode(e->aperture, pa, f, attrs->kind),
                     a, b);
        }
        if (e->va + e->len >= b) {
            break;      /* the request's extents end exactly at b */
        }
    }
}

/* The VALID entry mapping @va: its table and index, or false. */
static bool page_at(const NvvbPtm *p, uint64_t va, PtmNode **np,
                    unsigned *ip)
{
    PtmNode *pd0 = find_table(p, va, LV_PD0);
    PtmNode *c;
    unsigned i0, i;

    if (!pd0) {
        return false;
    }
    i0 = nv_gmmu_level_index(LV_PD0, va);
    if (pd0->flags[i0] & E_VALID) {
        *np = pd0;
        *ip = i0;
        return true;
    }
    c = pd0->child[2 * i0];
    i = nv_gmmu_level_index(LV_BIG, va);
    if (c && (c->flags[i] & E_VALID)) {
        *np = c;
        *ip = i;
        return true;
    }
    c = pd0->child[2 * i0 + 1];
    i = nv_gmmu_level_index(LV_SMALL, va);
    if (c && (c->flags[i] & E_VALID)) {
        *np = c;
        *ip = i;
        return true;
    }
    return false;
}

/* Remove every VALID entry in [a, b) below @n (pages cut were split). */
static void clear_node_range(NvvbPtm *p, PtmNode *n, uint64_t a, uint64_t b)
{
    unsigned shift = lvl_shift(n->level);
    uint64_t lo = MAX(a, n->va_base), hi = MIN(b, node_end(n));
    unsigned i, i0, i1, j;

    if (lo >= hi) {
        return;
    }
    i0 = (unsigned)((lo - n->va_base) >> shift);
    i1 = (unsigned)((hi - 1 - n->va_base) >> shift);
    /* Bounded by the entries of tables that exist. */
    for (i = i0; i <= i1; i++) {
        if (n->level <= LV_PD1) {
            if (n->child[i]) {
                clear_node_range(p, n->child[i], a, b);
            }
            continue;
        }
        if (n->flags[i] & E_VALID) {
            clear_valid(p, n, i);
        }
        if (n->level == LV_PD0) {
            for (j = 0; j < 2; j++) {
                PtmNode *c = n->child[2 * i + j];

                if (c && c->nvalid) {
                    clear_node_range(p, c, a, b);
                }
            }
        }
    }
}

static void clear_range(NvvbPtm *p, uint64_t a, uint64_t b)
{
    uint64_t edges[2] = { a, b - 1 };
    unsigned k;

    txn_va(p, a, b);
    for (k = 0; k < 2; k++) {
        PtmNode *n;
        unsigned i;

        if (page_at(p, edges[k], &n, &i) && n->level != LV_SMALL) {
            uint64_t size = 1ull << lvl_shift(n->level);
            uint64_t base = n->va_base + (uint64_t)i * size;

            if (base < a || base + size > b) {
                split_page(p, n, i, a, b);
            }
        }
    }
    clear_node_range(p, p->root, a, b);
}

/* Largest nouveau sparse block (shift) aligned at @va that fits in @rem. */
static unsigned tile_shift(uint64_t va, uint64_t rem)
{
    static const unsigned shifts[] = { 47, 38, 29, 21, 16, 12 };
    unsigned k;

    for (k = 0; k < G_N_ELEMENTS(shifts); k++) {
        uint64_t sz = 1ull << shifts[k];

        if (!(va & (sz - 1)) && rem >= sz) {
            return shifts[k];
        }
    }
    return 12;
}

static unsigned shift_level(unsigned shift)
{
    switch (shift) {
    case 47:
        return LV_PD3;
    case 38:
        return LV_PD2;
    case 29:
        return LV_PD1;
    case 21:
        return LV_PD0;
    case 16:
        return LV_BIG;
    default:
        return LV_SMALL;
    }
}

static void tile_range(NvvbPtm *p, uint64_t a, uint64_t b, bool on)
{
    uint64_t v = a;

    txn_va(p, a, b);
    /* At most 2 * (3 + 511 + 511 + 255 + 31 + 15) tiles. */
    while (v < b && !p->txn.error) {
        unsigned s = tile_shift(v, b - v);
        unsigned l = shift_level(s);
        PtmNode *n = on ? ensure_table(p, v, l) : find_table(p, v, l);

        if (n) {
            set_tile(p, n, nv_gmmu_level_index(l, v), on);
        }
        v += 1ull << s;
    }
}

/* ---- Request framing ---- */

static void txn_begin(NvvbPtm *p, uint64_t bound)
{
    PtmTxn *t = &p->txn;

    t->id = ++p->txn_seq;
    t->journal = p->journal_mode == NVVB_PTM_JOURNAL_ALWAYS ||
                 bound > nvvb_pt_pool_free_granules(p->pool);
    t->error = 0;
    memset(&t->res, 0, sizeof(t->res));
    t->res.top_level = NV_GMMU_LEVEL_NONE;
    t->res.va_start = UINT64_MAX;
    t->res.journaled = t->journal;
    t->wb_node = NULL;
    t->wb_count = 0;
    t->pc_pd0 = NULL;
}

static void saves_clear(NvvbPtm *p)
{
    GArray *a = p->txn.saves;
    guint k;

    for (k = 0; k < a->len; k++) {
        PtmSave *s = &g_array_index(a, PtmSave, k);

        g_free(s->shadow);
        g_free(s->hw);
    }
    g_array_set_size(a, 0);
}

static void txn_rollback(NvvbPtm *p)
{
    PtmTxn *t = &p->txn;
    guint k;
    int l;

    t->wb_node = NULL;
    t->wb_count = 0;
    for (k = t->saves->len; k-- > 0;) {
        PtmSave *s = &g_array_index(t->saves, PtmSave, k);

        if (s->hw) {
            p->mem.write(p->mem.opaque, NV_GMMU_APER_VID, s->hw_addr, s->hw,
                         s->hw_len);
        }
        if (s->shadow) {
            memcpy(s->node, s->shadow, s->node->block_size);
        } else {
            node_destroy(p, s->node);
        }
    }
    for (l = 0; l < NV_GMMU_LEVEL_COUNT; l++) {
        g_ptr_array_set_size(t->gc[l], 0);
    }
    saves_clear(p);
}

static int txn_end(NvvbPtm *p, NvvbPtmResult *res)
{
    PtmTxn *t = &p->txn;
    int ret;

    if (!t->error) {
        wb_flush(p);
    }
    ret = t->error;
    if (ret && t->journal) {
        txn_rollback(p);
        p->stats.rollbacks++;
        memset(&t->res, 0, sizeof(t->res));
        t->res.top_level = NV_GMMU_LEVEL_NONE;
        t->res.journaled = true;
    } else {
        /* Success (or -EIO without a journal: keep what was written). */
        t->journal = false;
        saves_clear(p);
        gc_run(p);
        wb_flush(p);
    }
    if (t->res.journaled) {
        p->stats.journaled++;
    }
    if (ret) {
        p->stats.failed++;
        p->stats.enospc += ret == -ENOSPC;
    } else {
        p->stats.requests++;
    }
    p->stats.entries_written += t->res.written;
    p->stats.entries_skipped += t->res.skipped;
    p->stats.tables_allocated += t->res.tables_allocated;
    p->stats.tables_freed += t->res.tables_freed;
    if (!t->res.changed) {
        t->res.va_start = t->res.va_end = 0;
    }
    if (res) {
        *res = t->res;
    }
    return ret;
}

static void result_unchanged(NvvbPtmResult *res)
{
    if (res) {
        memset(res, 0, sizeof(*res));
        res->top_level = NV_GMMU_LEVEL_NONE;
    }
}

/* Fail a request before it started: count it and report no change. */
static int fail_early(NvvbPtm *p, int err, NvvbPtmResult *res)
{
    p->stats.failed++;
    result_unchanged(res);
    return err;
}

/* Bound on new granules for the page tables of [x0, x1) backed at @pa. */
static uint64_t pt_bound(uint64_t x0, uint64_t x1, NvGmmuAperture aper,
                         uint64_t pa)
{
    uint64_t chunks = span_count(x0, x1, 21);
    uint64_t first, last, full = 0;

    if (aper != NV_GMMU_APER_VID) {
        return chunks;                  /* small PTs only */
    }
    if (!((x0 - pa) & (SZ_2M - 1))) {
        /* 2 MiB chunks fully inside get a 2 MiB PTE, no table. */
        first = (x0 + SZ_2M - 1) & ~(SZ_2M - 1);
        last = x1 & ~(SZ_2M - 1);
        full = last > first ? (last - first) >> 21 : 0;
    }
    return 2 * (chunks - full);
}

/*
 * Check a map request and its backing; append its extents to @exts (if
 * not NULL) and return an upper bound of the granules it can allocate.
 */
static int map_check(const NvvbPtmBacking *bk, uint64_t va, uint64_t range,
                     uint64_t off, GArray *exts, uint64_t *bound)
{
    uint64_t b = va + range, v = va;
    uint64_t pts = 0;

    if (!range_ok(va, range) || !bk || !bk->fn || (off & PAGE_MASK_4K) ||
        off + range < off) {
        return -EINVAL;
    }
    /* One resolver call per extent; each covers at least 4 KiB. */
    while (v < b) {
        NvvbPtmExtent e;
        PtmExt x;

        if (!bk->fn(bk->opaque, off + (v - va), &e)) {
            return -EINVAL;
        }
        if ((e.aperture != NV_GMMU_APER_VID &&
             !nv_gmmu_aperture_is_sys(e.aperture)) ||
            (e.addr & PAGE_MASK_4K) || e.len < SZ_4K) {
            return -EINVAL;
        }
        x.va = v;
        x.len = MIN(e.len & ~PAGE_MASK_4K, b - v);
        x.pa = e.addr;
        x.aperture = e.aperture;
        if (x.pa + x.len < x.pa ||
            !nv_gmmu_addr_fits(x.aperture, x.pa + x.len - 1)) {
            return -EINVAL;
        }
        if (exts) {
            g_array_append_val(exts, x);
        }
        pts += pt_bound(x.va, x.va + x.len, x.aperture, x.pa);
        v += x.len;
    }
    /*
     * Tables of every level the range touches, PTs per extent, and the
     * big + small PT that splitting a page cut at either end can need
     * (a sysmem extent counts one PT per chunk, the split may need two).
     */
    *bound = span_count(va, b, 47) + span_count(va, b, 38) +
             span_count(va, b, 29) + pts + BOUND_CLEAR;
    return 0;
}

/* ---- Public API ---- */

static gint region_cmp(gconstpointer a, gconstpointer b, gpointer unused)
{
    uint64_t x = *(const uint64_t *)a;
    uint64_t y = *(const uint64_t *)b;

    return x < y ? -1 : x > y;
}

/* A manager whose PD3 (already allocated in @pool) is at @pdb. */
static NvvbPtm *ptm_alloc(NvvbPtPool *pool, const NvGmmuMem *mem,
                          uint64_t pdb)
{
    NvvbPtm *p = g_new0(NvvbPtm, 1);
    int l;

    p->pool = pool;
    p->mem = *mem;
    p->root = node_new(LV_PD3, pdb, NULL, 0, 0);
    p->regions = g_tree_new_full(region_cmp, NULL, NULL, g_free);
    p->exts = g_array_new(false, false, sizeof(PtmExt));
    p->attrs = g_array_new(false, false, sizeof(NvvbPtmAttrs));
    p->txn.saves = g_array_new(false, false, sizeof(PtmSave));
    for (l = 0; l < NV_GMMU_LEVEL_COUNT; l++) {
        p->txn.gc[l] = g_ptr_array_new();
    }
    p->stats.tables_live = 1;
    p->stats.table_bytes = NVVB_PT_POOL_GRANULE;
    return p;
}


int nvvb_ptm_new(NvvbPtm **out, NvvbPtPool *pool, const NvGmmuMem *mem)
{
    static const uint8_t zero[32];
    uint64_t addr;

    *out = NULL;
    if (!mem->read || !mem->write) {
        return -EINVAL;
    }
    if (nvvb_pt_pool_alloc(pool, NVVB_PT_POOL_GRANULE, &addr)) {
        return -ENOSPC;
    }
    if (!mem->write(mem->opaque, NV_GMMU_APER_VID, addr, zero,
                    sizeof(zero))) {
        nvvb_pt_pool_release(pool, addr, NVVB_PT_POOL_GRANULE);
        return -EIO;
    }
    *out = ptm_alloc(pool, mem, addr);
    return 0;
}

static void free_subtree(NvvbPtm *p, PtmNode *n)
{
    unsigned i, nchild = lvl_children(n->level);

    for (i = 0; i < nchild; i++) {
        if (n->child[i]) {
            free_subtree(p, n->child[i]);
        }
    }
    node_destroy(p, n);
}

void nvvb_ptm_free(NvvbPtm *ptm)
{
    int l;

    if (!ptm) {
        return;
    }
    free_subtree(ptm, ptm->root);
    g_tree_destroy(ptm->regions);
    g_array_free(ptm->exts, true);
    g_array_free(ptm->attrs, true);
    g_array_free(ptm->txn.saves, true);
    for (l = 0; l < NV_GMMU_LEVEL_COUNT; l++) {
        g_ptr_array_free(ptm->txn.gc[l], true);
    }
    g_free(ptm);
}

uint64_t nvvb_ptm_pdb(const NvvbPtm *ptm)
{
    return ptm->root->addr;
}

int nvvb_ptm_map(NvvbPtm *ptm, uint64_t va, uint64_t range,
                 uint64_t bo_offset, const NvvbPtmBacking *backing,
                 const NvvbPtmAttrs *attrs, NvvbPtmResult *res)
{
    uint64_t bound;
    guint cursor = 0;
    int ret;

    g_array_set_size(ptm->exts, 0);
    ret = map_check(backing, va, range, bo_offset, ptm->exts, &bound);
    if (ret || !attrs) {
        return fail_early(ptm, ret ? ret : -EINVAL, res);
    }
    txn_begin(ptm, bound);
    map_range(ptm, va, va + range, &cursor, attrs);
    return txn_end(ptm, res);
}

int nvvb_ptm_unmap(NvvbPtm *ptm, uint64_t va, uint64_t range,
                   NvvbPtmResult *res)
{
    if (!range_ok(va, range)) {
        return fail_early(ptm, -EINVAL, res);
    }
    txn_begin(ptm, BOUND_CLEAR);
    clear_range(ptm, va, va + range);
    return txn_end(ptm, res);
}

/* The lowest region overlapping [va, va + range), or NULL. */
static PtmRegion *region_find_first(NvvbPtm *p, uint64_t va, uint64_t range)
{
    GTreeNode *after = g_tree_upper_bound(p->regions, &va);
    GTreeNode *at = after ? g_tree_node_previous(after)
                          : g_tree_node_last(p->regions);
    PtmRegion *r = at ? g_tree_node_value(at) : NULL;

    if (r && va - r->addr < r->range) {
        return r;
    }
    r = after ? g_tree_node_value(after) : NULL;
    return r && r->addr - va < range ? r : NULL;
}

int nvvb_ptm_sparse(NvvbPtm *ptm, uint64_t va, uint64_t range, bool enable,
                    NvvbPtmResult *res)
{
    PtmRegion *r;
    int ret;

    if (!range_ok(va, range)) {
        return fail_early(ptm, -EINVAL, res);
    }
    r = region_find_first(ptm, va, range);
    if (enable && r) {
        return fail_early(ptm, -EEXIST, res);
    }
    if (!enable && (!r || r->addr != va || r->range != range)) {
        return fail_early(ptm, -ENOENT, res);
    }
    txn_begin(ptm, enable ? BOUND_SPARSE : 0);
    tile_range(ptm, va, va + range, enable);
    ret = txn_end(ptm, res);
    if (ret) {
        return ret;
    }
    if (enable) {
        r = g_new0(PtmRegion, 1);
        r->addr = va;
        r->range = range;
        g_tree_insert(ptm->regions, &r->addr, r);
    } else {
        g_tree_remove(ptm->regions, &va);
    }
    return 0;
}

bool nvvb_ptm_in_sparse(NvvbPtm *ptm, uint64_t va, uint64_t range)
{
    PtmRegion *r;

    if (!range || va + range < va) {
        return false;
    }
    r = region_find_first(ptm, va, range);
    return r && r->addr <= va && va + range - r->addr <= r->range;
}

/* A CLEAR step's range is whole pages of the VA space. */
static int step_check(NvvbPtm *ptm, const NvvbPtmStep *st,
                      const NvvbPtmBacking *backing, uint64_t *bound)
{
    switch (st->type) {
    case NVVB_PTM_STEP_MAP:
        return map_check(backing, st->va, st->range, st->bo_offset,
                         ptm->exts, bound);
    case NVVB_PTM_STEP_CLEAR:
        *bound = BOUND_CLEAR;
        return range_ok(st->va, st->range) ? 0 : -EINVAL;
    default:
        return -EINVAL;
    }
}

int nvvb_ptm_apply(NvvbPtm *ptm, const NvvbPtmStep *steps, unsigned n,
                   const NvvbPtmBacking *backing, const NvvbPtmAttrs *attrs,
                   NvvbPtmResult *res)
{
    static const NvvbPtmAttrs no_attrs;
    uint64_t bound = 0, stb;
    guint cursor = 0;
    unsigned k;
    int ret;

    if (!attrs) {
        attrs = &no_attrs;
    }
    g_array_set_size(ptm->exts, 0);
    /* Check everything first: nothing is written unless all steps are sane. */
    for (k = 0; k < n; k++) {
        ret = step_check(ptm, &steps[k], backing, &stb);
        if (ret) {
            return fail_early(ptm, ret, res);
        }
        bound += stb;
    }

    txn_begin(ptm, bound);
    /* MAP steps consume the extents map_check() queued, in order. */
    for (k = 0; k < n && !ptm->txn.error; k++) {
        uint64_t end = steps[k].va + steps[k].range;

        if (steps[k].type == NVVB_PTM_STEP_MAP) {
            map_range(ptm, steps[k].va, end, &cursor, attrs);
        } else {
            clear_range(ptm, steps[k].va, end);
        }
    }
    return txn_end(ptm, res);
}

int nvvb_ptm_lookup(NvvbPtm *ptm, uint64_t va, NvGmmuLevel *level,
                    uint64_t *pte)
{
    uint8_t buf[8];
    PtmNode *n;
    unsigned i;

    if (va >= NV_GMMU_VA_LIMIT || !page_at(ptm, va, &n, &i)) {
        return -ENOENT;
    }
    *level = n->level;
    if (n->pte) {
        *pte = n->pte[i];
        return 0;
    }
    if (!ptm->mem.read(ptm->mem.opaque, NV_GMMU_APER_VID,
                       n->addr + (uint64_t)i * 8, buf, 8)) {
        return -EIO;
    }
    *pte = ld_le64(buf);
    return 0;
}

/* The PTE attributes of the page at @va (a mapping's first page). */
static int attrs_at(NvvbPtm *ptm, uint64_t va, NvvbPtmAttrs *at)
{
    NvGmmuLevel level;
    uint64_t pte;
    int ret = nvvb_ptm_lookup(ptm, va, &level, &pte);

    if (ret) {
        return ret;
    }
    at->kind = nv_gmmu_pte_kind(pte);
    at->read_only = pte & NV_GMMU_PTE_READ_ONLY;
    at->priv = pte & NV_GMMU_PTE_PRIVILEGE;
    at->atomic_disable = pte & NV_GMMU_PTE_ATOMIC_DISABLE;
    return 0;
}

int nvvb_ptm_rewrite(NvvbPtm *ptm, const NvvbPtmStep *maps, unsigned n,
                     const NvvbPtmBacking *backing, NvvbPtmResult *res)
{
    uint64_t bound = 0, opb;
    guint cursor = 0;
    unsigned k;
    int ret;

    g_array_set_size(ptm->exts, 0);
    g_array_set_size(ptm->attrs, 0);
    for (k = 0; k < n; k++) {
        NvvbPtmAttrs at;

        if (maps[k].type != NVVB_PTM_STEP_MAP) {
            return fail_early(ptm, -EINVAL, res);
        }
        ret = attrs_at(ptm, maps[k].va, &at);
        if (ret) {
            return fail_early(ptm, ret, res);
        }
        g_array_append_val(ptm->attrs, at);
        ret = map_check(backing, maps[k].va, maps[k].range,
                        maps[k].bo_offset, ptm->exts, &opb);
        if (ret) {
            return fail_early(ptm, ret, res);
        }
        bound += opb;
    }
    txn_begin(ptm, bound);
    for (k = 0; k < n && !ptm->txn.error; k++) {
        map_range(ptm, maps[k].va, maps[k].va + maps[k].range, &cursor,
                  &g_array_index(ptm->attrs, NvvbPtmAttrs, k));
    }
    return txn_end(ptm, res);
}

uint64_t nvvb_ptm_map_bound(uint64_t va, uint64_t range, uint64_t bo_offset,
                            const NvvbPtmBacking *backing)
{
    uint64_t bound;

    return map_check(backing, va, range, bo_offset, NULL, &bound) ? 0 : bound;
}

unsigned nvvb_ptm_cache_level(const NvvbPtmResult *res)
{
    switch (res->top_level) {
    case NV_GMMU_LEVEL_PD3:
        return NV_GMMU_INVAL_LEVEL_UP_TO_PDE3;
    case NV_GMMU_LEVEL_PD2:
        return NV_GMMU_INVAL_LEVEL_UP_TO_PDE2;
    case NV_GMMU_LEVEL_PD1:
        return NV_GMMU_INVAL_LEVEL_UP_TO_PDE1;
    case NV_GMMU_LEVEL_PD0:
        return NV_GMMU_INVAL_LEVEL_UP_TO_PDE0;
    case NV_GMMU_LEVEL_PT_BIG:
    case NV_GMMU_LEVEL_PT_SMALL:
        return NV_GMMU_INVAL_LEVEL_PTE_ONLY;
    default:
        return NV_GMMU_INVAL_LEVEL_ALL;
    }
}

void nvvb_ptm_result_merge(NvvbPtmResult *acc, const NvvbPtmResult *r)
{
    if (r->changed) {
        if (!acc->changed || r->va_start < acc->va_start) {
            acc->va_start = r->va_start;
        }
        if (!acc->changed || r->va_end > acc->va_end) {
            acc->va_end = r->va_end;
        }
        if (!acc->changed || r->top_level < acc->top_level) {
            acc->top_level = r->top_level;
        }
        acc->changed = true;
    }
    acc->written += r->written;
    acc->skipped += r->skipped;
    acc->tables_allocated += r->tables_allocated;
    acc->tables_freed += r->tables_freed;
    acc->journaled |= r->journaled;
}

/* ---- Migration: save the bookkeeping, rebuild it over the VRAM tables ---- */

#define SAVE_MAGIC      0x4d54504eu     /* "NPTM" */
#define SAVE_VERSION    1u
#define SAVE_HEADER     24u
#define SAVE_REGION     16u
#define SAVE_TABLE      17u

static void put32(GByteArray *b, uint32_t v)
{
    uint8_t x[4];

    st_le32(x, v);
    g_byte_array_append(b, x, 4);
}

static void put64(GByteArray *b, uint64_t v)
{
    uint8_t x[8];

    st_le64(x, v);
    g_byte_array_append(b, x, 8);
}

static gboolean save_region(gpointer key, gpointer value, gpointer data)
{
    const PtmRegion *r = value;

    put64(data, r->addr);
    put64(data, r->range);
    return FALSE;
}

/* Parents before children, in VA order. */
static void save_tables(GByteArray *b, const PtmNode *n)
{
    unsigned i, nchild = lvl_children(n->level);

    for (i = 0; i < nchild; i++) {
        const PtmNode *c = n->child[i];

        if (c) {
            uint8_t level = c->level;

            g_byte_array_append(b, &level, 1);
            put64(b, c->va_base);
            put64(b, c->addr);
            save_tables(b, c);
        }
    }
}

GByteArray *nvvb_ptm_save(const NvvbPtm *ptm)
{
    GByteArray *b = g_byte_array_new();

    put32(b, SAVE_MAGIC);
    put32(b, SAVE_VERSION);
    put64(b, ptm->root->addr);
    put32(b, (uint32_t)g_tree_nnodes(ptm->regions));
    put32(b, (uint32_t)(ptm->stats.tables_live - 1));
    g_tree_foreach(ptm->regions, save_region, b);
    save_tables(b, ptm->root);
    return b;
}

/* Add the table recorded at @rec below its parent; false if it does not fit. */
static bool load_table(NvvbPtm *p, const uint8_t *rec)
{
    unsigned level = rec[0];
    uint64_t va = ld_le64(rec + 1), addr = ld_le64(rec + 9);
    unsigned plevel, pshift, i, slot;
    PtmNode *par, *c;

    if (level < LV_PD2 || level > LV_SMALL || va >= NV_GMMU_VA_LIMIT) {
        return false;
    }
    plevel = level <= LV_PD0 ? level - 1 : LV_PD0;
    pshift = lvl_shift(plevel);
    par = find_table(p, va, plevel);
    if (!par || (va & ((1ull << pshift) - 1))) {
        return false;
    }
    i = nv_gmmu_level_index(plevel, va);
    slot = child_slot(par, i, level);
    if (par->child[slot] ||
        nvvb_pt_pool_claim(p->pool, addr, lvl_pool_size(level))) {
        return false;
    }
    c = node_new(level, addr, par, i, va);
    par->child[slot] = c;
    p->stats.tables_live++;
    p->stats.table_bytes += lvl_pool_size(level);
    return true;
}

/* Mark the tiles of [a, b); false if a tile's table is missing. */
static bool load_tiles(NvvbPtm *p, uint64_t a, uint64_t b)
{
    uint64_t v = a;

    while (v < b) {
        unsigned s = tile_shift(v, b - v);
        unsigned l = shift_level(s);
        PtmNode *n = find_table(p, v, l);

        if (!n) {
            return false;
        }
        n->flags[nv_gmmu_level_index(l, v)] |= E_TILE;
        v += 1ull << s;
    }
    return true;
}

/*
 * VALID bits and PTEs from VRAM, then the counts, then every non-VALID
 * entry rewritten.  A valid entry under another valid one (possible only
 * in damaged VRAM) is dropped, keeping "no page covers another".
 */
static bool load_entries(NvvbPtm *p, PtmNode *n)
{
    unsigned esz = nv_gmmu_level_entry_size(n->level);
    unsigned i, k, nent = lvl_entries(n->level);
    unsigned nchild = lvl_children(n->level);
    const PtmNode *par = n->parent;

    if (!p->mem.read(p->mem.opaque, NV_GMMU_APER_VID, n->addr, p->io,
                     (size_t)esz * nent)) {
        return false;
    }
    for (i = 0; i < nent && n->level >= LV_PD0; i++) {
        uint64_t e = ld_le64(p->io + i * esz);
        bool covered = false;

        if (n->level != LV_PD0) {
            covered = par->flags[n->pidx] & E_VALID;
        }
        if (n->level == LV_SMALL && par->child[2 * n->pidx]) {
            covered |= par->child[2 * n->pidx]->flags[i / SPT_PER_LPT] &
                       E_VALID;
        }
        if (!(e & NV_GMMU_PTE_VALID) || covered) {
            continue;
        }
        n->flags[i] |= E_VALID;
        n->nvalid++;
        if (n->pte) {
            n->pte[i] = e;
        }
    }
    /* Children see this table's VALID bits. */
    for (k = 0; k < nchild; k++) {
        if (n->child[k] && !load_entries(p, n->child[k])) {
            return false;
        }
    }
    for (i = 0; i < nent; i++) {
        if (occupied(n, i)) {
            n->refs++;
            if (n->level == LV_SMALL) {
                n->spte[i / SPT_PER_LPT]++;
            }
        }
    }
    return true;
}

/* Rewrite what the shadow derives; queue empty tables for freeing. */
static void load_rewrite(NvvbPtm *p, PtmNode *n)
{
    unsigned i, nent = lvl_entries(n->level);
    unsigned nchild = lvl_children(n->level);
    bool inh = node_inherited(n);

    for (i = 0; i < nent; i++) {
        if (!(n->flags[i] & E_VALID)) {
            write_derived_inh(p, n, i, inh);
        } else if (n->level == LV_PD0) {
            hw_write(p, n, i, n->pte[i], 0);
        }
    }
    if (!n->refs) {
        gc_queue(p, n);
    }
    for (i = 0; i < nchild; i++) {
        if (n->child[i]) {
            load_rewrite(p, n->child[i]);
        }
    }
}

int nvvb_ptm_load(NvvbPtm **out, NvvbPtPool *pool, const NvGmmuMem *mem,
                  const void *data, size_t len)
{
    const uint8_t *d = data;
    uint64_t nreg, ntab, pdb, prev_end = 0;
    NvvbPtm *p;
    uint64_t k;
    int ret = -EINVAL;

    *out = NULL;
    if (!mem->read || !mem->write || len < SAVE_HEADER ||
        ld_le32(d) != SAVE_MAGIC || ld_le32(d + 4) != SAVE_VERSION) {
        return -EINVAL;
    }
    pdb = ld_le64(d + 8);
    nreg = ld_le32(d + 16);
    ntab = ld_le32(d + 20);
    if (len != SAVE_HEADER + nreg * SAVE_REGION + ntab * SAVE_TABLE ||
        nvvb_pt_pool_claim(pool, pdb, NVVB_PT_POOL_GRANULE)) {
        return -EINVAL;
    }
    p = ptm_alloc(pool, mem, pdb);

    d += SAVE_HEADER;
    for (k = 0; k < nreg; k++, d += SAVE_REGION) {
        uint64_t a = ld_le64(d), r = ld_le64(d + 8);
        PtmRegion *reg;

        /* Sorted and disjoint (also rules out duplicate keys). */
        if (!range_ok(a, r) || (k && a < prev_end)) {
            goto fail;
        }
        reg = g_new0(PtmRegion, 1);
        reg->addr = a;
        reg->range = r;
        g_tree_insert(p->regions, &reg->addr, reg);
        prev_end = a + r;
    }
    for (k = 0; k < ntab; k++, d += SAVE_TABLE) {
        if (!load_table(p, d)) {
            goto fail;
        }
    }
    for (d = data, k = 0; k < nreg; k++) {
        const uint8_t *r = d + SAVE_HEADER + k * SAVE_REGION;
        uint64_t a = ld_le64(r);

        if (!load_tiles(p, a, a + ld_le64(r + 8))) {
            goto fail;
        }
    }
    if (!load_entries(p, p->root)) {
        ret = -EIO;
        goto fail;
    }
    txn_begin(p, 0);
    load_rewrite(p, p->root);
    ret = txn_end(p, NULL);
    p->stats.requests = p->stats.failed = 0;
    if (ret) {
        goto fail;
    }
    *out = p;
    return 0;

fail:
    nvvb_ptm_free(p);
    return ret;
}

void nvvb_ptm_get_stats(const NvvbPtm *ptm, NvvbPtmStats *stats)
{
    *stats = ptm->stats;
}

void nvvb_ptm_set_journal(NvvbPtm *ptm, NvvbPtmJournalMode mode)
{
    ptm->journal_mode = mode;
}
