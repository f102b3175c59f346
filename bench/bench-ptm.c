/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Page-table manager throughput: map and unmap requests per second for
 * mappings of one 4 KiB (sysmem), 64 KiB and 2 MiB (VRAM) page, called
 * directly and through GPUVM op lists, with the GPUVM alone (ops computed
 * and applied, no tables) as the baseline measured in the same run; PTEs
 * per second for one 64 MiB mapping; page-table bytes per mapping for
 * dense and scattered layouts.  Thread CPU time.  Prints numbers; never
 * fails on timing.
 *
 *   bench-ptm [SECONDS-PER-CASE]   (default 0.3)
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <glib.h>

#include "gmmu-fake.h"
#include "gpuvm-bo.h"
#include "gpuvm.h"
#include "pt-pool.h"
#include "ptm.h"
#include "ptm-gpuvm.h"

#define MiB         0x100000ull
#define VRAM_SIZE   (512 * MiB)
#define POOL_SIZE   (256 * MiB)

static double case_secs = 0.3;

static double now(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return ts.tv_sec + ts.tv_nsec / 1e9;
}

typedef struct Backing {
    NvGmmuAperture aper;
    uint64_t pa;
    uint64_t len;
} Backing;

static bool resolve(void *opaque, uint64_t off, NvvbPtmExtent *e)
{
    const Backing *b = opaque;

    if (off >= b->len) {
        return false;
    }
    e->aperture = b->aper;
    e->addr = b->pa + off;
    e->len = b->len - off;
    return true;
}

typedef struct Env {
    FakeMem fm;
    NvvbPtPool *pool;
    NvvbPtm *ptm;
    NvvbGpuVm *vm;
    NvvbBo *bo;
    Backing backing;
} Env;

static void env_init(Env *e, NvGmmuAperture aper, uint64_t pa)
{
    memset(e, 0, sizeof(*e));
    fake_init(&e->fm, VRAM_SIZE, 0);
    e->pool = nvvb_pt_pool_new(VRAM_SIZE - POOL_SIZE, POOL_SIZE);
    if (nvvb_ptm_new(&e->ptm, e->pool, &e->fm.mem)) {
        abort();
    }
    nvvb_gpuvm_new(&e->vm, "bench", 0, 1ull << 47, 0, 0, 1);
    nvvb_gpuvm_lock(e->vm);
    e->backing.aper = aper;
    e->backing.pa = pa;
    e->backing.len = 64ull << 30;
    e->bo = nvvb_bo_new(1, e->backing.len, 1, &e->backing);
}

static void env_free(Env *e)
{
    nvvb_gpuvm_unlock(e->vm);
    nvvb_gpuvm_destroy(e->vm);
    nvvb_bo_unref(e->bo);
    nvvb_ptm_free(e->ptm);
    nvvb_pt_pool_free(e->pool);
    fake_free(&e->fm);
}

typedef enum Path { DIRECT, GPUVM_PTM, GPUVM_ONLY } Path;

static void do_map(Env *e, Path path, uint64_t va, uint64_t size,
                   uint64_t off)
{
    NvvbPtmBacking bk = { resolve, &e->backing };
    NvvbPtmAttrs at = { 0 };
    NvvbGpuVaOps *ops;

    if (path == DIRECT) {
        if (nvvb_ptm_map(e->ptm, va, size, off, &bk, &at, NULL)) {
            abort();
        }
        return;
    }
    nvvb_gpuvm_sm_map_ops_create(e->vm, va, size, e->bo, off, &ops);
    if (path == GPUVM_PTM &&
        nvvb_ptm_apply_ops(e->ptm, ops, &bk, &at, NULL)) {
        abort();
    }
    nvvb_gpuvm_ops_apply(e->vm, ops, NULL);
    nvvb_gpuva_ops_free(ops);
}

static void do_unmap(Env *e, Path path, uint64_t va, uint64_t size)
{
    NvvbGpuVaOps *ops;

    if (path == DIRECT) {
        if (nvvb_ptm_unmap(e->ptm, va, size, NULL)) {
            abort();
        }
        return;
    }
    nvvb_gpuvm_sm_unmap_ops_create(e->vm, va, size, &ops);
    if (path == GPUVM_PTM &&
        nvvb_ptm_apply_ops(e->ptm, ops, NULL, NULL, NULL)) {
        abort();
    }
    nvvb_gpuvm_ops_apply(e->vm, ops, NULL);
    nvvb_gpuva_ops_free(ops);
}

typedef struct Rate {
    double map_s, unmap_s;      /* requests per second */
    double bytes_per_map;       /* page-table bytes per mapping */
} Rate;

/*
 * @n mappings of @size at VA base + i * stride, BO offset i * size, mapped
 * then unmapped, repeated for case_secs.
 */
static Rate run(NvGmmuAperture aper, uint64_t pa, Path path, unsigned n,
                uint64_t size, uint64_t stride)
{
    const uint64_t base = 1ull << 40;
    double tmap = 0, tunmap = 0, t0;
    uint64_t rounds = 0;
    NvvbPtmStats st;
    Rate r = { 0 };
    unsigned i;
    Env e;

    env_init(&e, aper, pa);
    do {
        t0 = now();
        for (i = 0; i < n; i++) {
            do_map(&e, path, base + i * stride, size, i * size);
        }
        tmap += now() - t0;
        nvvb_ptm_get_stats(e.ptm, &st);
        r.bytes_per_map = (double)(st.table_bytes - 4096) / n;
        t0 = now();
        for (i = 0; i < n; i++) {
            do_unmap(&e, path, base + i * stride, size);
        }
        tunmap += now() - t0;
        rounds++;
    } while (tmap + tunmap < 2 * case_secs);
    r.map_s = n * rounds / tmap;
    r.unmap_s = n * rounds / tunmap;
    env_free(&e);
    return r;
}

/* One mapping of @size: PTEs written per second (map + unmap). */
static double run_big(NvGmmuAperture aper, uint64_t pa, uint64_t size,
                      uint64_t page, double *bytes)
{
    double t0, t = 0;
    uint64_t rounds = 0;
    NvvbPtmStats st;
    Env e;

    env_init(&e, aper, pa);
    do {
        t0 = now();
        do_map(&e, DIRECT, 1ull << 40, size, 0);
        t += now() - t0;
        nvvb_ptm_get_stats(e.ptm, &st);
        *bytes = (double)(st.table_bytes - 4096);
        do_unmap(&e, DIRECT, 1ull << 40, size);
        rounds++;
    } while (t < case_secs);
    env_free(&e);
    return (double)(size / page) * rounds / t;
}

int main(int argc, char **argv)
{
    static const struct {
        const char *name;
        NvGmmuAperture aper;
        uint64_t pa, size;
        unsigned n;
    } kinds[] = {
        { "4K sysmem", NV_GMMU_APER_SYS_COH, 0, 0x1000, 16384 },
        { "64K VRAM", NV_GMMU_APER_VID, 0x10000, 0x10000, 4096 },
        { "2M VRAM", NV_GMMU_APER_VID, 0, 0x200000, 1024 },
    };
    unsigned k;

    if (argc > 1) {
        case_secs = atof(argv[1]);
    }
    printf("bench-ptm: %.2f s (thread CPU) per case\n\n", case_secs);
    printf("%-11s %-22s %12s %7s %12s %7s %14s\n", "mapping", "path",
           "map/s", "x base", "unmap/s", "x base", "PT bytes/map");
    for (k = 0; k < G_N_ELEMENTS(kinds); k++) {
        static const char *paths[] = { "ptm direct", "GPUVM ops + ptm",
                                       "GPUVM alone (baseline)" };
        static const Path order[] = { GPUVM_ONLY, DIRECT, GPUVM_PTM };
        Rate r[GPUVM_ONLY + 1];
        unsigned i;
        Path p;

        /* The baseline first, then each path beside its ratio to it. */
        for (i = 0; i < G_N_ELEMENTS(order); i++) {
            r[order[i]] = run(kinds[k].aper, kinds[k].pa, order[i],
                              kinds[k].n, kinds[k].size, kinds[k].size);
        }
        for (p = DIRECT; p <= GPUVM_ONLY; p++) {
            printf("%-11s %-22s %12.0f %6.2fx %12.0f %6.2fx %14.1f\n",
                   kinds[k].name, paths[p], r[p].map_s,
                   r[p].map_s / r[GPUVM_ONLY].map_s, r[p].unmap_s,
                   r[p].unmap_s / r[GPUVM_ONLY].unmap_s,
                   p == GPUVM_ONLY ? 0.0 : r[p].bytes_per_map);
        }
    }

    printf("\npage-table bytes per mapping, scattered layouts (ptm direct):\n");
    for (k = 0; k < G_N_ELEMENTS(kinds); k++) {
        Rate a = run(kinds[k].aper, kinds[k].pa, DIRECT, 256, kinds[k].size,
                     0x200000);
        Rate b = run(kinds[k].aper, kinds[k].pa, DIRECT, 64, kinds[k].size,
                     1ull << 29);

        printf("  %-11s one per 2 MiB: %8.1f   one per 512 MiB: %8.1f\n",
               kinds[k].name, a.bytes_per_map, b.bytes_per_map);
    }

    printf("\none 64 MiB mapping (ptm direct, map only):\n");
    for (k = 0; k < G_N_ELEMENTS(kinds); k++) {
        double bytes = 0;
        double ptes = run_big(kinds[k].aper, kinds[k].pa, 64 * MiB,
                              kinds[k].size, &bytes);

        printf("  %-11s %12.0f PTEs/s  %8.2f GB/s of VA  %9.0f PT bytes\n",
               kinds[k].name, ptes, ptes * kinds[k].size / 1e9, bytes);
    }
    return 0;
}
