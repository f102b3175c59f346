/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Copy-engine throughput: GB/s of 64 MiB COPY and FILL commands through
 * 4 KiB, 64 KiB and 2 MiB VRAM pages (and 4 KiB sysmem pages), walking,
 * with a TLB, and with a TLB and direct host access, each beside its ratio
 * to memcpy / memset of the same 64 MiB in the same run.  Thread CPU time.
 * Prints numbers; never fails on timing.
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
            /* A new non-zero byte each time (zeroes may be faster). */
            memset(fm->vram + 128 * MiB, (int)(1 + bytes / LEN % 255), LEN);
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
/*
 * FILL writes what the memset baseline writes: a new non-zero byte each
 * command (@pattern32: a 32-bit pattern of four different bytes instead).
 */
static double bench_ce(FakeMem *fm, NvGmmuAperture aper, uint64_t src_pa,
                       uint64_t dst_pa, bool tlb, const NvvbCeHost *host,
                       bool fill, bool pattern32, uint64_t *translations)
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
    ctx.host = host;
    t0 = now();
    do {
        uint32_t pattern = pattern32 ? 0x04030201u + (uint32_t)cmds
                                     : 0x01010101u * (1 + cmds % 255);
        int ret = fill ? nvvb_ce_fill(ce, &ctx, DST_VA, LEN, pattern, &res)
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
        bool pattern32;     /* FILL only */
    } kinds[] = {
        /* VRAM: the bytes the baseline copies, [0, 64M) -> [128M, 192M). */
        { "4K VRAM", NV_GMMU_APER_VID, 0x1000, 128 * MiB + 0x1000 },
        { "64K VRAM", NV_GMMU_APER_VID, 0x10000, 128 * MiB + 0x10000 },
        { "2M VRAM", NV_GMMU_APER_VID, 0, 128 * MiB },
        { "4K sysmem", NV_GMMU_APER_SYS_COH, 0, 80 * MiB },
        { "4K VRAM, 32-bit pattern", NV_GMMU_APER_VID, 0x1000,
          128 * MiB + 0x1000, true },
    };
    FakeMem fm;
    NvvbCeHost host = { fake_host_ptr, NULL, &fm };
    unsigned k, f, m, r;

    if (argc > 1) {
        case_secs = atof(argv[1]);
    }
    fake_init(&fm, VRAM_SIZE, SYS_SIZE);
    memset(fm.vram, 0x5a, 160 * MiB);
    memset(fm.sys, 0xa5, SYS_SIZE);
    printf("bench-copy-engine: 64 MiB commands, %.2f s (thread CPU) per "
           "case, best of 3 rounds\n", case_secs);
    printf("walk: no TLB; TLB: through the accessor and the bounce buffer;"
           " direct: TLB and host pointers (NvvbCeHost)\n\n");
    for (f = 0; f < 2; f++) {
        double gbs[G_N_ELEMENTS(kinds)][3], base;
        uint64_t tr[G_N_ELEMENTS(kinds)][3];

        /*
         * Three rounds, each sampling the baseline and then every case;
         * every figure is the best of its three samples (noise only slows).
         */
        base = 0;
        memset(gbs, 0, sizeof(gbs));
        for (r = 0; r < 3; r++) {
            base = MAX(base, bench_memcpy(&fm, f));
            for (k = 0; k < G_N_ELEMENTS(kinds); k++) {
                if (kinds[k].pattern32 && !f) {
                    continue;
                }
                for (m = 0; m < 3; m++) {
                    gbs[k][m] = MAX(gbs[k][m],
                                    bench_ce(&fm, kinds[k].aper,
                                             kinds[k].src_pa, kinds[k].dst_pa,
                                             m > 0, m == 2 ? &host : NULL, f,
                                             kinds[k].pattern32, &tr[k][m]));
                }
            }
        }
        printf("%s: %s baseline %.2f GB/s (same run); GB/s and x %s\n",
               f ? "FILL" : "COPY", f ? "memset" : "memcpy", base,
               f ? "memset" : "memcpy");
        printf("  %-23s %16s %16s %16s %18s\n", "pages", "walk", "TLB",
               "direct", "translations/cmd");
        for (k = 0; k < G_N_ELEMENTS(kinds); k++) {
            if (kinds[k].pattern32 && !f) {
                continue;
            }
            printf("  %-23s", kinds[k].name);
            for (m = 0; m < 3; m++) {
                printf("   %6.2f (%4.2fx)", gbs[k][m], gbs[k][m] / base);
            }
            printf(" %18" G_GUINT64_FORMAT "\n", tr[k][2]);
        }
    }
    fake_free(&fm);
    return 0;
}
