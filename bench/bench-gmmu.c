/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * GMMU core throughput: translations per second for TLB hits, TLB misses
 * served by the PDE cache, full walks with the TLB off for 4 KiB, 64 KiB
 * and 2 MiB pages, and dump speed -- with a memcpy baseline (GB/s)
 * measured in the same run (all in thread CPU time); each figure is also
 * given as a ratio to the time memcpy takes for one 4 KiB page in that
 * run.  Each translation figure is the best of five slices of its time.
 * Prints numbers; never fails on timing.
 *
 *   bench-gmmu [SECONDS-PER-CASE]   (default 0.3)
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <glib.h>

#include "gmmu-dump.h"
#include "gmmu-fake.h"
#include "gmmu-tlb.h"
#include "gmmu-walk.h"

#define NPAGES      4096        /* mapped pages per page size */
#define VA_4K       0x0000100000000ULL
#define VA_64K      0x0001000000000ULL
#define VA_2M       0x0010000000000ULL

static double case_secs = 0.3;
static volatile uint64_t sink;
/* Same-run baseline: ns to memcpy one 4 KiB page (set before the cases). */
static double page_copy_ns;

/* Thread CPU time: the machines are small and shared, and a benchmark
 * competing for a core would otherwise measure the scheduler. */
static double now(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return ts.tv_sec + ts.tv_nsec / 1e9;
}

static double bench_memcpy(void)
{
    const size_t sz = 64 << 20;
    uint8_t *a = g_malloc(sz), *b = g_malloc(sz);
    double t0, t;
    uint64_t bytes = 0;

    memset(a, 1, sz);
    memset(b, 2, sz);
    t0 = now();
    do {
        memcpy(b, a, sz);
        sink += b[bytes % sz];
        bytes += sz;
        t = now() - t0;
    } while (t < case_secs);
    g_free(a);
    g_free(b);
    return bytes / t / 1e9;
}

/*
 * Samples per translation figure: case_secs is split into SLICES and the
 * fastest slice counts (a shared host's noise only slows: one run read
 * 72 M TLB hits/s where the slices of others read 126-135 M/s).
 */
#define SLICES      5

/*
 * Translate @n VAs from @vas round-robin for case_secs; returns the best
 * slice's ops/s.
 */
static double run(const char *name, NvGmmuTlb *tlb, FakeMem *fm,
                  const NvGmmuPdb *pdb, const uint64_t *vas, unsigned n,
                  NvGmmuWalkStatus expect, bool invalidate_each_round)
{
    const NvGmmuAccess acc = { NV_GMMU_ACCESS_TYPE_VIRT_READ, false, false };
    NvGmmuTlbInvalidate inv = { .all_pdb = true, .all_va = true,
                                .cache_level = NV_GMMU_INVAL_LEVEL_PTE_ONLY };
    NvGmmuWalkResult r;
    double t0, t, best = 0;
    unsigned i, slice;

    for (slice = 0; slice < SLICES; slice++) {
        uint64_t ops = 0;

        t0 = now();
        do {
            if (invalidate_each_round) {
                nv_gmmu_tlb_invalidate(tlb, &inv);
            }
            for (i = 0; i < n; i++) {
                if (nv_gmmu_tlb_translate(tlb, &fm->mem, pdb, vas[i], &acc,
                                          &r) != expect) {
                    fprintf(stderr, "%s: unexpected status at 0x%"
                            G_GINT64_MODIFIER "x\n", name, vas[i]);
                    exit(1);
                }
                sink += r.pa;
            }
            ops += n;
            t = now() - t0;
        } while (t < case_secs / SLICES);
        best = MAX(best, ops / t);
    }
    printf("%-34s %12.0f translations/s  %7.1f ns each  %6.3fx\n", name,
           best, 1e9 / best, 1e9 / best / page_copy_ns);
    return best;
}

static bool count_range(void *opaque, const NvGmmuMapping *m)
{
    (*(uint64_t *)opaque)++;
    return true;
}

int main(int argc, char **argv)
{
    uint64_t *vas4k = g_new(uint64_t, NPAGES);
    uint64_t *vas64k = g_new(uint64_t, NPAGES);
    uint64_t *vas2m = g_new(uint64_t, NPAGES);
    GRand *rand = g_rand_new_with_seed(7);
    NvGmmuTlbStats st;
    NvGmmuDumpStats ds;
    NvGmmuTlb *tlb;
    FakeMem fm;
    FakeVm vm;
    double gbs, t0, t;
    uint64_t ranges = 0, entries = 0;
    unsigned i;

    if (argc > 1) {
        case_secs = g_ascii_strtod(argv[1], NULL);
        if (case_secs <= 0) {
            case_secs = 0.3;
        }
    }

    /* 4096 pages of each size, tables in "VRAM" (host memory). */
    fake_init(&fm, 64 << 20, 0);
    fake_vm_init(&vm, &fm, NV_GMMU_APER_VID);
    for (i = 0; i < NPAGES; i++) {
        fake_vm_map(&vm, VA_4K + i * 0x1000ULL, 12,
                    nv_gmmu_pte_encode(NV_GMMU_APER_VID, i * 0x1000ULL, 0, 0));
        fake_vm_map(&vm, VA_64K + i * 0x10000ULL, 16,
                    nv_gmmu_pte_encode(NV_GMMU_APER_VID, i * 0x10000ULL, 0,
                                       0));
        fake_vm_map(&vm, VA_2M + i * 0x200000ULL, 21,
                    nv_gmmu_pte_encode(NV_GMMU_APER_SYS_COH,
                                       i * 0x200000ULL, 0, 0));
    }
    /* Random order, so the host caches see a realistic spread. */
    for (i = 0; i < NPAGES; i++) {
        unsigned j = g_rand_int_range(rand, 0, NPAGES);

        vas4k[i] = VA_4K + j * 0x1000ULL + (i & 0xfff);
        vas64k[i] = VA_64K + j * 0x10000ULL + (i & 0xffff);
        vas2m[i] = VA_2M + j * 0x200000ULL + i;
    }

    printf("bench-gmmu: %.2f s CPU time per case (translations: best of %d "
           "slices), %u mapped pages per size\n", case_secs, SLICES, NPAGES);
    gbs = bench_memcpy();
    page_copy_ns = 4096 / (gbs * 1e9) * 1e9;
    printf("%-34s %12.2f GB/s (64 MiB blocks): %.0f ns per 4 KiB page\n",
           "baseline memcpy", gbs, page_copy_ns);
    printf("(x: time per translation or entry / time to memcpy 4 KiB)\n");

    tlb = nv_gmmu_tlb_new(NPAGES * 4, 0);
    run("tlb-hit 4k (warm, 4096 pages)", tlb, &fm, &vm.pdb, vas4k, NPAGES,
        NV_GMMU_WALK_OK, false);
    run("tlb-hit 2m (warm)", tlb, &fm, &vm.pdb, vas2m, NPAGES,
        NV_GMMU_WALK_OK, false);
    run("tlb-miss 4k, PDE cache hit", tlb, &fm, &vm.pdb, vas4k, NPAGES,
        NV_GMMU_WALK_OK, true);
    nv_gmmu_tlb_get_stats(tlb, &st);
    printf("%-34s %12" G_GINT64_MODIFIER "u hits, %" G_GINT64_MODIFIER
           "u misses, %" G_GINT64_MODIFIER "u PDE-cache hits\n",
           "  (tlb counters)", st.hits, st.misses, st.pde_hits);

    nv_gmmu_tlb_set_enabled(tlb, false);
    run("walk 4k (tlb off, 5 reads)", tlb, &fm, &vm.pdb, vas4k, NPAGES,
        NV_GMMU_WALK_OK, false);
    run("walk 64k (tlb off, 5 reads)", tlb, &fm, &vm.pdb, vas64k, NPAGES,
        NV_GMMU_WALK_OK, false);
    run("walk 2m (tlb off, 4 reads)", tlb, &fm, &vm.pdb, vas2m, NPAGES,
        NV_GMMU_WALK_OK, false);
    nv_gmmu_tlb_free(tlb);

    /* Dump: entries examined per second over the whole tree. */
    t0 = now();
    do {
        nv_gmmu_dump(&fm.mem, &vm.pdb, 0, NV_GMMU_VA_LIMIT, 0, count_range,
                     &ranges, &ds);
        entries += ds.entries;
        t = now() - t0;
    } while (t < case_secs);
    printf("%-34s %12.0f entries/s  %7.1f ns each  %6.3fx (%"
           G_GINT64_MODIFIER "u entries, %" G_GINT64_MODIFIER
           "u ranges per dump)\n", "dump (whole VA space)", entries / t,
           t / entries * 1e9, t / entries * 1e9 / page_copy_ns, ds.entries,
           ds.ranges);
    fake_free(&fm);
    g_free(vas4k);
    g_free(vas64k);
    g_free(vas2m);
    g_rand_free(rand);
    return 0;
}
