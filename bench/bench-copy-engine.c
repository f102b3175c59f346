/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Copy-engine throughput: GB/s of 64 MiB COPY and FILL commands through
 * 4 KiB, 64 KiB and 2 MiB VRAM pages (and 4 KiB sysmem pages), walking or
 * with a TLB, against memcpy / memset of the same 64 MiB in the same run.
 * Thread CPU time.  Prints numbers; never fails on timing.
 *
 *   bench-copy-engine [SECONDS-PER-CASE]   (default 0.3)
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <glib.h>

#include "copy-engine.h"
#include "gmmu-fake.h"
#include "gmmu-tlb.h"
#include "pt-pool.h"
#include "ptm.h"

#define MiB         0x100000ull
#define LEN         (64 * MiB)
#define VRAM_SIZE   (256 * MiB)
#define SYS_SIZE    (160 * MiB)
#define POOL_SIZE   (32 * MiB)
#define SRC_VA      (1ull << 40)
#define DST_VA      (2ull << 40)

static double case_secs = 0.3;
static volatile uint64_t sink;

static double now(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return ts.tv_sec + ts.tv_nsec / 1e9;
}

typedef struct Backing {
    NvGmmuAperture aper;
    uint64_t pa;
} Backing;

static bool resolve(void *opaque, uint64_t off, NvvbPtmExtent *e)
{
    const Backing *b = opaque;

    if (off >= LEN) {
        return false;
    }
    e->aperture = b->aper;
    e->addr = b->pa + off;
    e->len = LEN - off;
    return true;
}

static double bench_memcpy(FakeMem *fm, bool fill)
{
    double t0 = now(), t;
    uint64_t bytes = 0;

    do {
        if (fill) {
            memset(fm->vram + 128 * MiB, (int)bytes, LEN);
        } else {
            memcpy(fm->vram + 128 * MiB, fm->vram, LEN);
        }
        sink += fm->vram[128 * MiB + bytes % LEN];
        bytes += LEN;
        t = now() - t0;
    } while (t < case_secs);
    return bytes / t / 1e9;
}

/* Map SRC_VA and DST_VA (64 MiB each) with backing at these addresses. */
static double bench_ce(FakeMem *fm, NvGmmuAperture aper, uint64_t src_pa,
                       uint64_t dst_pa, bool tlb, bool fill,
                       uint64_t *translations)
{
    NvvbPtPool *pool = nvvb_pt_pool_new(VRAM_SIZE - POOL_SIZE, POOL_SIZE);
    Backing sb = { aper, src_pa }, db = { aper, dst_pa };
    NvvbPtmBacking sbk = { resolve, &sb }, dbk = { resolve, &db };
    NvvbPtmAttrs at = { 0 };
    NvvbCe *ce = nvvb_ce_new();
    NvvbCeCtx ctx = { 0 };
    NvvbCeResult res;
    NvvbCeStats st;
    NvGmmuPdb pdb;
    NvvbPtm *ptm;
    uint64_t bytes = 0, cmds = 0;
    double t0, t;

    if (nvvb_ptm_new(&ptm, pool, &fm->mem) ||
        nvvb_ptm_map(ptm, SRC_VA, LEN, 0, &sbk, &at, NULL) ||
        nvvb_ptm_map(ptm, DST_VA, LEN, 0, &dbk, &at, NULL)) {
        abort();
    }
    nv_gmmu_pdb_init(&pdb, NV_GMMU_APER_VID, nvvb_ptm_pdb(ptm));
    ctx.mem = &fm->mem;
    ctx.pdb = &pdb;
    ctx.tlb = tlb ? nv_gmmu_tlb_new(0, 0) : NULL;
    t0 = now();
    do {
        int ret = fill ? nvvb_ce_fill(ce, &ctx, DST_VA, LEN, (uint32_t)cmds,
                                      &res)
                       : nvvb_ce_copy(ce, &ctx, SRC_VA, DST_VA, LEN, &res);

        if (ret || res.done != LEN) {
            abort();
        }
        bytes += LEN;
        cmds++;
        t = now() - t0;
    } while (t < case_secs);
    nvvb_ce_get_stats(ce, &st);
    *translations = st.translations / cmds;
    nv_gmmu_tlb_free(ctx.tlb);
    nvvb_ce_free(ce);
    nvvb_ptm_free(ptm);
    nvvb_pt_pool_free(pool);
    return bytes / t / 1e9;
}

int main(int argc, char **argv)
{
    static const struct {
        const char *name;
        NvGmmuAperture aper;
        uint64_t src_pa, dst_pa;
    } kinds[] = {
        { "4K VRAM", NV_GMMU_APER_VID, 0x1000, 80 * MiB + 0x1000 },
        { "64K VRAM", NV_GMMU_APER_VID, 0x10000, 80 * MiB + 0x10000 },
        { "2M VRAM", NV_GMMU_APER_VID, 0, 80 * MiB },
        { "4K sysmem", NV_GMMU_APER_SYS_COH, 0, 80 * MiB },
    };
    FakeMem fm;
    unsigned k, f;

    if (argc > 1) {
        case_secs = atof(argv[1]);
    }
    fake_init(&fm, VRAM_SIZE, SYS_SIZE);
    memset(fm.vram, 0x5a, 160 * MiB);
    memset(fm.sys, 0xa5, SYS_SIZE);
    printf("bench-copy-engine: 64 MiB commands, %.2f s (thread CPU) per "
           "case\n\n", case_secs);
    for (f = 0; f < 2; f++) {
        double base = bench_memcpy(&fm, f);

        printf("%s: %s baseline %.2f GB/s\n", f ? "FILL" : "COPY",
               f ? "memset" : "memcpy", base);
        printf("  %-10s %14s %14s %10s %18s\n", "pages", "walk GB/s",
               "TLB GB/s", "vs base", "translations/cmd");
        for (k = 0; k < G_N_ELEMENTS(kinds); k++) {
            uint64_t tw, tt;
            double w = bench_ce(&fm, kinds[k].aper, kinds[k].src_pa,
                                kinds[k].dst_pa, false, f, &tw);
            double c = bench_ce(&fm, kinds[k].aper, kinds[k].src_pa,
                                kinds[k].dst_pa, true, f, &tt);

            printf("  %-10s %14.2f %14.2f %9.0f%% %18" G_GUINT64_FORMAT "\n",
                   kinds[k].name, w, c, 100 * c / base, tw);
        }
    }
    fake_free(&fm);
    return 0;
}
