/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Copy engine: data moved through tables built by the page-table manager,
 * checked byte for byte against a model of the whole VRAM and system
 * memory (every byte not written must be untouched): copies across 2M /
 * 64K / 4K pages and VRAM / sysmem, FILL and SEMAPHORE, faults in the
 * middle, sparse pages, read-only and privileged pages, unreachable
 * memory, overlap (memmove), argument limits, with and without a TLB.
 */
#include <errno.h>
#include <inttypes.h>
#include <string.h>

#include <glib.h>

#include "copy-engine.h"
#include "gmmu-fake.h"
#include "gmmu-tlb.h"
#include "pt-pool.h"
#include "ptm.h"

#define VID     NV_GMMU_APER_VID
#define SYS     NV_GMMU_APER_SYS_COH
#define NCOH    NV_GMMU_APER_SYS_NCOH

#define K4      0x1000ull
#define K64     0x10000ull
#define MiB     0x100000ull

#define VRAM_SIZE   (64 * MiB)
#define SYS_SIZE    (32 * MiB)
#define POOL_SIZE   (4 * MiB)

/* VAs of the test layout. */
#define SRC     0x10000000ull               /* 7.5 MiB run of 5 mappings */
#define DST     (0x20000000ull + K64)       /* 8 MiB run of 2 mappings */
#define RO_VA   0x30000000ull
#define PRIV_VA (RO_VA + MiB)
#define BAD_VA  (RO_VA + 2 * MiB)
#define EDGE_VA (RO_VA + 3 * MiB)
#define SPARSE_VA 0x40000000ull
#define HOLE_VA (SPARSE_VA + 4 * MiB)

typedef struct Map {
    uint64_t va, len;
    NvGmmuAperture aper;
    uint64_t pa;
    bool ro, priv;
} Map;

static const Map maps[] = {
    { SRC, 4 * MiB, VID, 4 * MiB },                         /* 2M pages */
    { SRC + 4 * MiB, MiB, VID, 8 * MiB + K64 },             /* 64K */
    { SRC + 5 * MiB, MiB / 2, VID, 12 * MiB + K4 },         /* 4K */
    { SRC + 5 * MiB + MiB / 2, MiB, SYS, 1 * MiB },         /* 4K sys */
    { SRC + 6 * MiB + MiB / 2, MiB, NCOH, 3 * MiB },        /* 4K ncoh */
    { DST, 6 * MiB, VID, 16 * MiB + K64 },                  /* 64K, 2M */
    { DST + 6 * MiB, 2 * MiB, SYS, 8 * MiB },
    { RO_VA, MiB, VID, 24 * MiB, true, false },
    { PRIV_VA, MiB, VID, 26 * MiB, false, true },
    { BAD_VA, K64, VID, 128 * MiB },                        /* no memory */
    /* 4K sys, contiguous, running off the end of memory after 16 KiB */
    { EDGE_VA, K64, SYS, SYS_SIZE - 4 * K4 },
};

typedef struct Env {
    FakeMem fm;
    NvvbPtPool *pool;
    NvvbPtm *ptm;
    NvGmmuPdb pdb;
    NvvbCe *ce;
    NvvbCeCtx ctx;
    NvvbCeHost host;
    uint8_t *exp_vram, *exp_sys;    /* the model */
} Env;

static bool one_extent(void *opaque, uint64_t off, NvvbPtmExtent *e)
{
    const Map *m = opaque;

    if (off >= m->len) {
        return false;
    }
    e->aperture = m->aper;
    e->addr = m->pa + off;
    e->len = m->len - off;
    return true;
}

static void env_init(Env *e, bool tlb, bool host)
{
    uint64_t x = 0x9e3779b97f4a7c15ull;
    unsigned k;

    memset(e, 0, sizeof(*e));
    fake_init(&e->fm, VRAM_SIZE, SYS_SIZE);
    /* Distinct bytes everywhere (xorshift64). */
    for (k = 0; k < VRAM_SIZE / 8 + SYS_SIZE / 8; k++) {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        memcpy(k < VRAM_SIZE / 8 ? e->fm.vram + 8 * k
                                 : e->fm.sys + 8 * (k - VRAM_SIZE / 8),
               &x, 8);
    }
    e->pool = nvvb_pt_pool_new(VRAM_SIZE - POOL_SIZE, POOL_SIZE);
    g_assert_cmpint(nvvb_ptm_new(&e->ptm, e->pool, &e->fm.mem), ==, 0);
    for (k = 0; k < G_N_ELEMENTS(maps); k++) {
        NvvbPtmBacking bk = { one_extent, (void *)&maps[k] };
        NvvbPtmAttrs at = { 0x11, maps[k].ro, maps[k].priv, false };

        g_assert_cmpint(nvvb_ptm_map(e->ptm, maps[k].va, maps[k].len, 0, &bk,
                                     &at, NULL), ==, 0);
    }
    g_assert_cmpint(nvvb_ptm_sparse(e->ptm, SPARSE_VA, 4 * MiB, true, NULL),
                    ==, 0);
    nv_gmmu_pdb_init(&e->pdb, VID, nvvb_ptm_pdb(e->ptm));
    e->ce = nvvb_ce_new();
    e->ctx.mem = &e->fm.mem;
    e->ctx.pdb = &e->pdb;
    e->ctx.tlb = tlb ? nv_gmmu_tlb_new(0, 0) : NULL;
    e->ctx.priv = false;
    e->host = (NvvbCeHost){ fake_host_ptr, fake_host_written, &e->fm };
    e->ctx.host = host ? &e->host : NULL;
    e->exp_vram = g_memdup2(e->fm.vram, VRAM_SIZE);
    e->exp_sys = g_memdup2(e->fm.sys, SYS_SIZE);
}

static void env_free(Env *e)
{
    nv_gmmu_tlb_free(e->ctx.tlb);
    nvvb_ce_free(e->ce);
    nvvb_ptm_free(e->ptm);
    nvvb_pt_pool_free(e->pool);
    g_free(e->exp_vram);
    g_free(e->exp_sys);
    fake_free(&e->fm);
}

/* The model's byte at @va: NULL if sparse, aborts if unmapped. */
static uint8_t *model_byte(Env *e, uint64_t va)
{
    unsigned k;

    for (k = 0; k < G_N_ELEMENTS(maps); k++) {
        const Map *m = &maps[k];

        if (va - m->va < m->len) {
            return m->aper == VID ? e->exp_vram + m->pa + (va - m->va)
                                  : e->exp_sys + m->pa + (va - m->va);
        }
    }
    if (va - SPARSE_VA < 4 * MiB) {
        return NULL;
    }
    g_error("model: va %#" PRIx64 " unmapped", va);
}

/* memmove in the model: read everything, then write. */
static void model_copy(Env *e, uint64_t src, uint64_t dst, uint64_t len)
{
    uint8_t *tmp = g_malloc(len);
    uint64_t i;

    for (i = 0; i < len; i++) {
        uint8_t *p = model_byte(e, src + i);

        tmp[i] = p ? *p : 0;
    }
    for (i = 0; i < len; i++) {
        uint8_t *p = model_byte(e, dst + i);

        if (p) {
            *p = tmp[i];
        }
    }
    g_free(tmp);
}

static void model_fill(Env *e, uint64_t dst, uint64_t len, uint32_t pat)
{
    uint64_t i;

    for (i = 0; i < len; i++) {
        uint8_t *p = model_byte(e, dst + i);

        if (p) {
            *p = (uint8_t)(pat >> (8 * (i % 4)));
        }
    }
}

/* All of VRAM outside the pool and all of sysmem equal the model. */
static void check_mem(Env *e)
{
    g_assert_cmpmem(e->fm.vram, VRAM_SIZE - POOL_SIZE, e->exp_vram,
                    VRAM_SIZE - POOL_SIZE);
    g_assert_cmpmem(e->fm.sys, SYS_SIZE, e->exp_sys, SYS_SIZE);
}

/*
 * Walking and with a TLB; through the accessor (bounce buffer) and with
 * direct host access, which must not change a single result.
 */
static void run_env(void (*fn)(Env *e))
{
    unsigned mode;
    Env e;

    for (mode = 0; mode < 4; mode++) {
        bool host = mode & 2;

        env_init(&e, mode & 1, host);
        fn(&e);
        if (!host) {
            g_assert_cmpuint(e.fm.host_ptrs, ==, 0);
        }
        env_free(&e);
    }
}

/* ------------------------------------------------------------------------ */

static void do_copy_mixed(Env *e)
{
    /* Odd offsets and lengths across all page kinds on both sides. */
    static const struct { uint64_t src, dst, len; } c[] = {
        { SRC + 123, DST + 4567, 7 * MiB + 12345 },
        { SRC + 4 * MiB - 5, DST + 2 * MiB - K64 + 3, 300000 },
        { DST + 7 * MiB, SRC + MiB, MiB },                  /* sys -> VRAM */
        { SRC + 5 * MiB + 100, SRC + 6 * MiB + MiB / 2 + 7, 400000 },
        { SRC, DST, 1 },
    };
    NvvbCeStats st0, st;
    NvvbCeResult res;
    unsigned k;

    for (k = 0; k < G_N_ELEMENTS(c); k++) {
        g_assert_cmpint(nvvb_ce_copy(e->ce, &e->ctx, c[k].src, c[k].dst,
                                     c[k].len, &res), ==, 0);
        g_assert_cmpuint(res.done, ==, c[k].len);
        g_assert_false(res.fault);
        model_copy(e, c[k].src, c[k].dst, c[k].len);
        check_mem(e);
    }

    /*
     * 4 KiB VRAM pages to 4 KiB ncoh pages, both physically contiguous:
     * every page is translated once; through the accessor the data moves
     * page by page, with direct access in one piece.
     */
    nvvb_ce_get_stats(e->ce, &st0);
    g_assert_cmpint(nvvb_ce_copy(e->ce, &e->ctx, SRC + 5 * MiB,
                                 SRC + 6 * MiB + MiB / 2, MiB / 2, &res),
                    ==, 0);
    model_copy(e, SRC + 5 * MiB, SRC + 6 * MiB + MiB / 2, MiB / 2);
    check_mem(e);
    nvvb_ce_get_stats(e->ce, &st);
    g_assert_cmpuint(st.translations - st0.translations, ==, 2 * 128);
    g_assert_cmpuint(st.chunks - st0.chunks, ==,
                     e->ctx.host ? 1 : MiB / 2 / K4);
    if (e->ctx.host) {
        g_assert_cmpuint(e->fm.host_ptrs, >, 0);
        g_assert_cmpuint(e->fm.host_written, >, 0);
    }
}

static void do_fill_sem(Env *e)
{
    NvvbCeResult res;
    NvvbCeStats st;

    g_assert_cmpint(nvvb_ce_fill(e->ce, &e->ctx, SRC + 3, 7 * MiB + 5,
                                 0xa1b2c3d4, &res), ==, 0);
    g_assert_cmpuint(res.done, ==, 7 * MiB + 5);
    model_fill(e, SRC + 3, 7 * MiB + 5, 0xa1b2c3d4);
    check_mem(e);
    g_assert_cmpint(nvvb_ce_fill(e->ce, &e->ctx, DST + 2, 3, 0x11223344,
                                 &res), ==, 0);
    model_fill(e, DST + 2, 3, 0x11223344);
    check_mem(e);
    /* Semaphores: 2M page, sysmem page, and the end of a page. */
    g_assert_cmpint(nvvb_ce_semaphore(e->ce, &e->ctx, SRC + 8,
                                      0x0123456789abcdefull, &res), ==, 0);
    g_assert_cmpuint(res.done, ==, 8);
    g_assert_cmphex(fake_r64(&e->fm, VID, 4 * MiB + 8), ==,
                    0x0123456789abcdefull);
    g_assert_cmpint(nvvb_ce_semaphore(e->ce, &e->ctx, DST + 7 * MiB - 8, 42,
                                      &res), ==, 0);
    g_assert_cmphex(fake_r64(&e->fm, SYS, 9 * MiB - 8), ==, 42);
    {
        uint64_t v = 0x0123456789abcdefull, w = 42;
        unsigned i;

        for (i = 0; i < 8; i++) {
            *model_byte(e, SRC + 8 + i) = (uint8_t)(v >> (8 * i));
            *model_byte(e, DST + 7 * MiB - 8 + i) = (uint8_t)(w >> (8 * i));
        }
    }
    check_mem(e);
    g_assert_cmpint(nvvb_ce_semaphore(e->ce, &e->ctx, SRC + 4, 1, &res), ==,
                    -EINVAL);
    /* Sparse: dropped without a fault. */
    g_assert_cmpint(nvvb_ce_semaphore(e->ce, &e->ctx, SPARSE_VA + 64, 7,
                                      &res), ==, 0);
    check_mem(e);
    /* Unmapped: a write fault at that VA. */
    g_assert_cmpint(nvvb_ce_semaphore(e->ce, &e->ctx, HOLE_VA + 64, 7, &res),
                    ==, -EFAULT);
    g_assert_true(res.fault);
    g_assert_cmphex(res.fault_va, ==, HOLE_VA + 64);
    g_assert_cmpuint(res.access_type, ==, NV_GMMU_ACCESS_TYPE_VIRT_WRITE);
    g_assert_cmpuint(res.done, ==, 0);
    nvvb_ce_get_stats(e->ce, &st);
    g_assert_cmpuint(st.faults, ==, 1);
    g_assert_cmpuint(st.commands, ==, 6);
}

static void do_faults(Env *e)
{
    NvvbCeResult res;

    /* The source runs off its mapping into a hole: done stops there. */
    g_assert_cmpint(nvvb_ce_copy(e->ce, &e->ctx, DST + 8 * MiB - 1000,
                                 SRC + 100, 5000, &res), ==, -EFAULT);
    g_assert_true(res.fault);
    g_assert_false(res.mem_error);
    g_assert_cmpuint(res.done, ==, 1000);
    g_assert_cmphex(res.fault_va, ==, DST + 8 * MiB);
    g_assert_cmpuint(res.fault_type, ==, NV_GMMU_FAULT_TYPE_PTE);
    g_assert_cmpuint(res.fault_level, ==, NV_GMMU_LEVEL_PT_SMALL);
    g_assert_cmpuint(res.access_type, ==, NV_GMMU_ACCESS_TYPE_VIRT_READ);
    model_copy(e, DST + 8 * MiB - 1000, SRC + 100, 1000);
    check_mem(e);

    /* Nothing mapped below the read-only pages: a PDE fault. */
    g_assert_cmpint(nvvb_ce_copy(e->ce, &e->ctx, SRC, RO_VA - 3 * K4 - 10,
                                 8 * K4, &res), ==, -EFAULT);
    g_assert_cmpuint(res.fault_type, ==, NV_GMMU_FAULT_TYPE_PDE);
    g_assert_cmphex(res.fault_va, ==, RO_VA - 3 * K4 - 10);
    g_assert_cmpuint(res.access_type, ==, NV_GMMU_ACCESS_TYPE_VIRT_WRITE);
    g_assert_cmpuint(res.done, ==, 0);
    /* Read-only: the write faults. */
    g_assert_cmpint(nvvb_ce_copy(e->ce, &e->ctx, SRC + 1, RO_VA + 5, 100,
                                 &res), ==, -EFAULT);
    g_assert_cmpuint(res.fault_type, ==, NV_GMMU_FAULT_TYPE_RO_VIOLATION);
    g_assert_cmpuint(res.access_type, ==, NV_GMMU_ACCESS_TYPE_VIRT_WRITE);
    /* Reading it is fine. */
    g_assert_cmpint(nvvb_ce_copy(e->ce, &e->ctx, RO_VA + 5, SRC + 1, 100,
                                 &res), ==, 0);
    model_copy(e, RO_VA + 5, SRC + 1, 100);
    check_mem(e);

    /* Privileged pages: unprivileged reads fault, privileged ones work. */
    g_assert_cmpint(nvvb_ce_copy(e->ce, &e->ctx, PRIV_VA, SRC, 64, &res), ==,
                    -EFAULT);
    g_assert_cmpuint(res.fault_type, ==, NV_GMMU_FAULT_TYPE_PRIV_VIOLATION);
    e->ctx.priv = true;
    g_assert_cmpint(nvvb_ce_copy(e->ce, &e->ctx, PRIV_VA, SRC, 64, &res), ==,
                    0);
    e->ctx.priv = false;
    model_copy(e, PRIV_VA, SRC, 64);
    check_mem(e);

    /* A page that translates to memory the accessor does not have. */
    g_assert_cmpint(nvvb_ce_copy(e->ce, &e->ctx, BAD_VA, SRC, 64, &res), ==,
                    -EFAULT);
    g_assert_false(res.fault);
    g_assert_true(res.mem_error);
    g_assert_cmpint(res.mem_aperture, ==, VID);
    g_assert_cmphex(res.mem_addr, ==, 128 * MiB);
    g_assert_cmpint(nvvb_ce_fill(e->ce, &e->ctx, BAD_VA + 8, 16, 0, &res),
                    ==, -EFAULT);
    g_assert_true(res.mem_error);
    check_mem(e);

    /*
     * Contiguous pages whose backing ends after four of them: the pages
     * before are done, page by page as through the accessor (also with
     * direct access, which has no pointer for the whole stretch).
     */
    g_assert_cmpint(nvvb_ce_copy(e->ce, &e->ctx, SRC + 100, EDGE_VA + 10,
                                 K64 - 10, &res), ==, -EFAULT);
    g_assert_false(res.fault);
    g_assert_true(res.mem_error);
    g_assert_cmpint(res.mem_aperture, ==, SYS);
    g_assert_cmphex(res.mem_addr, ==, SYS_SIZE);
    g_assert_cmpuint(res.done, ==, 4 * K4 - 10);
    model_copy(e, SRC + 100, EDGE_VA + 10, 4 * K4 - 10);
    check_mem(e);
    g_assert_cmpint(nvvb_ce_fill(e->ce, &e->ctx, EDGE_VA + 3, K64 - 3,
                                 0x5a5b5c5d, &res), ==, -EFAULT);
    g_assert_cmpuint(res.done, ==, 4 * K4 - 3);
    model_fill(e, EDGE_VA + 3, 4 * K4 - 3, 0x5a5b5c5d);
    check_mem(e);

    /* Beyond the 49-bit VA space. */
    g_assert_cmpint(nvvb_ce_fill(e->ce, &e->ctx, NV_GMMU_VA_LIMIT, 16, 0,
                                 &res), ==, -EFAULT);
    g_assert_cmpuint(res.fault_type, ==,
                     NV_GMMU_FAULT_TYPE_VA_LIMIT_VIOLATION);
}

static void do_sparse(Env *e)
{
    NvvbCeResult res;

    /* Leave data in the bounce buffer first. */
    g_assert_cmpint(nvvb_ce_copy(e->ce, &e->ctx, SRC, DST, K64, &res), ==, 0);
    model_copy(e, SRC, DST, K64);
    /* Sparse reads are zeroes, across the end of the region too. */
    g_assert_cmpint(nvvb_ce_copy(e->ce, &e->ctx, SPARSE_VA + 4 * MiB - 3000,
                                 DST + 100, 3000, &res), ==, 0);
    model_copy(e, SPARSE_VA + 4 * MiB - 3000, DST + 100, 3000);
    check_mem(e);
    g_assert_cmphex(*model_byte(e, DST + 100), ==, 0);
    /* Writes vanish. */
    g_assert_cmpint(nvvb_ce_copy(e->ce, &e->ctx, SRC, SPARSE_VA + 5,
                                 2 * MiB, &res), ==, 0);
    g_assert_cmpint(nvvb_ce_fill(e->ce, &e->ctx, SPARSE_VA, 4 * MiB, 0xff,
                                 &res), ==, 0);
    g_assert_cmpuint(res.done, ==, 4 * MiB);
    check_mem(e);
    /* Running off the region faults at its end. */
    g_assert_cmpint(nvvb_ce_fill(e->ce, &e->ctx, SPARSE_VA + 4 * MiB - 8, 16,
                                 0, &res), ==, -EFAULT);
    g_assert_cmpuint(res.done, ==, 8);
    g_assert_cmphex(res.fault_va, ==, HOLE_VA);
}

static void do_overlap(Env *e)
{
    static const struct { uint64_t src, dst, len; } c[] = {
        { SRC + 1000, SRC + 1000 + 70000, 3 * MiB },       /* forward dst */
        { SRC + 3 * MiB, SRC + 3 * MiB - 4097, 2 * MiB },   /* dst below */
        { SRC + 4 * MiB - 100, SRC + 4 * MiB + 3, 800000 }, /* 2M -> 64K */
        { DST + 6 * MiB - 5000, DST + 6 * MiB - 4999, 1 * MiB },
        { SRC + 5, SRC + 5, 100000 },                       /* same */
    };
    NvvbCeResult res;
    unsigned k;

    for (k = 0; k < G_N_ELEMENTS(c); k++) {
        g_assert_cmpint(nvvb_ce_copy(e->ce, &e->ctx, c[k].src, c[k].dst,
                                     c[k].len, &res), ==, 0);
        model_copy(e, c[k].src, c[k].dst, c[k].len);
        check_mem(e);
    }
    /* Backwards, a fault is met at the end first: the tail is done. */
    g_assert_cmpint(nvvb_ce_copy(e->ce, &e->ctx, DST + 8 * MiB - 10000,
                                 DST + 8 * MiB - 5000, 10000, &res), ==,
                    -EFAULT);
    g_assert_cmpuint(res.done, ==, 0);
    g_assert_cmphex(res.fault_va, ==, DST + 8 * MiB + 4999);
    g_assert_cmpint(nvvb_ce_copy(e->ce, &e->ctx, SRC + 7 * MiB,
                                 SRC + 7 * MiB + 100, MiB / 2, &res), ==,
                    -EFAULT);
    g_assert_cmpuint(res.done, ==, 0);
    g_assert_cmphex(res.fault_va, ==, SRC + 7 * MiB + MiB / 2 + 99);
    g_assert_cmpuint(res.access_type, ==, NV_GMMU_ACCESS_TYPE_VIRT_WRITE);
    check_mem(e);
    /* Backwards into a fault after some chunks: the tail is done. */
    g_assert_cmpint(nvvb_ce_copy(e->ce, &e->ctx, SRC + 7 * MiB + K64,
                                 SRC + 7 * MiB + K64 + 10, 2 * MiB, &res), ==,
                    -EFAULT);
    g_assert_cmpint(nvvb_ce_copy(e->ce, &e->ctx, SRC - 5000, SRC - 4000,
                                 K64, &res), ==, -EFAULT);
    g_assert_cmpuint(res.done, ==, K64 - 5000);
    g_assert_cmphex(res.fault_va, ==, SRC - 1);
    g_assert_cmpuint(res.access_type, ==, NV_GMMU_ACCESS_TYPE_VIRT_READ);
    model_copy(e, SRC, SRC + 1000, K64 - 5000);
    check_mem(e);
}

static void do_limits(Env *e)
{
    NvvbCeResult res;

    g_assert_cmpint(nvvb_ce_copy(e->ce, &e->ctx, SRC, DST, 0, &res), ==,
                    -EINVAL);
    g_assert_cmpint(nvvb_ce_copy(e->ce, &e->ctx, SRC, DST,
                                 NVVB_CE_LENGTH_MAX + 1, &res), ==, -EINVAL);
    g_assert_cmpint(nvvb_ce_copy(e->ce, &e->ctx, UINT64_MAX - 10, DST, 100,
                                 &res), ==, -EINVAL);
    g_assert_cmpint(nvvb_ce_fill(e->ce, &e->ctx, UINT64_MAX - 10, 100, 0,
                                 &res), ==, -EINVAL);
    g_assert_cmpint(nvvb_ce_fill(e->ce, &e->ctx, SRC, 0, 0, &res), ==,
                    -EINVAL);
    /* The longest command works (sparse destination: nothing to check). */
    g_assert_cmpint(nvvb_ce_fill(e->ce, &e->ctx, 1ull << 47,
                                 NVVB_CE_LENGTH_MAX, 0, &res), ==, -EFAULT);
    g_assert_cmpint(nvvb_ptm_sparse(e->ptm, 1ull << 47, 1ull << 47, true,
                                    NULL), ==, 0);
    if (e->ctx.tlb) {
        nv_gmmu_tlb_flush_all(e->ctx.tlb);
    }
    g_assert_cmpint(nvvb_ce_copy(e->ce, &e->ctx, 1ull << 47,
                                 (1ull << 47) + 1, NVVB_CE_LENGTH_MAX, &res),
                    ==, 0);
    g_assert_cmpuint(res.done, ==, NVVB_CE_LENGTH_MAX);
    check_mem(e);
}

/* Two VAs on one physical page: the copy runs in chunk order. */
static void do_alias(Env *e)
{
    Map alias = { 0x50000000ull, K64, VID, 4 * MiB };  /* = SRC's pages */
    NvvbPtmBacking bk = { one_extent, &alias };
    NvvbPtmAttrs at = { 0x11, false, false, false };
    NvvbCeResult res;

    g_assert_cmpint(nvvb_ptm_map(e->ptm, alias.va, alias.len, 0, &bk, &at,
                                 NULL), ==, 0);
    /* Non-overlapping VAs, same bytes: a no-op copy, chunk by chunk. */
    g_assert_cmpint(nvvb_ce_copy(e->ce, &e->ctx, alias.va, SRC, K64, &res),
                    ==, 0);
    check_mem(e);
    /* Shifted by 16 bytes: each 64 KiB chunk is read whole, then written,
     * so the result is the shifted copy of what the chunk held. */
    g_assert_cmpint(nvvb_ce_copy(e->ce, &e->ctx, alias.va, SRC + 16,
                                 K64 - 16, &res), ==, 0);
    model_copy(e, SRC, SRC + 16, K64 - 16);
    check_mem(e);
}

static void test_copy_mixed(void)
{
    run_env(do_copy_mixed);
}

static void test_fill_sem(void)
{
    run_env(do_fill_sem);
}

static void test_faults(void)
{
    run_env(do_faults);
}

static void test_sparse(void)
{
    run_env(do_sparse);
}

static void test_overlap(void)
{
    run_env(do_overlap);
}

static void test_limits(void)
{
    run_env(do_limits);
}

static void test_alias(void)
{
    run_env(do_alias);
}

/* ---- the access observer ---- */

typedef struct Seen {
    uint64_t bytes[2];          /* read, written */
    uint64_t lo[2], hi[2];      /* VA span of each kind */
    unsigned calls;
    bool mismatch;
} Seen;

/* Each piece must translate as maps[] says, inside one mapping. */
static void seen_access(void *opaque, uint64_t va, NvGmmuAperture aper,
                        uint64_t pa, uint64_t len, bool write)
{
    Seen *s = opaque;
    bool found = false;
    unsigned k;

    for (k = 0; k < G_N_ELEMENTS(maps); k++) {
        const Map *m = &maps[k];

        if (va >= m->va && va + len <= m->va + m->len) {
            found = aper == m->aper && pa == m->pa + (va - m->va);
            break;
        }
    }
    s->mismatch |= !found;
    s->calls++;
    s->bytes[write] += len;
    s->lo[write] = MIN(s->lo[write], va);
    s->hi[write] = MAX(s->hi[write], va + len);
}

static void do_observe(Env *e)
{
    Seen seen = { .lo = { UINT64_MAX, UINT64_MAX } };
    NvvbCeObserver obs = { seen_access, &seen };
    NvvbCeResult res;
    uint8_t buf[64];    /* the DMA's length */

    e->ctx.observe = &obs;
    /* Across 2M / 64K / 4K VRAM and sysmem pages on both sides. */
    g_assert_cmpint(nvvb_ce_copy(e->ce, &e->ctx, SRC + 123, DST + 4567,
                                 7 * MiB + 12345, &res), ==, 0);
    model_copy(e, SRC + 123, DST + 4567, 7 * MiB + 12345);
    g_assert_false(seen.mismatch);
    g_assert_cmpuint(seen.bytes[0], ==, 7 * MiB + 12345);
    g_assert_cmpuint(seen.bytes[1], ==, 7 * MiB + 12345);
    g_assert_cmpuint(seen.lo[0], ==, SRC + 123);
    g_assert_cmpuint(seen.hi[0], ==, SRC + 123 + 7 * MiB + 12345);
    g_assert_cmpuint(seen.lo[1], ==, DST + 4567);
    g_assert_cmpuint(seen.hi[1], ==, DST + 4567 + 7 * MiB + 12345);
    g_assert_cmpuint(seen.calls, >=, 2 * 5);    /* 5 mappings per side */
    /* Sparse pages and the physical side of a DMA are not accesses. */
    memset(&seen, 0, sizeof(seen));
    seen.lo[0] = seen.lo[1] = UINT64_MAX;
    g_assert_cmpint(nvvb_ce_fill(e->ce, &e->ctx, SPARSE_VA, K64, 0x1234,
                                 &res), ==, 0);
    g_assert_cmpuint(seen.calls, ==, 0);
    g_assert_cmpint(nvvb_ce_dma(e->ce, &e->ctx, SRC,
                                NV_GMMU_ACCESS_TYPE_VIRT_READ, SYS, 0,
                                sizeof(buf), false, &res, NULL), ==, 0);
    for (unsigned i = 0; i < sizeof(buf); i++) {
        e->exp_sys[i] = *model_byte(e, SRC + i);
    }
    g_assert_false(seen.mismatch);
    g_assert_cmpuint(seen.calls, ==, 1);
    g_assert_cmpuint(seen.bytes[0], ==, sizeof(buf));
    g_assert_cmpuint(seen.bytes[1], ==, 0);
    e->ctx.observe = NULL;
    check_mem(e);
}

static void test_observe(void)
{
    run_env(do_observe);
}

/* A PEER PTE (the manager never writes one) faults UNSUPPORTED_APERTURE. */
static void test_peer(void)
{
    NvvbCeCtx ctx = { 0 };
    NvvbCeResult res;
    FakeMem fm;
    FakeVm vm;
    NvvbCe *ce = nvvb_ce_new();

    fake_init(&fm, 4 * MiB, MiB);
    fake_vm_init(&vm, &fm, VID);
    fake_vm_map(&vm, 0x100000, 12,
                nv_gmmu_pte_encode(NV_GMMU_APER_PEER, 0x2000, 0, 0));
    ctx.mem = &fm.mem;
    ctx.pdb = &vm.pdb;
    g_assert_cmpint(nvvb_ce_fill(ce, &ctx, 0x100000, 8, 0, &res), ==,
                    -EFAULT);
    g_assert_cmpuint(res.fault_type, ==,
                     NV_GMMU_FAULT_TYPE_UNSUPPORTED_APERTURE);
    g_assert_cmpuint(fm.peer_reads, ==, 0);
    nvvb_ce_free(ce);
    fake_free(&fm);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/copy-engine/copy/mixed", test_copy_mixed);
    g_test_add_func("/copy-engine/fill-semaphore", test_fill_sem);
    g_test_add_func("/copy-engine/faults", test_faults);
    g_test_add_func("/copy-engine/sparse", test_sparse);
    g_test_add_func("/copy-engine/copy/overlap", test_overlap);
    g_test_add_func("/copy-engine/copy/alias", test_alias);
    g_test_add_func("/copy-engine/limits", test_limits);
    g_test_add_func("/copy-engine/peer", test_peer);
    g_test_add_func("/copy-engine/observe", test_observe);
    return g_test_run();
}
