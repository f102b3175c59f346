/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Page-table manager and its pool.  The oracle is the walker: after each
 * operation every 4 KiB page of the affected VA range is walked with
 * nv_gmmu_walk() and compared with a page-granular model (mapped ->
 * aperture / PA / kind / flags / page size; in a sparse region but not
 * mapped -> SPARSE; else a PDE or PTE fault), and nv_gmmu_dump()'s
 * coalesced ranges are compared with the model's.  The model chooses page
 * sizes by the documented rule (largest of 2M/64K/4K that VA, PA, length
 * and contiguity allow; VRAM only above 4K), mapping each mapping on its
 * own -- which is what the manager must end up with after any sequence.
 */
#include <errno.h>
#include <inttypes.h>
#include <string.h>

#include <glib.h>

#include "gmmu-dump.h"
#include "gmmu-fake.h"
#include "gmmu-tlb.h"
#include "gmmu-walk.h"
#include "gpuvm-bo.h"
#include "gpuvm-sparse.h"
#include "gpuvm.h"
#include "pt-pool.h"
#include "ptm.h"
#include "ptm-gpuvm.h"

#define VID     NV_GMMU_APER_VID
#define SYS     NV_GMMU_APER_SYS_COH
#define NCOH    NV_GMMU_APER_SYS_NCOH

#define K4      0x1000ull
#define K64     0x10000ull
#define M2      0x200000ull
#define MiB     0x100000ull
#define GiB     0x40000000ull

#define VRAM_SIZE   (64 * MiB)
/* nvvb_ptm_save() layout: header, 16 bytes per region, 17 per table. */
#define SAVE_HDR    24
#define SAVE_REG    16
#define SAVE_TAB    17
#define SYS_SIZE    (64 * MiB)
#define POOL_SIZE   (8 * MiB)
#define POOL_BASE   (VRAM_SIZE - POOL_SIZE)

/* ------------------------------------------------------------------------
 * Buffer objects: extents of (aperture, address, length)
 * ------------------------------------------------------------------------ */

#define BO_MAX_EXT 256

typedef struct TestExt {
    NvGmmuAperture aper;
    uint64_t addr;
    uint64_t len;
} TestExt;

typedef struct TestBo {
    uint64_t size;
    unsigned next;
    TestExt ext[BO_MAX_EXT];
    NvvbPtmAttrs attrs;
    NvvbBo *core;
    unsigned resolves;          /* resolver calls */
} TestBo;

static void bo_init(TestBo *bo)
{
    memset(bo, 0, sizeof(*bo));
}

static void bo_add(TestBo *bo, NvGmmuAperture aper, uint64_t addr,
                   uint64_t len)
{
    g_assert_cmpuint(bo->next, <, BO_MAX_EXT);
    bo->ext[bo->next].aper = aper;
    bo->ext[bo->next].addr = addr;
    bo->ext[bo->next].len = len;
    bo->next++;
    bo->size += len;
}

static bool bo_resolve(void *opaque, uint64_t off, NvvbPtmExtent *e)
{
    TestBo *bo = opaque;
    uint64_t start = 0;
    unsigned k;

    bo->resolves++;
    for (k = 0; k < bo->next; k++) {
        if (off - start < bo->ext[k].len) {
            e->aperture = bo->ext[k].aper;
            e->addr = bo->ext[k].addr + (off - start);
            e->len = bo->ext[k].len - (off - start);
            return true;
        }
        start += bo->ext[k].len;
    }
    return false;
}

static NvvbPtmBacking bo_backing(TestBo *bo)
{
    NvvbPtmBacking b = { bo_resolve, bo };

    return b;
}

/* ------------------------------------------------------------------------
 * Environment: fake VRAM + sysmem, pool at the top of VRAM, one VM
 * ------------------------------------------------------------------------ */

typedef struct Env {
    FakeMem fm;
    NvGmmuMem mem;              /* counting wrapper around fm.mem */
    uint64_t reads, writes;
    NvvbPtPool *pool;
    NvvbPtm *ptm;
    NvGmmuPdb pdb;
    uint64_t pool_free0;        /* free bytes with an empty PD3 */
} Env;

static bool env_read(void *opaque, NvGmmuAperture aper, uint64_t addr,
                     void *buf, size_t len)
{
    Env *e = opaque;

    e->reads++;
    return e->fm.mem.read(e->fm.mem.opaque, aper, addr, buf, len);
}

static bool env_write(void *opaque, NvGmmuAperture aper, uint64_t addr,
                      const void *buf, size_t len)
{
    Env *e = opaque;

    e->writes++;
    /* The manager only ever writes its pool. */
    g_assert_cmpint(aper, ==, VID);
    g_assert_cmphex(addr, >=, nvvb_pt_pool_base(e->pool));
    g_assert_cmphex(addr + len, <=,
                    nvvb_pt_pool_base(e->pool) + nvvb_pt_pool_size(e->pool));
    return e->fm.mem.write(e->fm.mem.opaque, aper, addr, buf, len);
}

static void env_init_pool(Env *e, uint64_t pool_size)
{
    memset(e, 0, sizeof(*e));
    fake_init(&e->fm, VRAM_SIZE, SYS_SIZE);
    /* Stale bytes in the pool: the manager must not rely on zeroes. */
    memset(e->fm.vram + VRAM_SIZE - pool_size, 0xa5, pool_size);
    e->mem.read = env_read;
    e->mem.write = env_write;
    e->mem.opaque = e;
    e->pool = nvvb_pt_pool_new(VRAM_SIZE - pool_size, pool_size);
    g_assert_nonnull(e->pool);
    g_assert_cmpint(nvvb_ptm_new(&e->ptm, e->pool, &e->mem), ==, 0);
    nv_gmmu_pdb_init(&e->pdb, VID, nvvb_ptm_pdb(e->ptm));
    e->pool_free0 = nvvb_pt_pool_free_bytes(e->pool);
}

static void env_init(Env *e)
{
    env_init_pool(e, POOL_SIZE);
}

static void env_free(Env *e)
{
    nvvb_ptm_free(e->ptm);
    g_assert_cmpuint(nvvb_pt_pool_free_bytes(e->pool), ==,
                     nvvb_pt_pool_size(e->pool));
    nvvb_pt_pool_free(e->pool);
    fake_free(&e->fm);
}

static NvvbPtmAttrs attrs0(void)
{
    NvvbPtmAttrs a = { 0 };

    return a;
}

static int env_map(Env *e, uint64_t va, uint64_t range, TestBo *bo,
                   uint64_t off, NvvbPtmResult *res)
{
    NvvbPtmBacking bk = bo_backing(bo);

    return nvvb_ptm_map(e->ptm, va, range, off, &bk, &bo->attrs, res);
}

/* ------------------------------------------------------------------------
 * The model: one entry per 4 KiB page of a window
 * ------------------------------------------------------------------------ */

enum { PG_FAULT = 0, PG_SPARSE, PG_MAPPED };

typedef struct ExpPage {
    uint8_t state;
    uint8_t shift;
    uint8_t flags;
    uint8_t kind;
    NvGmmuAperture aper;
    uint64_t pa;
} ExpPage;

typedef struct Model {
    uint64_t base;
    uint64_t npages;
    ExpPage *pg;
} Model;

static void model_init(Model *m, uint64_t base, uint64_t size)
{
    m->base = base;
    m->npages = size / K4;
    m->pg = g_new0(ExpPage, m->npages);
}

static void model_free(Model *m)
{
    g_free(m->pg);
}

static void model_clear(Model *m)
{
    memset(m->pg, 0, m->npages * sizeof(ExpPage));
}

static ExpPage *model_page(Model *m, uint64_t va)
{
    if (va < m->base || (va - m->base) / K4 >= m->npages) {
        return NULL;
    }
    return &m->pg[(va - m->base) / K4];
}

static void model_sparse(Model *m, uint64_t va, uint64_t range)
{
    uint64_t v;

    for (v = va; v < va + range; v += K4) {
        ExpPage *p = model_page(m, v);

        if (p) {
            memset(p, 0, sizeof(*p));
            p->state = PG_SPARSE;
        }
    }
}

/* The documented page-size rule, mapping by mapping. */
static void model_map(Model *m, uint64_t va, uint64_t range, TestBo *bo,
                      uint64_t off, const NvvbPtmAttrs *at)
{
    uint64_t v = va, end = va + range;

    while (v < end) {
        NvvbPtmExtent e = { 0 };
        uint64_t avail, s = K4, x;
        uint8_t flags;

        g_assert_true(bo_resolve(bo, off + (v - va), &e));
        avail = MIN(e.len, end - v);
        if (e.aperture == VID) {
            if (!(v % M2) && !(e.addr % M2) && avail >= M2) {
                s = M2;
            } else if (!(v % K64) && !(e.addr % K64) && avail >= K64) {
                s = K64;
            }
        }
        flags = NV_GMMU_PTE_VALID |
                (e.aperture != VID ? NV_GMMU_PTE_VOL : 0) |
                (at->read_only ? NV_GMMU_PTE_READ_ONLY : 0) |
                (at->priv ? NV_GMMU_PTE_PRIVILEGE : 0) |
                (at->atomic_disable ? NV_GMMU_PTE_ATOMIC_DISABLE : 0);
        for (x = v; x < v + s; x += K4) {
            ExpPage *p = model_page(m, x);

            if (p) {
                p->state = PG_MAPPED;
                p->shift = (uint8_t)__builtin_ctzll(s);
                p->flags = flags;
                p->kind = at->kind;
                p->aper = e.aperture;
                p->pa = e.addr + (x - v);
            }
        }
        v += s;
    }
}

/* ------------------------------------------------------------------------
 * Checking tables against the model
 * ------------------------------------------------------------------------ */

static const NvGmmuAccess acc_read_priv = { NV_GMMU_ACCESS_TYPE_VIRT_READ,
                                            true, false };

static void check_page(Env *e, uint64_t va, const ExpPage *x)
{
    NvGmmuWalkResult r;

    nv_gmmu_walk(&e->mem, &e->pdb, va, &acc_read_priv, &r);
    switch (x->state) {
    case PG_MAPPED:
        if (r.status != NV_GMMU_WALK_OK) {
            g_error("va %#" PRIx64 ": status %d fault %u, want mapped",
                    va, r.status, r.fault_type);
        }
        if (r.tr.aperture != x->aper || r.pa != x->pa ||
            r.tr.page_shift != x->shift || r.tr.flags != x->flags ||
            r.tr.kind != x->kind) {
            g_error("va %#" PRIx64 ": aper %d pa %#" PRIx64 " shift %u "
                    "flags %#x kind %#x, want aper %d pa %#" PRIx64
                    " shift %u flags %#x kind %#x", va, r.tr.aperture, r.pa,
                    r.tr.page_shift, r.tr.flags, r.tr.kind, x->aper, x->pa,
                    x->shift, x->flags, x->kind);
        }
        break;
    case PG_SPARSE:
        if (r.status != NV_GMMU_WALK_SPARSE) {
            g_error("va %#" PRIx64 ": status %d, want sparse", va, r.status);
        }
        break;
    default:
        if (r.status != NV_GMMU_WALK_FAULT) {
            g_error("va %#" PRIx64 ": status %d, want fault", va, r.status);
        }
        g_assert_true(r.fault_type == NV_GMMU_FAULT_TYPE_PDE ||
                      r.fault_type == NV_GMMU_FAULT_TYPE_PTE);
        break;
    }
}

static void check_walk(Env *e, Model *m)
{
    uint64_t k;

    for (k = 0; k < m->npages; k++) {
        check_page(e, m->base + k * K4, &m->pg[k]);
    }
}

static bool dump_collect(void *opaque, const NvGmmuMapping *mp)
{
    g_array_append_val((GArray *)opaque, *mp);
    return true;
}

/* nv_gmmu_dump() == the model: mapped ranges exactly, sparse as a set. */
static void check_dump(Env *e, Model *m)
{
    GArray *got = g_array_new(false, false, sizeof(NvGmmuMapping));
    GArray *want = g_array_new(false, false, sizeof(NvGmmuMapping));
    uint64_t k, sparse_got = 0, sparse_want = 0;
    guint i, j;

    g_assert_cmpint(nv_gmmu_dump(&e->mem, &e->pdb, m->base,
                                 m->base + m->npages * K4, 0, dump_collect,
                                 got, NULL), ==, NV_GMMU_DUMP_DONE);
    for (k = 0; k < m->npages; k++) {
        const ExpPage *x = &m->pg[k];
        NvGmmuMapping *last = want->len ?
            &g_array_index(want, NvGmmuMapping, want->len - 1) : NULL;
        NvGmmuMapping n;

        if (x->state == PG_SPARSE) {
            sparse_want++;
        }
        if (x->state != PG_MAPPED) {
            continue;
        }
        if (last && last->va + last->size == m->base + k * K4 &&
            last->aperture == x->aper && last->page_shift == x->shift &&
            last->flags == x->flags && last->kind == x->kind &&
            last->pa + last->size == x->pa) {
            last->size += K4;
            continue;
        }
        memset(&n, 0, sizeof(n));
        n.va = m->base + k * K4;
        n.size = K4;
        n.pa = x->pa;
        n.aperture = x->aper;
        n.page_shift = x->shift;
        n.flags = x->flags;
        n.kind = x->kind;
        g_array_append_val(want, n);
    }
    for (i = 0, j = 0; i < got->len; i++) {
        const NvGmmuMapping *g = &g_array_index(got, NvGmmuMapping, i);
        const NvGmmuMapping *w;

        if (g->sparse) {
            sparse_got += g->size / K4;
            continue;
        }
        g_assert_cmpuint(j, <, want->len);
        w = &g_array_index(want, NvGmmuMapping, j++);
        if (g->va != w->va || g->size != w->size || g->pa != w->pa ||
            g->aperture != w->aperture || g->page_shift != w->page_shift ||
            g->flags != w->flags || g->kind != w->kind) {
            g_error("dump range %u: va %#" PRIx64 "+%#" PRIx64 " pa %#"
                    PRIx64 " shift %u, want va %#" PRIx64 "+%#" PRIx64
                    " pa %#" PRIx64 " shift %u", i, g->va, g->size, g->pa,
                    g->page_shift, w->va, w->size, w->pa, w->page_shift);
        }
    }
    g_assert_cmpuint(j, ==, want->len);
    g_assert_cmpuint(sparse_got, ==, sparse_want);
    g_array_free(got, true);
    g_array_free(want, true);
}

static void check_all(Env *e, Model *m)
{
    check_walk(e, m);
    check_dump(e, m);
}

/* Raw entries, for checks of the encoding itself. */
static uint64_t entry_addr(Env *e, uint64_t va, NvGmmuLevel level)
{
    NvGmmuWalkResult r;
    unsigned k;

    nv_gmmu_walk(&e->mem, &e->pdb, va, &acc_read_priv, &r);
    for (k = 0; k < r.nsteps; k++) {
        if (r.steps[k].level == level) {
            return r.steps[k].addr;
        }
    }
    g_error("va %#" PRIx64 ": the walk does not reach level %d", va, level);
}

static uint64_t raw64(Env *e, uint64_t addr)
{
    return fake_r64(&e->fm, VID, addr);
}

/* ------------------------------------------------------------------------
 * Pool
 * ------------------------------------------------------------------------ */

static void test_pool_basic(void)
{
    NvvbPtPool *p = nvvb_pt_pool_new(0x100000, 8 * 4096 + 123);
    uint64_t a[8], s[20], x;
    unsigned k;

    g_assert_null(nvvb_pt_pool_new(0x100800, 0x10000));    /* misaligned */
    g_assert_null(nvvb_pt_pool_new(0x100000, 4095));        /* no granule */
    g_assert_nonnull(p);
    g_assert_cmpuint(nvvb_pt_pool_size(p), ==, 8 * 4096);
    g_assert_cmpuint(nvvb_pt_pool_free_bytes(p), ==, 8 * 4096);
    for (k = 0; k < 8; k++) {
        g_assert_cmpint(nvvb_pt_pool_alloc(p, 4096, &a[k]), ==, 0);
        g_assert_cmphex(a[k], ==, 0x100000 + k * 4096);    /* lowest first */
    }
    g_assert_cmpint(nvvb_pt_pool_alloc(p, 4096, &x), ==, -ENOSPC);
    g_assert_cmpint(nvvb_pt_pool_alloc(p, 256, &x), ==, -ENOSPC);
    g_assert_cmpint(nvvb_pt_pool_alloc(p, 512, &x), ==, -EINVAL);
    g_assert_cmpuint(nvvb_pt_pool_free_bytes(p), ==, 0);
    g_assert_true(nvvb_pt_pool_release(p, a[5], 4096));
    g_assert_false(nvvb_pt_pool_release(p, a[5], 4096));    /* twice */
    g_assert_false(nvvb_pt_pool_release(p, a[4] + 256, 4096));
    g_assert_false(nvvb_pt_pool_release(p, 0x100000 + 8 * 4096, 4096));
    g_assert_true(nvvb_pt_pool_release(p, a[2], 4096));
    g_assert_cmpint(nvvb_pt_pool_alloc(p, 4096, &x), ==, 0);
    g_assert_cmphex(x, ==, a[2]);
    g_assert_true(nvvb_pt_pool_release(p, a[6], 4096));

    /* Slots: 16 per granule, lowest slab and slot first. */
    for (k = 0; k < 17; k++) {
        g_assert_cmpint(nvvb_pt_pool_alloc(p, 256, &s[k]), ==, 0);
    }
    for (k = 0; k < 16; k++) {
        g_assert_cmphex(s[k], ==, a[5] + k * 256);
        g_assert_true(nvvb_pt_pool_is_allocated(p, s[k], 256));
        g_assert_false(nvvb_pt_pool_is_allocated(p, s[k], 4096));
    }
    g_assert_cmphex(s[16], ==, a[6]);      /* second slab */
    g_assert_cmpuint(nvvb_pt_pool_free_bytes(p), ==, 15 * 256);
    g_assert_cmpuint(nvvb_pt_pool_free_granules(p), ==, 0);
    g_assert_false(nvvb_pt_pool_release(p, s[3], 4096));     /* wrong size */
    g_assert_true(nvvb_pt_pool_release(p, s[3], 256));
    g_assert_false(nvvb_pt_pool_release(p, s[3], 256));
    g_assert_cmpint(nvvb_pt_pool_alloc(p, 256, &x), ==, 0);
    g_assert_cmphex(x, ==, s[3]);
    for (k = 0; k < 16; k++) {
        g_assert_true(nvvb_pt_pool_release(p, s[k], 256));
    }
    /* The slab's granule went back: a whole granule can be allocated. */
    g_assert_cmpuint(nvvb_pt_pool_free_granules(p), ==, 1);
    g_assert_cmpint(nvvb_pt_pool_alloc(p, 4096, &x), ==, 0);
    g_assert_cmphex(x, ==, a[5]);
    g_assert_cmpint(nvvb_pt_pool_alloc(p, 4096, &x), ==, -ENOSPC);
    g_assert_true(nvvb_pt_pool_release(p, s[16], 256));
    g_assert_cmpuint(nvvb_pt_pool_free_granules(p), ==, 1);
    g_assert_cmpuint(nvvb_pt_pool_free_bytes(p), ==, 4096);
    nvvb_pt_pool_free(p);

    /* Claims rebuild a state; allocation then goes around them. */
    p = nvvb_pt_pool_new(0x100000, 4 * 4096);
    g_assert_cmpint(nvvb_pt_pool_claim(p, 0x100000, 4096), ==, 0);
    g_assert_cmpint(nvvb_pt_pool_claim(p, 0x100000, 4096), ==, -EEXIST);
    g_assert_cmpint(nvvb_pt_pool_claim(p, 0x100000, 256), ==, -EEXIST);
    g_assert_cmpint(nvvb_pt_pool_claim(p, 0x102300, 256), ==, 0);
    g_assert_cmpint(nvvb_pt_pool_claim(p, 0x102300, 256), ==, -EEXIST);
    g_assert_cmpint(nvvb_pt_pool_claim(p, 0x102000, 4096), ==, -EEXIST);
    g_assert_cmpint(nvvb_pt_pool_claim(p, 0x102080, 256), ==, -EINVAL);
    g_assert_cmpint(nvvb_pt_pool_claim(p, 0x104000, 4096), ==, -EINVAL);
    g_assert_cmpint(nvvb_pt_pool_claim(p, 0xff000, 4096), ==, -EINVAL);
    g_assert_cmpint(nvvb_pt_pool_alloc(p, 4096, &x), ==, 0);
    g_assert_cmphex(x, ==, 0x101000);
    g_assert_cmpint(nvvb_pt_pool_alloc(p, 256, &x), ==, 0);
    g_assert_cmphex(x, ==, 0x102000);           /* the claimed slab */
    g_assert_cmpuint(nvvb_pt_pool_free_bytes(p), ==, 4096 + 14 * 256);
    g_assert_true(nvvb_pt_pool_release(p, 0x102300, 256));
    g_assert_true(nvvb_pt_pool_release(p, 0x102000, 256));
    g_assert_cmpuint(nvvb_pt_pool_free_granules(p), ==, 2);
    nvvb_pt_pool_free(p);
}

/* ------------------------------------------------------------------------
 * Creation, page sizes
 * ------------------------------------------------------------------------ */

static void test_new_free(void)
{
    NvvbPtPool *pool;
    NvvbPtm *ptm, *ptm2;
    FakeMem fm;
    NvGmmuMem ro;
    uint64_t x;

    fake_init(&fm, 1 * MiB, 0);
    pool = nvvb_pt_pool_new(0x80000, 2 * 4096);
    g_assert_cmpint(nvvb_ptm_new(&ptm, pool, &fm.mem), ==, 0);
    g_assert_cmphex(nvvb_ptm_pdb(ptm), ==, 0x80000);
    g_assert_cmpint(nvvb_ptm_new(&ptm2, pool, &fm.mem), ==, 0);
    g_assert_cmpint(nvvb_pt_pool_alloc(pool, 4096, &x), ==, -ENOSPC);
    {
        NvvbPtm *ptm3;

        g_assert_cmpint(nvvb_ptm_new(&ptm3, pool, &fm.mem), ==, -ENOSPC);
        g_assert_null(ptm3);
    }
    nvvb_ptm_free(ptm);
    nvvb_ptm_free(ptm2);
    g_assert_cmpuint(nvvb_pt_pool_free_bytes(pool), ==, 2 * 4096);
    ro = fm.mem;
    ro.write = NULL;
    g_assert_cmpint(nvvb_ptm_new(&ptm, pool, &ro), ==, -EINVAL);
    nvvb_ptm_free(NULL);
    nvvb_pt_pool_free(pool);
    fake_free(&fm);
}

typedef struct SizeCase {
    const char *name;
    uint64_t va, range;
    NvGmmuAperture aper;
    uint64_t pa;                /* backing start (one extent) */
    unsigned expect[8];         /* page shifts in VA order, 0 ends */
} SizeCase;

static const SizeCase size_cases[] = {
    { "2m-aligned", 4 * GiB, 4 * MiB, VID, 4 * MiB, { 21, 21 } },
    { "pa-64k-only", 4 * GiB, 2 * MiB, VID, 2 * MiB + K64,
      { 16 } },                             /* 32 x 64K */
    { "64k-plus-4k", 4 * GiB + K64, K64 + K4, VID, 8 * MiB + K64,
      { 16, 12 } },
    { "pa-4k", 4 * GiB, 128 * 1024, VID, 4 * MiB + K4, { 12 } },
    { "sysmem-2m-aligned", 4 * GiB, 2 * MiB, SYS, 4 * MiB, { 12 } },
    { "ncoh", 4 * GiB, 64 * 1024, NCOH, 0x10000, { 12 } },
    { "1m-offset", 4 * GiB + MiB, 5 * MiB + K64 + K4, VID, 4 * MiB + MiB,
      { 16, 21, 21, 16, 12 } },
};

/* Page sizes of [va, va + range) in order, as runs of equal shifts. */
static void walk_shifts(Env *e, uint64_t va, uint64_t range, unsigned *out,
                        unsigned max)
{
    unsigned n = 0;
    uint64_t v;

    for (v = va; v < va + range;) {
        NvGmmuWalkResult r;

        nv_gmmu_walk(&e->mem, &e->pdb, v, &acc_read_priv, &r);
        g_assert_cmpint(r.status, ==, NV_GMMU_WALK_OK);
        if (!n || out[n - 1] != r.tr.page_shift || r.tr.page_shift == 21) {
            g_assert_cmpuint(n, <, max);
            out[n++] = r.tr.page_shift;
        }
        v = r.tr.va_base + (1ull << r.tr.page_shift);
    }
    if (n < max) {
        out[n] = 0;
    }
}

static void test_page_sizes(void)
{
    unsigned c, k;

    for (c = 0; c < G_N_ELEMENTS(size_cases); c++) {
        const SizeCase *sc = &size_cases[c];
        unsigned got[8];
        TestBo bo;
        Model m;
        Env e;

        env_init(&e);
        bo_init(&bo);
        bo_add(&bo, sc->aper, sc->pa, 16 * MiB);
        model_init(&m, sc->va & ~(M2 - 1), 8 * MiB);
        g_assert_cmpint(env_map(&e, sc->va, sc->range, &bo, 0, NULL), ==, 0);
        model_map(&m, sc->va, sc->range, &bo, 0, &bo.attrs);
        check_all(&e, &m);
        walk_shifts(&e, sc->va, sc->range, got, G_N_ELEMENTS(got));
        for (k = 0; k < G_N_ELEMENTS(got) && (sc->expect[k] || got[k]); k++) {
            if (sc->expect[k] != got[k]) {
                g_error("%s: page run %u has shift %u, want %u", sc->name,
                        k, got[k], sc->expect[k]);
            }
        }
        g_assert_cmpint(nvvb_ptm_unmap(e.ptm, sc->va, sc->range, NULL), ==,
                        0);
        model_clear(&m);
        check_all(&e, &m);
        g_assert_cmpuint(nvvb_pt_pool_free_bytes(e.pool), ==, e.pool_free0);
        model_free(&m);
        env_free(&e);
    }
}

/* Extents limit page sizes: a 2M page needs 2M of contiguous backing. */
static void test_page_sizes_extents(void)
{
    NvvbPtmResult res;
    TestBo bo;
    Model m;
    Env e;

    env_init(&e);
    bo_init(&bo);
    bo_add(&bo, VID, 4 * MiB, MiB);             /* 1M: 64K pages */
    bo_add(&bo, VID, 8 * MiB, 3 * MiB);         /* at VA +1M: 64K then 2M */
    bo_add(&bo, SYS, 0x200000, 64 * 1024);      /* sysmem: 4K */
    bo_add(&bo, VID, 20 * MiB + K4, 64 * 1024); /* misaligned: 4K */
    bo.attrs.kind = 0xfe;
    bo.attrs.read_only = true;
    model_init(&m, 2 * GiB, 8 * MiB);
    g_assert_cmpint(env_map(&e, 2 * GiB, bo.size, &bo, 0, &res), ==, 0);
    g_assert_true(res.changed);
    /* The resolver is asked once per extent to check and never again. */
    g_assert_cmpuint(bo.resolves, ==, 4);
    model_map(&m, 2 * GiB, bo.size, &bo, 0, &bo.attrs);
    check_all(&e, &m);
    model_free(&m);
    env_free(&e);
}

static void test_attrs(void)
{
    NvvbPtmAttrs at = { .kind = 0x7, .read_only = true, .priv = true,
                        .atomic_disable = true };
    NvGmmuAccess acc = { NV_GMMU_ACCESS_TYPE_VIRT_READ, false, false };
    NvGmmuWalkResult r;
    NvGmmuLevel level;
    uint64_t pte;
    TestBo bo;
    Env e;

    env_init(&e);
    bo_init(&bo);
    bo_add(&bo, VID, 2 * MiB, 2 * MiB);
    bo.attrs = at;
    g_assert_cmpint(env_map(&e, 0, 2 * MiB, &bo, 0, NULL), ==, 0);
    nv_gmmu_walk(&e.mem, &e.pdb, 0x1234, &acc, &r);
    g_assert_cmpint(r.status, ==, NV_GMMU_WALK_FAULT);
    g_assert_cmpuint(r.fault_type, ==, NV_GMMU_FAULT_TYPE_PRIV_VIOLATION);
    acc.priv = true;
    acc.type = NV_GMMU_ACCESS_TYPE_VIRT_WRITE;
    nv_gmmu_walk(&e.mem, &e.pdb, 0x1234, &acc, &r);
    g_assert_cmpuint(r.fault_type, ==, NV_GMMU_FAULT_TYPE_RO_VIOLATION);
    g_assert_cmpint(nvvb_ptm_lookup(e.ptm, 0x1234, &level, &pte), ==, 0);
    g_assert_cmpint(level, ==, NV_GMMU_LEVEL_PD0);
    g_assert_cmphex(pte, ==, nv_gmmu_pte_encode(VID, 2 * MiB,
                                                NV_GMMU_PTE_READ_ONLY |
                                                NV_GMMU_PTE_PRIVILEGE |
                                                NV_GMMU_PTE_ATOMIC_DISABLE,
                                                0x7));
    g_assert_cmpint(nvvb_ptm_lookup(e.ptm, 2 * MiB, &level, &pte), ==,
                    -ENOENT);
    nvvb_ptm_free(e.ptm);
    e.ptm = NULL;
    nvvb_pt_pool_free(e.pool);
    fake_free(&e.fm);
}

static void test_bad_args(void)
{
    NvvbPtmAttrs at = attrs0();
    NvvbPtmBacking bk;
    TestBo bo, bad;
    uint64_t w;
    Env e;

    env_init(&e);
    bo_init(&bo);
    bo_add(&bo, VID, 0, 4 * MiB);
    bk = bo_backing(&bo);
    w = e.writes;
    g_assert_cmpint(nvvb_ptm_map(e.ptm, 0x800, K4, 0, &bk, &at, NULL), ==,
                    -EINVAL);
    g_assert_cmpint(nvvb_ptm_map(e.ptm, 0, 0, 0, &bk, &at, NULL), ==,
                    -EINVAL);
    g_assert_cmpint(nvvb_ptm_map(e.ptm, 0, K4 + 1, 0, &bk, &at, NULL), ==,
                    -EINVAL);
    g_assert_cmpint(nvvb_ptm_map(e.ptm, NV_GMMU_VA_LIMIT - K4, 2 * K4, 0,
                                 &bk, &at, NULL), ==, -EINVAL);
    g_assert_cmpint(nvvb_ptm_map(e.ptm, UINT64_MAX & ~0xfffull, K4, 0, &bk,
                                 &at, NULL), ==, -EINVAL);
    g_assert_cmpint(nvvb_ptm_map(e.ptm, 0, K4, 0x10, &bk, &at, NULL), ==,
                    -EINVAL);
    g_assert_cmpint(nvvb_ptm_map(e.ptm, 0, 8 * MiB, 0, &bk, &at, NULL), ==,
                    -EINVAL);                   /* beyond the BO */
    g_assert_cmpint(nvvb_ptm_map(e.ptm, 0, K4, 0, NULL, &at, NULL), ==,
                    -EINVAL);
    g_assert_cmpint(nvvb_ptm_map(e.ptm, 0, K4, 0, &bk, NULL, NULL), ==,
                    -EINVAL);
    /* Bad extents: misaligned, short, PEER, beyond the aperture. */
    bo_init(&bad);
    bo_add(&bad, VID, 0x10, 0x10000);
    bk = bo_backing(&bad);
    g_assert_cmpint(nvvb_ptm_map(e.ptm, 0, K4, 0, &bk, &at, NULL), ==,
                    -EINVAL);
    bo_init(&bad);
    bo_add(&bad, VID, 0, 0x800);
    bk = bo_backing(&bad);
    g_assert_cmpint(nvvb_ptm_map(e.ptm, 0, K4, 0, &bk, &at, NULL), ==,
                    -EINVAL);
    bo_init(&bad);
    bo_add(&bad, NV_GMMU_APER_PEER, 0, 0x10000);
    bk = bo_backing(&bad);
    g_assert_cmpint(nvvb_ptm_map(e.ptm, 0, K4, 0, &bk, &at, NULL), ==,
                    -EINVAL);
    bo_init(&bad);
    bo_add(&bad, VID, (1ull << NV_GMMU_VID_PA_BITS) - K4, 2 * K4);
    bk = bo_backing(&bad);
    g_assert_cmpint(nvvb_ptm_map(e.ptm, 0, 2 * K4, 0, &bk, &at, NULL), ==,
                    -EINVAL);
    g_assert_cmpint(nvvb_ptm_unmap(e.ptm, 0, 0, NULL), ==, -EINVAL);
    g_assert_cmpint(nvvb_ptm_sparse(e.ptm, 0, K4 - 1, true, NULL), ==,
                    -EINVAL);
    g_assert_cmpint(nvvb_ptm_sparse(e.ptm, 0, K4, false, NULL), ==,
                    -ENOENT);
    g_assert_cmpuint(e.writes, ==, w);          /* nothing written */
    g_assert_cmpuint(nvvb_pt_pool_free_bytes(e.pool), ==, e.pool_free0);
    env_free(&e);
}

/* ------------------------------------------------------------------------
 * Dual PD0: big and small pages in one 2 MiB
 * ------------------------------------------------------------------------ */

static void test_dual_pd0(void)
{
    uint64_t base = 6 * GiB, big_pt, small_pt, lo, hi, pd0;
    NvvbPtmResult res;
    TestBo vb, sb;
    Model m;
    Env e;
    unsigned k;

    env_init(&e);
    bo_init(&vb);
    bo_add(&vb, VID, 4 * MiB, 4 * MiB);
    bo_init(&sb);
    bo_add(&sb, SYS, 0x100000, 1 * MiB);
    model_init(&m, base, 4 * MiB);

    /* 64K pages at [0, 256K) and [1M, 1M+64K); 4K pages at 512K..+24K and
     * inside the 64 KiB block at 1M+128K. */
    g_assert_cmpint(env_map(&e, base, 256 * 1024, &vb, 0, NULL), ==, 0);
    model_map(&m, base, 256 * 1024, &vb, 0, &vb.attrs);
    g_assert_cmpint(env_map(&e, base + MiB, K64, &vb, MiB, NULL), ==, 0);
    model_map(&m, base + MiB, K64, &vb, MiB, &vb.attrs);
    g_assert_cmpint(env_map(&e, base + 512 * 1024, 24 * 1024, &sb, 0, NULL),
                    ==, 0);
    model_map(&m, base + 512 * 1024, 24 * 1024, &sb, 0, &sb.attrs);
    g_assert_cmpint(env_map(&e, base + MiB + 128 * 1024, K4, &sb, 0x8000,
                            &res), ==, 0);
    model_map(&m, base + MiB + 128 * 1024, K4, &sb, 0x8000, &sb.attrs);
    g_assert_cmpint(res.top_level, ==, NV_GMMU_LEVEL_PT_BIG);
    check_all(&e, &m);

    /* Raw PD0 entry: both halves; big entries: PTE / 0 / LPT-invalid. */
    pd0 = entry_addr(&e, base, NV_GMMU_LEVEL_PD0);
    lo = raw64(&e, pd0);
    hi = raw64(&e, pd0 + 8);
    g_assert_cmpint(nv_gmmu_pd0_big_aperture(lo), ==, VID);
    g_assert_cmpint(nv_gmmu_pd0_small_aperture(hi), ==, VID);
    big_pt = nv_gmmu_pd0_big_addr(lo);
    small_pt = nv_gmmu_pd0_small_addr(hi);
    g_assert_cmphex(big_pt & 0xff, ==, 0);
    for (k = 0; k < 32; k++) {
        uint64_t b = raw64(&e, big_pt + k * 8);

        if (k < 4 || k == 16) {
            g_assert_true(nv_gmmu_pte_valid(b));
        } else if (k == 8 || k == 18) {
            g_assert_cmphex(b, ==, NV_GMMU_UNMAPPED);   /* defer to small */
        } else {
            g_assert_cmphex(b, ==, NV_GMMU_LPT_INVALID);
        }
    }
    g_assert_true(nv_gmmu_pte_valid(raw64(&e, small_pt + 128 * 8)));

    /* A 64K page over 4K pages in its block replaces them. */
    g_assert_cmpint(env_map(&e, base + 512 * 1024, K64, &vb, 512 * 1024,
                            NULL), ==, 0);
    model_clear(&m);
    model_map(&m, base, 256 * 1024, &vb, 0, &vb.attrs);
    model_map(&m, base + MiB, K64, &vb, MiB, &vb.attrs);
    model_map(&m, base + MiB + 128 * 1024, K4, &sb, 0x8000, &sb.attrs);
    model_map(&m, base + 512 * 1024, K64, &vb, 512 * 1024, &vb.attrs);
    check_all(&e, &m);
    g_assert_true(nv_gmmu_pte_valid(raw64(&e, big_pt + 8 * 8)));

    /* And 4K pages inside a 64K page split it, keeping the rest. */
    g_assert_cmpint(env_map(&e, base + MiB + 8 * K4, K4, &sb, 0, NULL), ==,
                    0);
    model_clear(&m);        /* the 64K mapping is now two 4K runs */
    model_map(&m, base, 256 * 1024, &vb, 0, &vb.attrs);
    model_map(&m, base + MiB, 8 * K4, &vb, MiB, &vb.attrs);
    model_map(&m, base + MiB + 8 * K4, K4, &sb, 0, &sb.attrs);
    model_map(&m, base + MiB + 9 * K4, 7 * K4, &vb, MiB + 9 * K4,
              &vb.attrs);
    model_map(&m, base + MiB + 128 * 1024, K4, &sb, 0x8000, &sb.attrs);
    model_map(&m, base + 512 * 1024, K64, &vb, 512 * 1024, &vb.attrs);
    check_all(&e, &m);
    g_assert_cmphex(raw64(&e, big_pt + 16 * 8), ==, NV_GMMU_UNMAPPED);

    /* A 2M page over all of it; then everything goes. */
    g_assert_cmpint(env_map(&e, base, 2 * MiB, &vb, 2 * MiB, &res), ==, 0);
    model_clear(&m);
    model_map(&m, base, 2 * MiB, &vb, 2 * MiB, &vb.attrs);
    check_all(&e, &m);
    g_assert_cmpuint(res.tables_freed, ==, 2);  /* big and small PT */
    g_assert_true(nv_gmmu_pd0_is_pte(raw64(&e, pd0)));
    g_assert_cmphex(raw64(&e, pd0 + 8), ==, 0);
    g_assert_cmpint(nvvb_ptm_unmap(e.ptm, base, 4 * MiB, NULL), ==, 0);
    model_clear(&m);
    check_all(&e, &m);
    g_assert_cmpuint(nvvb_pt_pool_free_bytes(e.pool), ==, e.pool_free0);
    model_free(&m);
    env_free(&e);
}

/* Unmapping cuts through big pages: the outside part stays mapped. */
static void test_split(void)
{
    uint64_t base = 8 * GiB;
    NvvbPtmResult res;
    TestBo vb;
    Model m;
    Env e;

    env_init(&e);
    bo_init(&vb);
    bo_add(&vb, VID, 4 * MiB, 8 * MiB);
    model_init(&m, base, 8 * MiB);
    g_assert_cmpint(env_map(&e, base, 8 * MiB, &vb, 0, NULL), ==, 0);
    g_assert_cmpint(nvvb_ptm_unmap(e.ptm, base + MiB + 68 * 1024, 8 * 1024,
                                   &res), ==, 0);
    g_assert_cmpint(res.top_level, ==, NV_GMMU_LEVEL_PD0);
    g_assert_cmphex(res.va_start, <=, base + MiB + 68 * 1024);
    g_assert_cmphex(res.va_end, >=, base + MiB + 76 * 1024);
    model_map(&m, base, MiB + 68 * 1024, &vb, 0, &vb.attrs);
    model_map(&m, base + MiB + 76 * 1024, 7 * MiB - 76 * 1024, &vb,
              MiB + 76 * 1024, &vb.attrs);
    check_all(&e, &m);
    /* The same through a 2M boundary. */
    g_assert_cmpint(nvvb_ptm_unmap(e.ptm, base + 4 * MiB - K4, 2 * K4, NULL),
                    ==, 0);
    model_clear(&m);
    model_map(&m, base, MiB + 68 * 1024, &vb, 0, &vb.attrs);
    model_map(&m, base + MiB + 76 * 1024, 3 * MiB - 80 * 1024, &vb,
              MiB + 76 * 1024, &vb.attrs);
    model_map(&m, base + 4 * MiB + K4, 4 * MiB - K4, &vb, 4 * MiB + K4,
              &vb.attrs);
    check_all(&e, &m);
    g_assert_cmpint(nvvb_ptm_unmap(e.ptm, base, 8 * MiB, NULL), ==, 0);
    g_assert_cmpuint(nvvb_pt_pool_free_bytes(e.pool), ==, e.pool_free0);
    model_free(&m);
    env_free(&e);
}

/* ------------------------------------------------------------------------
 * Sparse regions
 * ------------------------------------------------------------------------ */

/* nouveau's tiling, written out: largest aligned block that fits. */
static unsigned model_tile(uint64_t va, uint64_t rem)
{
    static const unsigned sh[] = { 47, 38, 29, 21, 16, 12 };
    unsigned k;

    for (k = 0; k < G_N_ELEMENTS(sh); k++) {
        if (!(va & ((1ull << sh[k]) - 1)) && rem >= (1ull << sh[k])) {
            return sh[k];
        }
    }
    g_assert_not_reached();
}

static void test_sparse_levels(void)
{
    /* 256G + 512M + 2M + 64K + 4K from a 256G boundary, then the same
     * sizes going down from the end of a bigger region, mirrored. */
    uint64_t a = 1ull << 38;
    uint64_t b = a + (1ull << 38) + (1ull << 29) + M2 + K64 + K4;
    GArray *got = g_array_new(false, false, sizeof(NvGmmuMapping));
    uint64_t v, pd0, lo, pool_after;
    NvvbPtmResult res;
    NvGmmuWalkResult r;
    guint i;
    TestBo sb;
    Model m;
    Env e;

    env_init(&e);
    g_assert_cmpint(nvvb_ptm_sparse(e.ptm, a, b - a, true, &res), ==, 0);
    g_assert_true(res.changed);
    g_assert_cmpint(res.top_level, ==, NV_GMMU_LEVEL_PD3);  /* PD2 linked */
    g_assert_cmpuint(res.tables_allocated, ==, 5);
    g_assert_true(nvvb_ptm_in_sparse(e.ptm, a + 5, 4096));
    g_assert_false(nvvb_ptm_in_sparse(e.ptm, b - K4, 2 * K4));
    g_assert_cmpint(nvvb_ptm_sparse(e.ptm, b - K4, K4, true, NULL), ==,
                    -EEXIST);
    g_assert_cmpint(nvvb_ptm_sparse(e.ptm, a, K4, false, NULL), ==,
                    -ENOENT);

    /* The dump lists exactly nouveau's tiles (equal neighbours merged). */
    g_assert_cmpint(nv_gmmu_dump(&e.mem, &e.pdb, 0, NV_GMMU_VA_LIMIT, 0,
                                 dump_collect, got, NULL), ==,
                    NV_GMMU_DUMP_DONE);
    for (v = a, i = 0; v < b; i++) {
        unsigned s = model_tile(v, b - v);
        const NvGmmuMapping *g;

        g_assert_cmpuint(i, <, got->len);
        g = &g_array_index(got, NvGmmuMapping, i);
        g_assert_true(g->sparse);
        g_assert_cmphex(g->va, ==, v);
        g_assert_cmpuint(g->page_shift, ==, s);
        v += g->size;
        g_assert_cmphex(g->size & ((1ull << s) - 1), ==, 0);
    }
    g_assert_cmpuint(i, ==, got->len);
    g_assert_cmpuint(got->len, ==, 5);

    /* One entry per level carries the marker. */
    nv_gmmu_walk(&e.mem, &e.pdb, a, &acc_read_priv, &r);
    g_assert_cmpint(r.status, ==, NV_GMMU_WALK_SPARSE);
    g_assert_cmpint(r.tr.level, ==, NV_GMMU_LEVEL_PD2);
    g_assert_cmphex(r.tr.pte, ==, NV_GMMU_SPARSE);
    pd0 = entry_addr(&e, b - K64 - K4 - M2, NV_GMMU_LEVEL_PD0);
    lo = raw64(&e, pd0);
    g_assert_cmphex(lo, ==, NV_GMMU_PD0_VOL_BIG);
    g_assert_cmphex(raw64(&e, pd0 + 8), ==, 0);
    nv_gmmu_walk(&e.mem, &e.pdb, b - K4, &acc_read_priv, &r);
    g_assert_cmpint(r.tr.level, ==, NV_GMMU_LEVEL_PT_SMALL);
    nv_gmmu_walk(&e.mem, &e.pdb, b - K4 - K64, &acc_read_priv, &r);
    g_assert_cmpint(r.tr.level, ==, NV_GMMU_LEVEL_PT_BIG);
    nv_gmmu_walk(&e.mem, &e.pdb, b, &acc_read_priv, &r);
    g_assert_cmpint(r.status, ==, NV_GMMU_WALK_FAULT);

    /* A page mapped under the 256G marker: tables filled with sparse. */
    pool_after = nvvb_pt_pool_free_bytes(e.pool);
    bo_init(&sb);
    bo_add(&sb, SYS, 0x400000, 64 * 1024);
    model_init(&m, a + 30 * GiB - 2 * MiB, 6 * MiB);
    model_sparse(&m, m.base, 6 * MiB);
    g_assert_cmpint(env_map(&e, a + 30 * GiB + 5 * K4, 3 * K4, &sb, 0, &res),
                    ==, 0);
    g_assert_cmpuint(res.tables_allocated, ==, 3);      /* PD1, PD0, PT */
    model_map(&m, a + 30 * GiB + 5 * K4, 3 * K4, &sb, 0, &sb.attrs);
    check_all(&e, &m);
    /* ... and a 64K page of VRAM next to it, in the same 2M. */
    bo_init(&sb);
    bo_add(&sb, VID, 4 * MiB, MiB);
    g_assert_cmpint(env_map(&e, a + 30 * GiB + 4 * K64, K64, &sb, 0, NULL),
                    ==, 0);
    model_map(&m, a + 30 * GiB + 4 * K64, K64, &sb, 0, &sb.attrs);
    check_all(&e, &m);
    /* Unmapped inside the region: back to sparse, tables returned. */
    g_assert_cmpint(nvvb_ptm_unmap(e.ptm, a + 30 * GiB, MiB, &res), ==, 0);
    g_assert_cmpuint(res.tables_freed, ==, 4);
    model_sparse(&m, m.base, 6 * MiB);
    check_all(&e, &m);
    g_assert_cmpuint(nvvb_pt_pool_free_bytes(e.pool), ==, pool_after);

    /* Mapped pages survive the region; its markers go. */
    g_assert_cmpint(env_map(&e, b - K64 - K4, K4, &sb, 0, NULL), ==, 0);
    g_assert_cmpint(nvvb_ptm_sparse(e.ptm, a, b - a, false, &res), ==, 0);
    g_assert_cmpint(res.top_level, ==, NV_GMMU_LEVEL_PD2);
    model_free(&m);
    model_init(&m, b - 4 * MiB, 8 * MiB);
    model_map(&m, b - K64 - K4, K4, &sb, 0, &sb.attrs);
    check_all(&e, &m);
    g_assert_cmpint(nvvb_ptm_unmap(e.ptm, b - K64 - K4, K4, NULL), ==, 0);
    g_assert_cmpuint(nvvb_pt_pool_free_bytes(e.pool), ==, e.pool_free0);
    g_assert_false(nvvb_ptm_in_sparse(e.ptm, a, K4));
    model_free(&m);
    g_array_free(got, true);
    env_free(&e);
}

/* A PD3-level region (128 TiB) and a region built of small tiles only. */
static void test_sparse_pd3_and_small(void)
{
    NvvbPtmResult res;
    NvGmmuWalkResult r;
    TestBo vb;
    Model m;
    Env e;

    env_init(&e);
    g_assert_cmpint(nvvb_ptm_sparse(e.ptm, 1ull << 47, 1ull << 47, true,
                                    &res), ==, 0);
    g_assert_cmpint(res.top_level, ==, NV_GMMU_LEVEL_PD3);
    g_assert_cmpuint(res.tables_allocated, ==, 0);
    g_assert_cmpuint(nvvb_ptm_cache_level(&res), ==,
                     NV_GMMU_INVAL_LEVEL_UP_TO_PDE3);
    nv_gmmu_walk(&e.mem, &e.pdb, (1ull << 47) + 12345 * K4, &acc_read_priv,
                 &r);
    g_assert_cmpint(r.status, ==, NV_GMMU_WALK_SPARSE);
    g_assert_cmpint(r.tr.level, ==, NV_GMMU_LEVEL_PD3);

    /* [60K, 64K) and [64K, 128K): a 4K tile and a 64K tile side by side
     * in the small and big PT; then 4K pages inside the 64K tile and a
     * 64K page next to it. */
    model_init(&m, 0, 2 * MiB);
    g_assert_cmpint(nvvb_ptm_sparse(e.ptm, 60 * 1024, 4 * 1024, true, NULL),
                    ==, 0);
    g_assert_cmpint(nvvb_ptm_sparse(e.ptm, 64 * 1024, 64 * 1024, true,
                                    NULL), ==, 0);
    model_sparse(&m, 60 * 1024, 68 * 1024);
    check_all(&e, &m);
    bo_init(&vb);
    bo_add(&vb, VID, 16 * MiB, 2 * MiB);
    g_assert_cmpint(env_map(&e, 64 * 1024, K4, &vb, K4, NULL), ==, 0);
    g_assert_cmpint(env_map(&e, 100 * 1024, K4, &vb, 0, NULL), ==, 0);
    model_map(&m, 64 * 1024, K4, &vb, K4, &vb.attrs);
    model_map(&m, 100 * 1024, K4, &vb, 0, &vb.attrs);
    check_all(&e, &m);
    g_assert_cmpint(env_map(&e, 128 * 1024, K64, &vb, 0, NULL), ==, 0);
    model_map(&m, 128 * 1024, K64, &vb, 0, &vb.attrs);
    check_all(&e, &m);
    g_assert_cmpint(nvvb_ptm_unmap(e.ptm, 0, 2 * MiB, NULL), ==, 0);
    model_clear(&m);
    model_sparse(&m, 60 * 1024, 68 * 1024);
    check_all(&e, &m);
    g_assert_cmpint(nvvb_ptm_sparse(e.ptm, 64 * 1024, 64 * 1024, false,
                                    NULL), ==, 0);
    g_assert_cmpint(nvvb_ptm_sparse(e.ptm, 60 * 1024, 4 * 1024, false, NULL),
                    ==, 0);
    g_assert_cmpint(nvvb_ptm_sparse(e.ptm, 1ull << 47, 1ull << 47, false,
                                    NULL), ==, 0);
    model_clear(&m);
    check_all(&e, &m);
    g_assert_cmpuint(nvvb_pt_pool_free_bytes(e.pool), ==, e.pool_free0);
    model_free(&m);
    env_free(&e);
}

/* ------------------------------------------------------------------------
 * GPUVM ops: keep, remap, write counts
 * ------------------------------------------------------------------------ */

typedef struct OpsEnv {
    Env e;
    NvvbGpuVm *vm;
} OpsEnv;

static void ops_env_init(OpsEnv *o)
{
    env_init(&o->e);
    g_assert_cmpint(nvvb_gpuvm_new(&o->vm, "ptm", 0, 1ull << 47, 0, 0, 1),
                    ==, 0);
    nvvb_gpuvm_lock(o->vm);
}

static void ops_env_free(OpsEnv *o)
{
    nvvb_gpuvm_unlock(o->vm);
    nvvb_gpuvm_destroy(o->vm);
    env_free(&o->e);
}

/* sm_map through the manager, then the GPUVM. */
static int ops_map(OpsEnv *o, uint64_t va, uint64_t range, TestBo *bo,
                   uint64_t off, NvvbPtmResult *res)
{
    NvvbPtmBacking bk = bo_backing(bo);
    NvvbGpuVaOps *ops;
    int ret;

    g_assert_cmpint(nvvb_gpuvm_sm_map_ops_create(o->vm, va, range, bo->core,
                                                 off, &ops), ==, 0);
    ret = nvvb_ptm_apply_ops(o->e.ptm, ops, &bk, &bo->attrs, res);
    if (!ret) {
        g_assert_cmpint(nvvb_gpuvm_ops_apply(o->vm, ops, NULL), ==, 0);
    }
    nvvb_gpuva_ops_free(ops);
    return ret;
}

static int ops_unmap(OpsEnv *o, uint64_t va, uint64_t range,
                     NvvbPtmResult *res)
{
    NvvbGpuVaOps *ops;
    int ret;

    g_assert_cmpint(nvvb_gpuvm_sm_unmap_ops_create(o->vm, va, range, &ops),
                    ==, 0);
    ret = nvvb_ptm_apply_ops(o->e.ptm, ops, NULL, NULL, res);
    if (!ret) {
        g_assert_cmpint(nvvb_gpuvm_ops_apply(o->vm, ops, NULL), ==, 0);
    }
    nvvb_gpuva_ops_free(ops);
    return ret;
}

static void test_ops_keep(void)
{
    uint64_t base = 16 * GiB;
    NvvbPtmResult res;
    TestBo sb, vb;
    OpsEnv o;
    Model m;

    ops_env_init(&o);
    bo_init(&sb);
    bo_add(&sb, SYS, 0x100000, 4 * MiB);
    sb.core = nvvb_bo_new(1, sb.size, 7, &sb);
    bo_init(&vb);
    bo_add(&vb, VID, 4 * MiB, 16 * MiB);
    vb.core = nvvb_bo_new(2, vb.size, 7, &vb);
    model_init(&m, base, 16 * MiB);

    /* 1M of 4K sysmem pages: 256 PTEs (+ the new tables' entries). */
    g_assert_cmpint(ops_map(&o, base, MiB, &sb, 0, &res), ==, 0);
    g_assert_cmpuint(res.tables_allocated, ==, 4);   /* PD2 PD1 PD0 PT */
    model_map(&m, base, MiB, &sb, 0, &sb.attrs);
    check_all(&o.e, &m);

    /* Same BO, contiguous offset, inside: REMAP(keep) + MAP: no write. */
    g_assert_cmpint(ops_map(&o, base + 256 * 1024, 256 * 1024, &sb,
                            256 * 1024, &res), ==, 0);
    g_assert_false(res.changed);
    g_assert_cmpuint(res.written, ==, 0);
    g_assert_cmpuint(res.skipped, ==, 64);
    g_assert_cmpuint(nvvb_gpuvm_count(o.vm), ==, 3);
    check_all(&o.e, &m);

    /* The same mapping again: UNMAP(keep) + MAP: no write. */
    g_assert_cmpint(ops_map(&o, base + 256 * 1024, 256 * 1024, &sb,
                            256 * 1024, &res), ==, 0);
    g_assert_cmpuint(res.written, ==, 0);

    /* Unmap the middle: REMAP(prev, next) clears exactly 64 PTEs. */
    g_assert_cmpint(ops_unmap(&o, base + 256 * 1024, 256 * 1024, &res), ==,
                    0);
    g_assert_cmpuint(res.written, ==, 64);
    g_assert_cmpuint(res.skipped, ==, 0);
    g_assert_cmpint(res.top_level, ==, NV_GMMU_LEVEL_PT_SMALL);
    g_assert_cmphex(res.va_start, ==, base + 256 * 1024);
    g_assert_cmphex(res.va_end, ==, base + 512 * 1024);
    model_clear(&m);
    model_map(&m, base, 256 * 1024, &sb, 0, &sb.attrs);
    model_map(&m, base + 512 * 1024, 512 * 1024, &sb, 512 * 1024,
              &sb.attrs);
    check_all(&o.e, &m);

    /* Different BO over part of prev and the hole: REMAP + MAP. */
    g_assert_cmpint(ops_map(&o, base + 128 * 1024, 256 * 1024, &vb, 0, &res),
                    ==, 0);
    model_map(&m, base + 128 * 1024, 256 * 1024, &vb, 0, &vb.attrs);
    check_all(&o.e, &m);

    /* VRAM 2M pages: unmapping one of them writes one PD0 entry. */
    g_assert_cmpint(ops_map(&o, base + 4 * MiB, 8 * MiB, &vb, 4 * MiB, &res),
                    ==, 0);
    model_map(&m, base + 4 * MiB, 8 * MiB, &vb, 4 * MiB, &vb.attrs);
    check_all(&o.e, &m);
    g_assert_cmpint(ops_unmap(&o, base + 6 * MiB, 2 * MiB, &res), ==, 0);
    g_assert_cmpuint(res.written, ==, 1);
    g_assert_cmpint(res.top_level, ==, NV_GMMU_LEVEL_PD0);
    g_assert_cmpuint(nvvb_ptm_cache_level(&res), ==,
                     NV_GMMU_INVAL_LEVEL_UP_TO_PDE0);
    g_assert_cmpint(ops_map(&o, base + 6 * MiB, 2 * MiB, &vb, 6 * MiB, &res),
                    ==, 0);
    g_assert_cmpuint(res.written, ==, 1);
    check_all(&o.e, &m);
    /* Growing a kept mapping may change page sizes: 64K -> 2M. */
    g_assert_cmpint(ops_unmap(&o, base + 4 * MiB, 8 * MiB, &res), ==, 0);
    g_assert_cmpint(ops_map(&o, base + 4 * MiB, MiB, &vb, 4 * MiB, &res), ==,
                    0);
    g_assert_cmpint(ops_map(&o, base + 4 * MiB, 2 * MiB, &vb, 4 * MiB, &res),
                    ==, 0);
    g_assert_cmpuint(res.tables_freed, ==, 1);  /* the big PT */
    model_clear(&m);
    model_map(&m, base, 128 * 1024, &sb, 0, &sb.attrs);
    model_map(&m, base + 128 * 1024, 256 * 1024, &vb, 0, &vb.attrs);
    model_map(&m, base + 512 * 1024, 512 * 1024, &sb, 512 * 1024,
              &sb.attrs);
    model_map(&m, base + 4 * MiB, 2 * MiB, &vb, 4 * MiB, &vb.attrs);
    check_all(&o.e, &m);

    /* A keep REMAP over 2M pages where the MAP itself gets 64K pages. */
    g_assert_cmpint(ops_map(&o, base + 4 * MiB + MiB, 2 * MiB, &vb,
                            5 * MiB, &res), ==, 0);
    model_clear(&m);
    model_map(&m, base, 128 * 1024, &sb, 0, &sb.attrs);
    model_map(&m, base + 128 * 1024, 256 * 1024, &vb, 0, &vb.attrs);
    model_map(&m, base + 512 * 1024, 512 * 1024, &sb, 512 * 1024,
              &sb.attrs);
    model_map(&m, base + 4 * MiB, MiB, &vb, 4 * MiB, &vb.attrs);
    model_map(&m, base + 5 * MiB, 2 * MiB, &vb, 5 * MiB, &vb.attrs);
    check_all(&o.e, &m);

    g_assert_cmpint(ops_unmap(&o, 0, 1ull << 47, &res), ==, 0);
    g_assert_cmpuint(nvvb_gpuvm_count(o.vm), ==, 0);
    g_assert_cmpuint(nvvb_pt_pool_free_bytes(o.e.pool), ==, o.e.pool_free0);
    model_free(&m);
    ops_env_free(&o);
    nvvb_bo_unref(sb.core);
    nvvb_bo_unref(vb.core);
}

static void test_ops_errors(void)
{
    NvvbPtmBacking bk;
    NvvbGpuVaOps *ops;
    NvvbGpuVaOp *op;
    TestBo sb;
    OpsEnv o;
    uint64_t w;

    ops_env_init(&o);
    bo_init(&sb);
    bo_add(&sb, SYS, 0x100000, 4 * MiB);
    sb.core = nvvb_bo_new(1, sb.size, 7, &sb);
    bk = bo_backing(&sb);
    g_assert_cmpint(ops_map(&o, GiB, MiB, &sb, 0, NULL), ==, 0);
    w = o.e.writes;

    /* A keep REMAP without its MAP. */
    g_assert_cmpint(nvvb_gpuvm_sm_map_ops_create(o.vm, GiB + 64 * 1024,
                                                 64 * 1024, sb.core,
                                                 64 * 1024, &ops), ==, 0);
    g_assert_cmpuint(ops->n_ops, ==, 2);
    g_assert_true(ops->ops[0].remap.unmap.keep);
    ops->n_ops = 1;
    g_assert_cmpint(nvvb_ptm_apply_ops(o.e.ptm, ops, &bk, NULL, NULL), ==,
                    -EINVAL);
    ops->n_ops = 2;
    /* No backing for the MAP. */
    g_assert_cmpint(nvvb_ptm_apply_ops(o.e.ptm, ops, NULL, NULL, NULL), ==,
                    -EINVAL);
    /* A REMAP whose pieces do not fit the mapping. */
    op = &ops->ops[0];
    op->remap.prev.range += K4 * 1000;
    g_assert_cmpint(nvvb_ptm_apply_ops(o.e.ptm, ops, &bk, NULL, NULL), ==,
                    -EINVAL);
    op->remap.prev.range -= K4 * 1000;
    /* IN_REGION but no region in the manager. */
    op->remap.unmap.va->flags |= NVVB_GPUVA_IN_REGION;
    g_assert_cmpint(nvvb_ptm_apply_ops(o.e.ptm, ops, &bk, NULL, NULL), ==,
                    -EINVAL);
    op->remap.unmap.va->flags &= ~NVVB_GPUVA_IN_REGION;
    /* Unknown op type. */
    op->type = 77;
    g_assert_cmpint(nvvb_ptm_apply_ops(o.e.ptm, ops, &bk, NULL, NULL), ==,
                    -EINVAL);
    op->type = NVVB_GPUVA_OP_REMAP;
    g_assert_cmpuint(o.e.writes, ==, w);
    g_assert_cmpint(nvvb_ptm_apply_ops(o.e.ptm, ops, &bk, NULL, NULL), ==, 0);
    nvvb_gpuva_ops_free(ops);
    nvvb_gpuvm_clear(o.vm);
    g_assert_cmpint(nvvb_ptm_unmap(o.e.ptm, 0, 1ull << 47, NULL), ==, 0);
    ops_env_free(&o);
    nvvb_bo_unref(sb.core);
}

/* BO_MOVE: rewrite the PTEs in place with the new backing. */
static void test_revalidate(void)
{
    uint64_t base = 32 * GiB;
    NvvbPtmBacking bk;
    NvvbPtmResult res;
    NvvbGpuVa *vas[3];
    NvvbBo *core;
    TestBo bo;
    OpsEnv o;
    Model m;

    ops_env_init(&o);
    bo_init(&bo);
    bo_add(&bo, VID, 4 * MiB, 8 * MiB);
    bo.attrs.kind = 0x33;
    bo.attrs.atomic_disable = true;
    bo.core = nvvb_bo_new(1, bo.size, 7, &bo);
    core = bo.core;
    g_assert_cmpint(ops_map(&o, base, 6 * MiB, &bo, 0, NULL), ==, 0);
    g_assert_cmpint(ops_map(&o, base + 8 * MiB, MiB, &bo, 7 * MiB, NULL), ==,
                    0);
    g_assert_cmpint(ops_map(&o, base + 16 * MiB + K4, 64 * K4, &bo, 0, NULL),
                    ==, 0);
    vas[0] = nvvb_gpuva_find(o.vm, base, 6 * MiB);
    vas[1] = nvvb_gpuva_find(o.vm, base + 8 * MiB, MiB);
    vas[2] = nvvb_gpuva_find(o.vm, base + 16 * MiB + K4, 64 * K4);
    model_init(&m, base, 20 * MiB);

    /* Unchanged backing: nothing written. */
    bk = bo_backing(&bo);
    g_assert_cmpint(nvvb_ptm_revalidate(o.e.ptm, vas, 3, &bk, &res), ==, 0);
    g_assert_false(res.changed);

    /* Moved to sysmem (4K pages), then to misaligned VRAM, then back. */
    bo_init(&bo);
    bo_add(&bo, SYS, 8 * MiB, 8 * MiB);
    bo.attrs.kind = 0x33;
    bo.attrs.atomic_disable = true;
    bk = bo_backing(&bo);
    g_assert_cmpint(nvvb_ptm_revalidate(o.e.ptm, vas, 3, &bk, &res), ==, 0);
    model_map(&m, base, 6 * MiB, &bo, 0, &bo.attrs);
    model_map(&m, base + 8 * MiB, MiB, &bo, 7 * MiB, &bo.attrs);
    model_map(&m, base + 16 * MiB + K4, 64 * K4, &bo, 0, &bo.attrs);
    check_all(&o.e, &m);

    bo_init(&bo);
    bo_add(&bo, VID, 20 * MiB + K64, 8 * MiB);
    bo.attrs.kind = 0x33;
    bo.attrs.atomic_disable = true;
    bk = bo_backing(&bo);
    g_assert_cmpint(nvvb_ptm_revalidate(o.e.ptm, vas, 3, &bk, &res), ==, 0);
    model_clear(&m);
    model_map(&m, base, 6 * MiB, &bo, 0, &bo.attrs);
    model_map(&m, base + 8 * MiB, MiB, &bo, 7 * MiB, &bo.attrs);
    model_map(&m, base + 16 * MiB + K4, 64 * K4, &bo, 0, &bo.attrs);
    check_all(&o.e, &m);

    bo_init(&bo);
    bo_add(&bo, VID, 4 * MiB, 8 * MiB);
    bo.attrs.kind = 0x33;
    bo.attrs.atomic_disable = true;
    bk = bo_backing(&bo);
    g_assert_cmpint(nvvb_ptm_revalidate(o.e.ptm, vas, 3, &bk, &res), ==, 0);
    model_clear(&m);
    model_map(&m, base, 6 * MiB, &bo, 0, &bo.attrs);
    model_map(&m, base + 8 * MiB, MiB, &bo, 7 * MiB, &bo.attrs);
    model_map(&m, base + 16 * MiB + K4, 64 * K4, &bo, 0, &bo.attrs);
    check_all(&o.e, &m);

    /* A mapping whose PTEs are gone cannot be revalidated. */
    g_assert_cmpint(nvvb_ptm_unmap(o.e.ptm, base + 8 * MiB, MiB, NULL), ==,
                    0);
    g_assert_cmpint(nvvb_ptm_revalidate(o.e.ptm, vas, 3, &bk, &res), ==,
                    -ENOENT);
    nvvb_gpuvm_clear(o.vm);
    g_assert_cmpint(nvvb_ptm_unmap(o.e.ptm, 0, 1ull << 47, NULL), ==, 0);
    model_free(&m);
    ops_env_free(&o);
    nvvb_bo_unref(core);
}

/* The allocation bound: never below what a map allocates, and not wild. */
static void test_bound(void)
{
    static const struct { NvGmmuAperture aper; uint64_t pa, va, len; } c[] = {
        { SYS, 0, GiB, 64 * MiB },              /* 3 PD + 32 small PTs */
        { VID, K64, GiB, 32 * MiB },            /* 3 PD + 16 big PTs */
        { VID, 0, GiB, 32 * MiB },              /* 3 PD, 2M PTEs */
        { VID, K4, GiB - K4, 8 * MiB },         /* crosses a PD1 entry */
    };
    unsigned k;

    for (k = 0; k < G_N_ELEMENTS(c); k++) {
        NvvbPtmBacking bk;
        NvvbPtmResult res;
        uint64_t bound;
        TestBo bo;
        Env e;

        env_init(&e);
        bo_init(&bo);
        bo_add(&bo, c[k].aper, c[k].pa, c[k].len);
        bk = bo_backing(&bo);
        bound = nvvb_ptm_map_bound(c[k].va, c[k].len, 0, &bk);
        g_assert_cmpint(env_map(&e, c[k].va, c[k].len, &bo, 0, &res), ==, 0);
        g_assert_cmpuint(res.tables_allocated, <=, bound);
        g_assert_cmpuint(bound, <=, 2 * res.tables_allocated + 8);
        g_assert_false(res.journaled);
        g_assert_cmpuint(nvvb_ptm_map_bound(c[k].va, c[k].len, K4 * 3 + 1,
                                            &bk), ==, 0);   /* invalid */
        env_free(&e);
    }
}

/* ------------------------------------------------------------------------
 * Pool exhaustion: all or nothing
 * ------------------------------------------------------------------------ */

typedef struct PoolSnap {
    uint8_t *bytes;
    uint64_t free;
    NvvbPtmStats st;
} PoolSnap;

static void snap_take(Env *e, PoolSnap *s)
{
    s->bytes = g_memdup2(e->fm.vram + nvvb_pt_pool_base(e->pool),
                         nvvb_pt_pool_size(e->pool));
    s->free = nvvb_pt_pool_free_bytes(e->pool);
    nvvb_ptm_get_stats(e->ptm, &s->st);
}

static void snap_check(Env *e, PoolSnap *s)
{
    NvvbPtmStats st;

    g_assert_cmpmem(e->fm.vram + nvvb_pt_pool_base(e->pool),
                    nvvb_pt_pool_size(e->pool), s->bytes,
                    nvvb_pt_pool_size(e->pool));
    g_assert_cmpuint(nvvb_pt_pool_free_bytes(e->pool), ==, s->free);
    nvvb_ptm_get_stats(e->ptm, &st);
    g_assert_cmpuint(st.tables_live, ==, s->st.tables_live);
    g_assert_cmpuint(st.table_bytes, ==, s->st.table_bytes);
    g_free(s->bytes);
}

static void test_enospc(void)
{
    NvvbPtmResult res;
    NvvbPtmStats st;
    TestBo sb, vb;
    PoolSnap s;
    Model m;
    Env e;

    /* PD3 + 5 granules. */
    env_init_pool(&e, 6 * 4096);
    bo_init(&sb);
    bo_add(&sb, SYS, 0, 16 * MiB);
    bo_init(&vb);
    bo_add(&vb, VID, 4 * MiB, 16 * MiB);
    model_init(&m, 0, 8 * MiB);

    /* PD2 + PD1 + PD0 + small PT: fits, one granule left. */
    g_assert_cmpint(env_map(&e, 0, 64 * K4, &sb, 0, NULL), ==, 0);
    model_map(&m, 0, 64 * K4, &sb, 0, &sb.attrs);
    /* A second 2M chunk of 4K pages fits, a third does not. */
    snap_take(&e, &s);
    g_assert_cmpint(env_map(&e, 0, 6 * MiB, &sb, 0, &res), ==, -ENOSPC);
    g_assert_true(res.journaled);
    g_assert_false(res.changed);
    snap_check(&e, &s);
    check_all(&e, &m);
    /* A failed map over existing pages leaves them as they were. */
    snap_take(&e, &s);
    g_assert_cmpint(env_map(&e, 0, 6 * MiB, &vb, K4, &res), ==, -ENOSPC);
    snap_check(&e, &s);
    check_all(&e, &m);
    /* Splitting a 2M page needs a table: an unmap can fail too. */
    g_assert_cmpint(env_map(&e, 4 * MiB, 2 * MiB, &vb, 0, NULL), ==, 0);
    model_map(&m, 4 * MiB, 2 * MiB, &vb, 0, &vb.attrs);
    g_assert_cmpint(env_map(&e, 2 * MiB, K4, &sb, 0, NULL), ==, 0);
    model_map(&m, 2 * MiB, K4, &sb, 0, &sb.attrs);
    g_assert_cmpuint(nvvb_pt_pool_free_granules(e.pool), ==, 0);
    snap_take(&e, &s);
    g_assert_cmpint(nvvb_ptm_unmap(e.ptm, 4 * MiB + K4, K4, &res), ==,
                    -ENOSPC);
    snap_check(&e, &s);
    check_all(&e, &m);
    /* ... and a sparse region that needs a PT. */
    snap_take(&e, &s);
    g_assert_cmpint(nvvb_ptm_sparse(e.ptm, 6 * MiB + K4, K4, true, &res), ==,
                    -ENOSPC);
    snap_check(&e, &s);
    g_assert_false(nvvb_ptm_in_sparse(e.ptm, 6 * MiB + K4, K4));
    /* An unmap that needs nothing works, and frees. */
    g_assert_cmpint(nvvb_ptm_unmap(e.ptm, 2 * MiB, K4, &res), ==, 0);
    g_assert_cmpuint(res.tables_freed, ==, 1);
    model_clear(&m);
    model_map(&m, 0, 64 * K4, &sb, 0, &sb.attrs);
    model_map(&m, 4 * MiB, 2 * MiB, &vb, 0, &vb.attrs);
    check_all(&e, &m);
    /* Now the split fits (64K pages: one big PT). */
    g_assert_cmpint(nvvb_ptm_unmap(e.ptm, 4 * MiB, K64, &res), ==, 0);
    model_clear(&m);
    model_map(&m, 0, 64 * K4, &sb, 0, &sb.attrs);
    model_map(&m, 4 * MiB + K64, 2 * MiB - K64, &vb, K64, &vb.attrs);
    check_all(&e, &m);
    nvvb_ptm_get_stats(e.ptm, &st);
    g_assert_cmpuint(st.enospc, ==, 4);
    g_assert_cmpuint(st.rollbacks, ==, 4);
    g_assert_cmpint(nvvb_ptm_unmap(e.ptm, 0, 1ull << 47, NULL), ==, 0);
    g_assert_cmpuint(nvvb_pt_pool_free_bytes(e.pool), ==, e.pool_free0);
    model_free(&m);
    env_free(&e);
}

/* A huge request against a small pool fails, bounded, and changes nothing. */
static void test_enospc_huge(void)
{
    PoolSnap s;
    TestBo sb;
    Env e;

    env_init_pool(&e, 64 * 4096);
    bo_init(&sb);
    bo_add(&sb, SYS, 0, 1ull << 40);        /* 1 TiB of "sysmem" */
    snap_take(&e, &s);
    g_assert_cmpint(env_map(&e, 0, 1ull << 40, &sb, 0, NULL), ==, -ENOSPC);
    snap_check(&e, &s);
    env_free(&e);
}

/* ------------------------------------------------------------------------
 * Migration: save, load over a copy of VRAM
 * ------------------------------------------------------------------------ */

/* A second device: VRAM and sysmem copied, a fresh pool at the same place. */
static int clone_load(Env *src, Env *dst, const GByteArray *blob)
{
    int ret;

    memset(dst, 0, sizeof(*dst));
    fake_init(&dst->fm, src->fm.vram_size, src->fm.sys_size);
    memcpy(dst->fm.vram, src->fm.vram, src->fm.vram_size);
    memcpy(dst->fm.sys, src->fm.sys, src->fm.sys_size);
    dst->mem = src->mem;
    dst->mem.opaque = dst;
    dst->pool = nvvb_pt_pool_new(nvvb_pt_pool_base(src->pool),
                                 nvvb_pt_pool_size(src->pool));
    ret = nvvb_ptm_load(&dst->ptm, dst->pool, &dst->mem, blob->data,
                        blob->len);
    if (!ret) {
        nv_gmmu_pdb_init(&dst->pdb, VID, nvvb_ptm_pdb(dst->ptm));
    }
    dst->pool_free0 = src->pool_free0;
    return ret;
}

static void clone_free(Env *e)
{
    if (e->ptm) {
        env_free(e);
    } else {
        g_assert_cmpuint(nvvb_pt_pool_free_bytes(e->pool), ==,
                         nvvb_pt_pool_size(e->pool));
        nvvb_pt_pool_free(e->pool);
        fake_free(&e->fm);
    }
}

static void assert_pools_equal(Env *a, Env *b)
{
    g_assert_cmpmem(a->fm.vram + nvvb_pt_pool_base(a->pool),
                    nvvb_pt_pool_size(a->pool),
                    b->fm.vram + nvvb_pt_pool_base(b->pool),
                    nvvb_pt_pool_size(b->pool));
    g_assert_cmpuint(nvvb_pt_pool_free_bytes(a->pool), ==,
                     nvvb_pt_pool_free_bytes(b->pool));
}

/* Save, load into a copy: identical pool bytes, no write, same blob. */
static void roundtrip(Env *e, Model *m)
{
    GByteArray *blob = nvvb_ptm_save(e->ptm), *again;
    NvvbPtmStats st;
    Env c;

    g_assert_cmpint(clone_load(e, &c, blob), ==, 0);
    assert_pools_equal(e, &c);
    nvvb_ptm_get_stats(c.ptm, &st);
    g_assert_cmpuint(st.entries_written, ==, 0);    /* nothing to repair */
    again = nvvb_ptm_save(c.ptm);
    g_assert_cmpmem(blob->data, blob->len, again->data, again->len);
    if (m) {
        check_all(&c, m);
    }
    g_byte_array_unref(again);
    g_byte_array_unref(blob);
    clone_free(&c);
}

static void test_save_load(void)
{
    uint64_t base = 3 * GiB;
    GByteArray *blob;
    TestBo vb, sb;
    uint8_t *bad;
    Model m;
    Env e, c;
    unsigned k;

    env_init(&e);
    bo_init(&vb);
    bo_add(&vb, VID, 4 * MiB, 8 * MiB);
    bo_init(&sb);
    bo_add(&sb, SYS, 0, 8 * MiB);
    model_init(&m, base, 16 * MiB);
    g_assert_cmpint(nvvb_ptm_sparse(e.ptm, base + 8 * MiB + K4,
                                    4 * MiB + K64, true, NULL), ==, 0);
    model_sparse(&m, base + 8 * MiB + K4, 4 * MiB + K64);
    g_assert_cmpint(env_map(&e, base, 8 * MiB, &vb, 0, NULL), ==, 0);
    g_assert_cmpint(nvvb_ptm_unmap(e.ptm, base + MiB + K4, K4, NULL), ==, 0);
    g_assert_cmpint(env_map(&e, base + 9 * MiB, 3 * K4, &sb, 0, NULL), ==, 0);
    model_map(&m, base, MiB + K4, &vb, 0, &vb.attrs);
    model_map(&m, base + MiB + 2 * K4, 7 * MiB - 2 * K4, &vb,
              MiB + 2 * K4, &vb.attrs);
    model_map(&m, base + 9 * MiB, 3 * K4, &sb, 0, &sb.attrs);
    check_all(&e, &m);
    roundtrip(&e, &m);

    /* Damaged pointers in VRAM are rewritten from the saved structure. */
    blob = nvvb_ptm_save(e.ptm);
    {
        uint64_t pd0 = entry_addr(&e, base + MiB, NV_GMMU_LEVEL_PD0);
        NvvbPtmStats st;
        uint8_t *save = g_memdup2(e.fm.vram + POOL_BASE, POOL_SIZE);

        memset(e.fm.vram + nvvb_ptm_pdb(e.ptm), 0, 32);     /* the PD3 */
        memset(e.fm.vram + pd0 + 8, 0xff, 8);   /* small-PT pointer */
        g_assert_cmpint(clone_load(&e, &c, blob), ==, 0);
        memcpy(e.fm.vram + POOL_BASE, save, POOL_SIZE);
        g_free(save);
        check_all(&c, &m);
        nvvb_ptm_get_stats(c.ptm, &st);
        g_assert_cmpuint(st.entries_written, ==, 2);
        assert_pools_equal(&e, &c);
    }
    /* The copy goes on working like the original. */
    g_assert_cmpint(nvvb_ptm_unmap(c.ptm, 0, 1ull << 47, NULL), ==, 0);
    g_assert_cmpint(nvvb_ptm_sparse(c.ptm, base + 8 * MiB + K4,
                                    4 * MiB + K64, false, NULL), ==, 0);
    g_assert_cmpuint(nvvb_pt_pool_free_bytes(c.pool), ==, e.pool_free0);
    clone_free(&c);

    /* Malformed blobs: nothing claimed, -EINVAL. */
    bad = g_memdup2(blob->data, blob->len);
    for (k = 0; k < 9; k++) {
        size_t len = blob->len;

        memcpy(bad, blob->data, blob->len);
        switch (k) {
        case 0:
            bad[0] ^= 1;                        /* magic */
            break;
        case 1:
            bad[4] = 2;                         /* version */
            break;
        case 2:
            len--;                              /* truncated */
            break;
        case 3:
            bad[SAVE_HDR + SAVE_REG] = 9;       /* level */
            break;
        case 4:                                 /* a table outside */
            memset(bad + SAVE_HDR + SAVE_REG + 9, 0xff, 8);
            break;
        case 5:                                 /* two tables at one addr */
            memcpy(bad + SAVE_HDR + SAVE_REG + SAVE_TAB + 9,
                   bad + SAVE_HDR + SAVE_REG + 9, 8);
            break;
        case 6:                                 /* child before parent */
            memcpy(bad + SAVE_HDR + SAVE_REG,
                   blob->data + SAVE_HDR + SAVE_REG + SAVE_TAB, SAVE_TAB);
            memcpy(bad + SAVE_HDR + SAVE_REG + SAVE_TAB,
                   blob->data + SAVE_HDR + SAVE_REG, SAVE_TAB);
            break;
        case 7:                                 /* region moved: no tables */
            bad[SAVE_HDR + 5] ^= 0x10;
            break;
        case 8:                                 /* PDB outside the pool */
            memset(bad + 8, 0, 8);
            break;
        }
        memset(&c, 0, sizeof(c));
        g_assert_cmpint(clone_load(&e, &c, &(GByteArray){ bad, len }), ==,
                        -EINVAL);
        g_assert_null(c.ptm);
        clone_free(&c);
    }
    g_free(bad);
    g_byte_array_unref(blob);
    model_free(&m);
    nvvb_ptm_free(e.ptm);
    e.ptm = NULL;
    nvvb_pt_pool_free(e.pool);
    fake_free(&e.fm);
}

/* ------------------------------------------------------------------------
 * Seeded random sequences through the real GPUVM
 * ------------------------------------------------------------------------ */

#define RND_NBO     8

typedef struct Rnd {
    OpsEnv o;
    NvvbUvmm *u;                /* regions path (uvmm) or NULL (raw GPUVM) */
    GRand *rand;
    TestBo bo[RND_NBO];
    uint64_t win, win_size;
    Model m;
    NvGmmuTlb *tlb;
    GArray *regions;            /* NvvbSparseRegion mirror */
    unsigned nmap, nunmap, nsparse, nunsparse, nmove, nfail, nenospc;
} Rnd;

/* Random physical placement for BO @k: a mix of page-size outcomes. */
static void rnd_place(Rnd *r, unsigned k)
{
    TestBo *bo = &r->bo[k];
    NvvbPtmAttrs at;
    uint64_t size = 8 * MiB, left;
    NvvbBo *core = bo->core;
    unsigned kind = g_rand_int_range(r->rand, 0, 4);

    at.kind = (uint8_t)g_rand_int_range(r->rand, 0, 256);
    at.read_only = g_rand_boolean(r->rand);
    at.priv = g_rand_int_range(r->rand, 0, 4) == 0;
    at.atomic_disable = g_rand_boolean(r->rand);
    bo_init(bo);
    bo->core = core;
    bo->attrs = at;
    switch (kind) {
    case 0:     /* VRAM, 2M-aligned */
        bo_add(bo, VID, 2 * MiB * g_rand_int_range(r->rand, 1, 20), size);
        break;
    case 1:     /* VRAM, 64K-aligned */
        bo_add(bo, VID, K64 * g_rand_int_range(r->rand, 1, 600) + MiB,
               size);
        break;
    case 2:     /* sysmem scatter list */
    case 3:     /* VRAM in pieces */
        for (left = size; left;) {
            uint64_t len = bo->next == BO_MAX_EXT - 1 ? left :
                MIN(left, K4 * g_rand_int_range(r->rand, 1, 600));
            uint64_t addr = K4 * g_rand_int_range(r->rand, 0, 12000);

            if (kind == 3) {
                addr = (addr & ~(K64 - 1)) + (g_rand_boolean(r->rand) ? 0 :
                                                K4);
            }
            bo_add(bo, kind == 2 ? (g_rand_boolean(r->rand) ? SYS : NCOH)
                                 : VID, addr, len);
            left -= len;
        }
        break;
    }
    g_assert_cmpuint(bo->size, ==, size);
}

/* A random 4K-aligned VA in the window, often more aligned. */
static uint64_t rnd_va(Rnd *r)
{
    uint64_t v = r->win + K4 * g_rand_int_range(r->rand, 0,
                                                 (gint32)(r->win_size / K4));

    switch (g_rand_int_range(r->rand, 0, 4)) {
    case 0:
        v &= ~(M2 - 1);
        break;
    case 1:
        v &= ~(K64 - 1);
        break;
    }
    return v;
}

static uint64_t rnd_len(Rnd *r, uint64_t max)
{
    static const uint64_t sizes[] = { K4, 3 * K4, K64, K64 + K4, 5 * K64,
                                      M2, M2 + K64, 3 * M2 };
    uint64_t len = g_rand_boolean(r->rand)
        ? sizes[g_rand_int_range(r->rand, 0, G_N_ELEMENTS(sizes))]
        : K4 * g_rand_int_range(r->rand, 1, 1024);

    return MIN(len, max);
}

/* The model from the GPUVM's mappings and the regions. */
static void rnd_model(Rnd *r)
{
    NvvbGpuVa *va;
    guint k;

    model_clear(&r->m);
    for (k = 0; k < r->regions->len; k++) {
        NvvbSparseRegion *reg = &g_array_index(r->regions, NvvbSparseRegion,
                                               k);

        model_sparse(&r->m, reg->addr, reg->range);
    }
    NVVB_GPUVM_FOREACH_VA(va, r->o.vm) {
        TestBo *bo = va->bo->opaque;

        model_map(&r->m, va->addr, va->range, bo, va->bo_offset, &bo->attrs);
    }
}

/* Every page: the TLB (invalidated only as results said) == a fresh walk. */
static void rnd_check_tlb(Rnd *r)
{
    uint64_t k;

    for (k = 0; k < r->m.npages; k++) {
        uint64_t va = r->m.base + k * K4;
        NvGmmuWalkResult a, b;

        nv_gmmu_tlb_translate(r->tlb, &r->o.e.mem, &r->o.e.pdb, va,
                              &acc_read_priv, &a);
        nv_gmmu_walk(&r->o.e.mem, &r->o.e.pdb, va, &acc_read_priv, &b);
        if (a.status != b.status || a.pa != b.pa ||
            a.tr.flags != b.tr.flags || a.tr.kind != b.tr.kind) {
            g_error("TLB stale at va %#" PRIx64 ": %d/%#" PRIx64 " vs walk "
                    "%d/%#" PRIx64, va, a.status, a.pa, b.status, b.pa);
        }
    }
}

static void rnd_result(Rnd *r, const NvvbPtmResult *res)
{
    NvGmmuTlbInvalidate inv = { 0 };

    if (!res->changed) {
        g_assert_cmpuint(res->written, ==, 0);
        return;
    }
    g_assert_cmpint(res->top_level, <=, NV_GMMU_LEVEL_PT_SMALL);
    g_assert_cmphex(res->va_start, <, res->va_end);
    inv.pdb_addr = r->o.e.pdb.addr;
    inv.va = res->va_start;
    inv.size = res->va_end - res->va_start;
    inv.cache_level = nvvb_ptm_cache_level(res);
    nv_gmmu_tlb_invalidate(r->tlb, &inv);
}

/* Touch a few pages so the TLB holds entries the next op may stale. */
static void rnd_warm(Rnd *r)
{
    unsigned k;

    for (k = 0; k < 16; k++) {
        NvGmmuWalkResult w;

        nv_gmmu_tlb_translate(r->tlb, &r->o.e.mem, &r->o.e.pdb, rnd_va(r),
                              &acc_read_priv, &w);
    }
}

static void rnd_apply(Rnd *r, NvvbGpuVaOps *ops, TestBo *bo, bool applied,
                      bool must)
{
    NvvbPtmBacking bk = { NULL, NULL };
    const NvvbGpuVaOp *op;
    NvvbPtmResult res;
    uint64_t bound;
    PoolSnap s;
    int ret;

    if (bo) {
        bk = bo_backing(bo);
    }
    /* The manager's allocation bound, computed from the public pieces. */
    bound = 0;
    NVVB_GPUVA_OPS_FOREACH(op, ops) {
        if (op->type == NVVB_GPUVA_OP_MAP) {
            bound += nvvb_ptm_map_bound(op->map.addr, op->map.range,
                                        op->map.bo_offset, &bk);
        } else if (!(op->type == NVVB_GPUVA_OP_UNMAP ? op->unmap.keep
                                                       : op->remap.unmap.keep)) {
            bound += 4;
        }
    }
    snap_take(&r->o.e, &s);
    ret = nvvb_ptm_apply_ops(r->o.e.ptm, ops, bo ? &bk : NULL,
                             bo ? &bo->attrs : NULL, &res);
    if (ret) {
        g_assert_cmpint(ret, ==, -ENOSPC);
        g_assert_false(must);
        g_assert_false(res.changed);
        snap_check(&r->o.e, &s);
        r->nenospc++;
        return;
    }
    g_free(s.bytes);
    g_assert_cmpuint(res.tables_allocated, <=, bound);
    if (!applied) {
        g_assert_cmpint(nvvb_gpuvm_ops_apply(r->o.vm, ops, NULL), ==, 0);
    }
    rnd_result(r, &res);
}

static void rnd_step(Rnd *r)
{
    unsigned what = g_rand_int_range(r->rand, 0, 100);
    TestBo *bo = &r->bo[g_rand_int_range(r->rand, 0, RND_NBO)];
    uint64_t va = rnd_va(r);
    uint64_t len = rnd_len(r, r->win + r->win_size - va);
    NvvbGpuVaOps *ops = NULL;
    NvvbPtmResult res;
    NvvbBindOp op;
    int ret;

    memset(&op, 0, sizeof(op));
    if (!r->u && what >= 75 && what < 93) {
        what -= 40;         /* no regions without the uvmm: map / unmap */
    }
    if (what < 45 || (what < 55 && !nvvb_gpuvm_count(r->o.vm))) {
        /* MAP: a fresh mapping, or one continuing an existing one (keep). */
        uint64_t off = K4 * g_rand_int_range(r->rand, 0,
                                             (gint32)((bo->size - len) / K4) +
                                             1);
        NvvbGpuVa *near = nvvb_gpuva_find_first(r->o.vm, va, len);

        if (near && g_rand_boolean(r->rand) && near->addr >= va &&
            near->bo_offset >= near->addr - va &&
            near->bo_offset - (near->addr - va) + len <= near->bo->size) {
            bo = near->bo->opaque;
            off = near->bo_offset - (near->addr - va);
        }
        if (len > bo->size - off) {
            return;
        }
        r->nmap++;
        if (r->u) {
            op.op = NVVB_BIND_OP_MAP;
            op.flags = bo->attrs.kind;
            op.bo = bo->core;
            op.addr = va;
            op.range = len;
            op.bo_offset = off;
            if (nvvb_uvmm_bind(r->u, &op, &ops)) {
                r->nfail++;
                return;
            }
            rnd_apply(r, ops, bo, true, true);
        } else {
            g_assert_cmpint(nvvb_gpuvm_sm_map_ops_create(r->o.vm, va, len,
                                                         bo->core, off, &ops),
                            ==, 0);
            rnd_apply(r, ops, bo, false, false);
        }
    } else if (what < 75) {
        /* UNMAP a random range or exactly one mapping. */
        NvvbGpuVa *m = nvvb_gpuva_find_first(r->o.vm, va, len);

        if (m && g_rand_boolean(r->rand)) {
            va = m->addr;
            len = m->range;
        }
        r->nunmap++;
        if (r->u) {
            op.op = NVVB_BIND_OP_UNMAP;
            op.addr = va;
            op.range = len;
            g_assert_cmpint(nvvb_uvmm_bind(r->u, &op, &ops), ==, 0);
            rnd_apply(r, ops, NULL, true, true);
        } else {
            g_assert_cmpint(nvvb_gpuvm_sm_unmap_ops_create(r->o.vm, va, len,
                                                           &ops), ==, 0);
            rnd_apply(r, ops, NULL, false, false);
        }
    } else if (what < 85 && r->u) {
        /* Sparse region create. */
        op.op = NVVB_BIND_OP_MAP;
        op.flags = NVVB_BIND_SPARSE;
        op.addr = va;
        op.range = len;
        if (nvvb_uvmm_bind(r->u, &op, &ops)) {
            r->nfail++;
            return;
        }
        g_assert_cmpint(nvvb_ptm_sparse(r->o.e.ptm, va, len, true, &res), ==,
                        0);
        rnd_result(r, &res);
        {
            NvvbSparseRegion reg = { va, len };

            g_array_append_val(r->regions, reg);
        }
        r->nsparse++;
    } else if (what < 93 && r->u && r->regions->len) {
        /* Sparse region destroy: unmap inside, then drop the markers. */
        guint k = g_rand_int_range(r->rand, 0, r->regions->len);
        NvvbSparseRegion reg = g_array_index(r->regions, NvvbSparseRegion,
                                             k);

        op.op = NVVB_BIND_OP_UNMAP;
        op.flags = NVVB_BIND_SPARSE;
        op.addr = reg.addr;
        op.range = reg.range;
        g_assert_cmpint(nvvb_uvmm_bind(r->u, &op, &ops), ==, 0);
        rnd_apply(r, ops, NULL, true, true);
        g_assert_cmpint(nvvb_ptm_sparse(r->o.e.ptm, reg.addr, reg.range,
                                        false, &res), ==, 0);
        rnd_result(r, &res);
        g_array_remove_index(r->regions, k);
        r->nunsparse++;
    } else {
        /* BO_MOVE: new placement, rewrite every mapping of the BO. */
        unsigned k = (unsigned)(bo - r->bo);
        NvvbGpuVmBo *vm_bo = nvvb_gpuvm_bo_find(r->o.vm, bo->core);
        GPtrArray *vas = g_ptr_array_new();
        NvvbPtmBacking bk;
        NvvbGpuVa *va2;
        PoolSnap s;
        GList *l;

        if (vm_bo) {
            NVVB_GPUVM_BO_FOREACH_VA(va2, l, vm_bo) {
                g_ptr_array_add(vas, va2);
            }
            nvvb_gpuvm_bo_put(vm_bo);
        }
        {
            TestBo old = *bo;

            rnd_place(r, k);
            bo->attrs = old.attrs;      /* attributes stay with mappings */
            bk = bo_backing(bo);
            snap_take(&r->o.e, &s);
            ret = nvvb_ptm_revalidate(r->o.e.ptm,
                                      (NvvbGpuVa *const *)vas->pdata,
                                      vas->len, &bk, &res);
            if (ret) {
                g_assert_cmpint(ret, ==, -ENOSPC);
                g_assert_false(r->u);
                snap_check(&r->o.e, &s);
                *bo = old;          /* the move did not happen */
                r->nenospc++;
            } else {
                g_free(s.bytes);
                rnd_result(r, &res);
            }
        }
        g_ptr_array_free(vas, true);
        r->nmove++;
    }
    nvvb_gpuva_ops_free(ops);
}

static void rnd_run(uint32_t seed, bool regions, uint64_t pool_size,
                    NvvbPtmJournalMode jm, unsigned steps, unsigned batch)
{
    NvvbPtmStats st;
    Rnd r;
    unsigned k;

    memset(&r, 0, sizeof(r));
    env_init_pool(&r.o.e, pool_size);
    nvvb_ptm_set_journal(r.o.e.ptm, jm);
    r.rand = g_rand_new_with_seed(seed);
    r.win = GiB - 16 * MiB;             /* crosses a PD1 entry boundary */
    r.win_size = 32 * MiB;
    model_init(&r.m, r.win, r.win_size);
    r.tlb = nv_gmmu_tlb_new(0, 0);
    r.regions = g_array_new(false, false, sizeof(NvvbSparseRegion));
    if (regions) {
        g_assert_cmpint(nvvb_uvmm_new(&r.u, 0, 0, 1, K4), ==, 0);
        r.o.vm = r.u->vm;
    } else {
        g_assert_cmpint(nvvb_gpuvm_new(&r.o.vm, "rnd", 0, 1ull << 47, 0, 0,
                                       1), ==, 0);
    }
    nvvb_gpuvm_lock(r.o.vm);
    for (k = 0; k < RND_NBO; k++) {
        r.bo[k].core = nvvb_bo_new(k + 1, 8 * MiB, 1, &r.bo[k]);
        rnd_place(&r, k);
    }
    for (k = 1; k <= steps; k++) {
        rnd_step(&r);
        rnd_warm(&r);
        if (k % batch == 0 || k == steps) {
            rnd_model(&r);
            check_all(&r.o.e, &r.m);
            rnd_check_tlb(&r);
            if (k % (batch * 10) == 0) {
                roundtrip(&r.o.e, &r.m);
            }
        }
    }
    nvvb_ptm_get_stats(r.o.e.ptm, &st);
    g_test_message("seed %u: %u map %u unmap %u sparse %u unsparse %u move, "
                   "%u refused, %u ENOSPC; %" PRIu64 " written %" PRIu64
                   " skipped, %" PRIu64 " tables now, %" PRIu64
                   " journaled", seed, r.nmap, r.nunmap, r.nsparse,
                   r.nunsparse, r.nmove, r.nfail, r.nenospc,
                   st.entries_written, st.entries_skipped, st.tables_live,
                   st.journaled);
    if (pool_size < POOL_SIZE) {
        g_assert_cmpuint(r.nenospc, >, 0);      /* the point of the test */
    }

    /* Tear down through the same paths: regions, then everything. */
    while (r.regions->len) {
        NvvbSparseRegion reg = g_array_index(r.regions, NvvbSparseRegion, 0);
        NvvbGpuVaOps *ops;
        NvvbBindOp op = { NVVB_BIND_OP_UNMAP, NVVB_BIND_SPARSE, NULL,
                          reg.addr, reg.range, 0 };

        g_assert_cmpint(nvvb_uvmm_bind(r.u, &op, &ops), ==, 0);
        g_assert_cmpint(nvvb_ptm_apply_ops(r.o.e.ptm, ops, NULL, NULL, NULL),
                        ==, 0);
        nvvb_gpuva_ops_free(ops);
        g_assert_cmpint(nvvb_ptm_sparse(r.o.e.ptm, reg.addr, reg.range,
                                        false, NULL), ==, 0);
        g_array_remove_index(r.regions, 0);
    }
    {
        NvvbGpuVaOps *ops;

        g_assert_cmpint(nvvb_gpuvm_sm_unmap_ops_create(r.o.vm, 0, 1ull << 47,
                                                       &ops), ==, 0);
        g_assert_cmpint(nvvb_ptm_apply_ops(r.o.e.ptm, ops, NULL, NULL, NULL),
                        ==, 0);
        g_assert_cmpint(nvvb_gpuvm_ops_apply(r.o.vm, ops, NULL), ==, 0);
        nvvb_gpuva_ops_free(ops);
    }
    g_assert_cmpuint(nvvb_pt_pool_free_bytes(r.o.e.pool), ==,
                     r.o.e.pool_free0);
    nvvb_ptm_get_stats(r.o.e.ptm, &st);
    g_assert_cmpuint(st.tables_live, ==, 1);

    nvvb_gpuvm_unlock(r.o.vm);
    if (r.u) {
        nvvb_uvmm_free(r.u);
    } else {
        nvvb_gpuvm_destroy(r.o.vm);
    }
    for (k = 0; k < RND_NBO; k++) {
        nvvb_bo_unref(r.bo[k].core);
    }
    g_array_free(r.regions, true);
    nv_gmmu_tlb_free(r.tlb);
    g_rand_free(r.rand);
    model_free(&r.m);
    env_free(&r.o.e);
}

static void test_random_regions(void)
{
    rnd_run(1, true, POOL_SIZE, NVVB_PTM_JOURNAL_AUTO, 2500, 50);
    rnd_run(2, true, POOL_SIZE, NVVB_PTM_JOURNAL_AUTO, 2500, 50);
}

static void test_random_journal(void)
{
    rnd_run(3, true, POOL_SIZE, NVVB_PTM_JOURNAL_ALWAYS, 1500, 50);
}

static void test_random_tight(void)
{
    rnd_run(4, false, 20 * 4096, NVVB_PTM_JOURNAL_AUTO, 2000, 40);
    rnd_run(5, false, 14 * 4096, NVVB_PTM_JOURNAL_AUTO, 2000, 40);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/ptm/pool/basic", test_pool_basic);
    g_test_add_func("/ptm/new-free", test_new_free);
    g_test_add_func("/ptm/page-sizes", test_page_sizes);
    g_test_add_func("/ptm/page-sizes/extents", test_page_sizes_extents);
    g_test_add_func("/ptm/attrs", test_attrs);
    g_test_add_func("/ptm/bad-args", test_bad_args);
    g_test_add_func("/ptm/dual-pd0", test_dual_pd0);
    g_test_add_func("/ptm/split", test_split);
    g_test_add_func("/ptm/sparse/levels", test_sparse_levels);
    g_test_add_func("/ptm/sparse/pd3-and-small", test_sparse_pd3_and_small);
    g_test_add_func("/ptm/ops/keep-remap", test_ops_keep);
    g_test_add_func("/ptm/ops/errors", test_ops_errors);
    g_test_add_func("/ptm/revalidate", test_revalidate);
    g_test_add_func("/ptm/enospc", test_enospc);
    g_test_add_func("/ptm/enospc/bound", test_bound);
    g_test_add_func("/ptm/enospc/huge", test_enospc_huge);
    g_test_add_func("/ptm/save-load", test_save_load);
    g_test_add_func("/ptm/random/regions", test_random_regions);
    g_test_add_func("/ptm/random/journal", test_random_journal);
    g_test_add_func("/ptm/random/tight-pool", test_random_tight);
    return g_test_run();
}
