/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * nv-vmbind GMMU: coalesced mapping dump, see gmmu-dump.h.
 *
 * Each table is read once per visit with one accessor call covering the
 * entries inside the requested range; if that read fails (e.g. the table
 * straddles the end of VRAM) the entries are read one by one when examined,
 * so the dump fails exactly the entries the walker would fault on.
 */
#include <string.h>

#include <glib.h>

#include "gmmu-dump.h"
#include "le.h"

typedef struct DumpTable {
    NvGmmuAperture aper;
    uint64_t addr;              /* table base */
    unsigned esize;
    unsigned first;             /* first index held in buf */
    bool loaded;                /* a bulk read was attempted */
    bool bulk_ok;               /* buf holds entries first.. */
    uint8_t buf[4096];
} DumpTable;

typedef struct DumpCtx {
    const NvGmmuMem *mem;
    const NvGmmuPdb *pdb;
    uint64_t start, end;        /* clipped, half-open */
    uint64_t budget;
    NvGmmuDumpFn fn;
    void *opaque;
    NvGmmuDumpStats *stats;
    NvGmmuDumpStatus status;
    bool stopped;
    bool have_pend;
    NvGmmuMapping pend;
    DumpTable tbl[NV_GMMU_LEVEL_COUNT];
} DumpCtx;

/* Prepare @level's table for entries [first, last]; the bulk read is lazy. */
static DumpTable *table_open(DumpCtx *c, NvGmmuLevel level,
                             NvGmmuAperture aper, uint64_t addr,
                             unsigned first)
{
    DumpTable *t = &c->tbl[level];

    t->aper = aper;
    t->addr = addr;
    t->esize = nv_gmmu_level_entry_size(level);
    t->first = first;
    t->loaded = false;
    t->bulk_ok = false;
    return t;
}

static void table_load(DumpCtx *c, DumpTable *t, unsigned last)
{
    size_t len = (size_t)(last - t->first + 1) * t->esize;

    t->loaded = true;
    c->stats->reads++;
    t->bulk_ok = c->mem->read(c->mem->opaque, t->aper,
                              t->addr + (uint64_t)t->first * t->esize,
                              t->buf, len);
}

/* Entry @i (first <= i <= last) into raw[]; false if unreadable. */
static bool table_entry(DumpCtx *c, DumpTable *t, unsigned i, unsigned last,
                        uint64_t raw[2])
{
    uint8_t one[16];
    const uint8_t *p;

    if (!t->loaded) {
        table_load(c, t, last);
    }
    if (t->bulk_ok) {
        p = t->buf + (size_t)(i - t->first) * t->esize;
    } else {
        c->stats->reads++;
        if (!c->mem->read(c->mem->opaque, t->aper,
                          t->addr + (uint64_t)i * t->esize, one, t->esize)) {
            c->stats->read_errors++;
            return false;
        }
        p = one;
    }
    raw[0] = ld_le64(p);
    raw[1] = t->esize == 16 ? ld_le64(p + 8) : 0;
    return true;
}

static void dump_flush(DumpCtx *c)
{
    if (!c->have_pend || c->stopped) {
        return;
    }
    c->have_pend = false;
    c->stats->ranges++;
    c->stats->next_va = c->pend.va + c->pend.size;
    if (!c->fn(c->opaque, &c->pend)) {
        c->stopped = true;
        c->status = NV_GMMU_DUMP_STOPPED;
    }
}

/* Account for one entry covering VA @va; false once the budget is gone. */
static bool dump_charge(DumpCtx *c, uint64_t va)
{
    if (c->stopped) {
        return false;
    }
    if (c->budget == 0) {
        dump_flush(c);
        if (!c->stopped) {
            c->stopped = true;
            c->status = NV_GMMU_DUMP_TRUNCATED;
            c->stats->next_va = va > c->start ? va : c->start;
        }
        return false;
    }
    c->budget--;
    c->stats->entries++;
    return true;
}

/* Report [va, va + 2^shift) clipped to the range, merging if possible. */
static void dump_emit(DumpCtx *c, uint64_t va, unsigned shift,
                      const NvGmmuMapping *m)
{
    uint64_t lo = va > c->start ? va : c->start;
    uint64_t hi = va + (1ULL << shift);
    NvGmmuMapping *p = &c->pend;
    uint64_t pa;

    if (hi > c->end) {
        hi = c->end;
    }
    if (lo >= hi) {
        return;
    }
    pa = m->sparse ? 0 : m->pa + (lo - va);
    if (c->have_pend && p->va + p->size == lo && p->sparse == m->sparse &&
        p->aperture == m->aperture && p->page_shift == m->page_shift &&
        p->flags == m->flags && p->kind == m->kind &&
        p->peer_id == m->peer_id && (m->sparse || p->pa + p->size == pa)) {
        p->size += hi - lo;
        return;
    }
    dump_flush(c);
    if (c->stopped) {
        return;
    }
    *p = *m;
    p->va = lo;
    p->size = hi - lo;
    p->pa = pa;
    c->have_pend = true;
}

static void dump_sparse(DumpCtx *c, uint64_t va, unsigned shift)
{
    NvGmmuMapping m;

    memset(&m, 0, sizeof(m));
    m.sparse = true;
    m.aperture = NV_GMMU_APER_NONE;
    m.page_shift = shift;
    dump_emit(c, va, shift, &m);
}

static void dump_pte(DumpCtx *c, uint64_t va, unsigned shift, uint64_t pte)
{
    NvGmmuMapping m;

    memset(&m, 0, sizeof(m));
    m.aperture = nv_gmmu_pte_aperture(pte);
    m.pa = nv_gmmu_pte_addr(pte) & ~((1ULL << shift) - 1);
    m.page_shift = shift;
    m.flags = (uint8_t)nv_gmmu_pte_flags(pte);
    m.kind = nv_gmmu_pte_kind(pte);
    m.peer_id = m.aperture == NV_GMMU_APER_PEER ? nv_gmmu_pte_peer_id(pte)
                                                : 0;
    dump_emit(c, va, shift, &m);
}

/* Index range of the table at @level (based at @base) inside the range. */
static void dump_span(const DumpCtx *c, NvGmmuLevel level, uint64_t base,
                      unsigned *first, unsigned *last)
{
    unsigned shift = nv_gmmu_level_shift(level);
    unsigned n = 1u << nv_gmmu_level_bits(level);
    uint64_t l;

    *first = c->start > base ? (unsigned)((c->start - base) >> shift) : 0;
    l = (c->end - 1 - base) >> shift;
    *last = l < n ? (unsigned)l : n - 1;
}

/* The big and small PTs under one PD0 entry covering [base, base + 2M). */
static void dump_dual(DumpCtx *c, uint64_t lo, uint64_t hi, uint64_t base)
{
    NvGmmuAperture big = nv_gmmu_pd0_big_aperture(lo);
    NvGmmuAperture small = nv_gmmu_pd0_small_aperture(hi);
    unsigned bfirst, blast, sfirst, slast, j, k;
    DumpTable *bt = NULL, *st = NULL;
    uint64_t raw[2];

    dump_span(c, NV_GMMU_LEVEL_PT_BIG, base, &bfirst, &blast);
    dump_span(c, NV_GMMU_LEVEL_PT_SMALL, base, &sfirst, &slast);
    if (big != NV_GMMU_APER_NONE) {
        bt = table_open(c, NV_GMMU_LEVEL_PT_BIG, big,
                        nv_gmmu_pd0_big_addr(lo), bfirst);
    }
    if (small != NV_GMMU_APER_NONE) {
        st = table_open(c, NV_GMMU_LEVEL_PT_SMALL, small,
                        nv_gmmu_pd0_small_addr(hi), sfirst);
    }

    for (j = bfirst; j <= blast; j++) {
        uint64_t bva = base + ((uint64_t)j << NV_GMMU_PAGE_SHIFT_64K);

        if (bt) {
            if (!dump_charge(c, bva)) {
                return;
            }
            if (!table_entry(c, bt, j, blast, raw)) {
                continue;           /* fault PTE */
            }
            if (raw[0] & NV_GMMU_PTE_VALID) {
                dump_pte(c, bva, NV_GMMU_PAGE_SHIFT_64K, raw[0]);
                continue;
            }
            if (raw[0] & NV_GMMU_PTE_VOL) {
                dump_sparse(c, bva, NV_GMMU_PAGE_SHIFT_64K);
                continue;
            }
            if (raw[0] & NV_GMMU_PTE_PRIVILEGE) {
                continue;           /* small PTEs ignored: fault PTE */
            }
        }
        if (!st) {
            continue;
        }
        /* The 16 small PTEs of this 64 KiB chunk that are in range. */
        for (k = j * 16; k < j * 16 + 16; k++) {
            uint64_t sva = base + ((uint64_t)k << NV_GMMU_PAGE_SHIFT_4K);

            if (k < sfirst || k > slast) {
                continue;
            }
            if (!dump_charge(c, sva)) {
                return;
            }
            if (!table_entry(c, st, k, slast, raw)) {
                continue;
            }
            if (raw[0] & NV_GMMU_PTE_VALID) {
                dump_pte(c, sva, NV_GMMU_PAGE_SHIFT_4K, raw[0]);
            } else if (raw[0] & NV_GMMU_PTE_VOL) {
                dump_sparse(c, sva, NV_GMMU_PAGE_SHIFT_4K);
            }
        }
    }
}

/* The table at @level (PD3..PD0) covering VAs from @base. */
static void dump_pd(DumpCtx *c, NvGmmuLevel level, NvGmmuAperture aper,
                    uint64_t table, uint64_t base)
{
    unsigned shift = nv_gmmu_level_shift(level);
    unsigned first, last, i;
    uint64_t raw[2];
    DumpTable *t;

    dump_span(c, level, base, &first, &last);
    /* Children use the deeper tbl[] slots, so this one stays valid. */
    t = table_open(c, level, aper, table, first);
    for (i = first; i <= last; i++) {
        uint64_t va = base + ((uint64_t)i << shift);
        uint64_t e;

        if (!dump_charge(c, va)) {
            return;
        }
        if (!table_entry(c, t, i, last, raw)) {
            continue;               /* fault PDE */
        }
        e = raw[0];
        if (level == NV_GMMU_LEVEL_PD0) {
            if (nv_gmmu_pd0_is_pte(e)) {
                dump_pte(c, va, NV_GMMU_PAGE_SHIFT_2M, e);
            } else if (nv_gmmu_pd0_big_aperture(e) == NV_GMMU_APER_NONE &&
                       nv_gmmu_pd0_small_aperture(raw[1]) ==
                       NV_GMMU_APER_NONE) {
                if (e & NV_GMMU_PD0_VOL_BIG) {
                    dump_sparse(c, va, shift);
                }
            } else {
                dump_dual(c, e, raw[1], va);
            }
        } else if (e & NV_GMMU_PDE_IS_PTE) {
            continue;               /* fault PDE */
        } else if (nv_gmmu_pde_aperture(e) == NV_GMMU_APER_NONE) {
            if (e & NV_GMMU_PDE_VOL) {
                dump_sparse(c, va, shift);
            }
        } else {
            dump_pd(c, level + 1, nv_gmmu_pde_aperture(e),
                    nv_gmmu_pde_addr(e), va);
        }
        if (c->stopped) {
            return;
        }
    }
}

NvGmmuDumpStatus nv_gmmu_dump(const NvGmmuMem *mem, const NvGmmuPdb *pdb,
                              uint64_t va_start, uint64_t va_end,
                              uint64_t budget, NvGmmuDumpFn fn, void *opaque,
                              NvGmmuDumpStats *stats)
{
    NvGmmuDumpStats local;
    NvGmmuDumpStatus status;
    DumpCtx *c;
    uint64_t limit = pdb->va_limit < NV_GMMU_VA_LIMIT - 1
                     ? pdb->va_limit + 1 : NV_GMMU_VA_LIMIT;

    if (!stats) {
        stats = &local;
    }
    memset(stats, 0, sizeof(*stats));
    if (va_end > limit) {
        va_end = limit;
    }
    stats->next_va = va_end;
    if (va_start >= va_end ||
        (pdb->aperture != NV_GMMU_APER_VID &&
         !nv_gmmu_aperture_is_sys(pdb->aperture))) {
        return NV_GMMU_DUMP_DONE;
    }

    c = g_new0(DumpCtx, 1);
    c->mem = mem;
    c->pdb = pdb;
    c->start = va_start;
    c->end = va_end;
    c->budget = budget ? budget : NV_GMMU_DUMP_DEFAULT_BUDGET;
    c->fn = fn;
    c->opaque = opaque;
    c->stats = stats;
    c->status = NV_GMMU_DUMP_DONE;

    dump_pd(c, NV_GMMU_LEVEL_PD3, pdb->aperture, pdb->addr, 0);
    dump_flush(c);
    if (c->status == NV_GMMU_DUMP_DONE) {
        stats->next_va = va_end;
    }
    status = c->status;
    g_free(c);
    return status;
}
