/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * GPUVM benchmark: map and unmap requests per second with 1e3 .. 1e6
 * existing mappings, for nv-vmbind's GPUVM and, when built with
 * -Dlinux_src, for Linux's drm_gpuvm.c built in userspace, in the same run.
 *
 * A request is what the bind queue does: compute the ops (op list) and
 * apply them.  Both implementations go through the same replay back-end
 * interface (tools/gpuvm-replay.h), so they pay the same harness costs.
 * Mappings are one page each with a page of hole after it; a map request
 * replaces a random existing mapping (UNMAP + MAP), an unmap request
 * removes one (timed) and it is mapped back afterwards (not timed), so the
 * count stays at N; map-seq replaces consecutive mappings, which keeps the
 * tree path in cache.  Times are thread CPU time, so a shared machine's
 * other tenants do not count; the two implementations run interleaved,
 * best of --runs each.  Timing never decides anything: this prints numbers.
 *
 * Usage: bench-gpuvm [--min N] [--max N] [--seconds S] [--runs R]
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "gpuvm-replay.h"
#ifdef HAVE_GPUVM_UPSTREAM
#include "upstream.h"
#endif

#define PG 0x1000ull
#define SLOT (2 * PG)
#define N_BOS 8

typedef struct Bench {
    const GpuvmReplayBackend *be;
    void *vm;
    GArray *ops;
} Bench;

/* Thread CPU time in seconds: other tenants' time slices do not count. */
static double now(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return ts.tv_sec + ts.tv_nsec / 1e9;
}

static void must(int ret)
{
    if (ret) {
        fprintf(stderr, "bench-gpuvm: request failed: %d\n", ret);
        exit(1);
    }
}

static void do_map(Bench *b, uint64_t slot, int bo, uint64_t off)
{
    g_array_set_size(b->ops, 0);
    must(b->be->map(b->vm, slot * SLOT, PG, bo, off, b->ops));
}

static void do_unmap(Bench *b, uint64_t slot)
{
    g_array_set_size(b->ops, 0);
    must(b->be->unmap(b->vm, slot * SLOT, PG, b->ops));
}

/*
 * Requests per second with @n mappings: [0] map at random addresses,
 * [1] unmap at random addresses, [2] map at consecutive addresses (the tree
 * path stays in cache, so this row shows the algorithm's log n without
 * the cache misses of a big tree).
 */
static void measure(const GpuvmReplayBackend *be, uint64_t n, double secs,
                    double *rate)
{
    Bench b = { .be = be, .ops = g_array_new(false, true,
                                             sizeof(GpuvmReplayOp)) };
    GRand *rand = g_rand_new_with_seed(12345);
    uint64_t batch = MIN(n / 2, 20000);
    uint64_t *slots = g_new(uint64_t, n);
    uint64_t i, done;
    double t, elapsed;
    int err;

    b.vm = be->vm_new(0, n * SLOT, 0, 0, &err);
    g_assert(b.vm);
    for (i = 0; i < n; i++) {
        do_map(&b, i, i % N_BOS, i * PG);
        slots[i] = i;
    }

    /* Map: replace random mappings. */
    done = 0;
    elapsed = 0;
    while (elapsed < secs) {
        t = now();
        for (i = 0; i < batch; i++) {
            uint64_t s = g_rand_int_range(rand, 0, n);

            do_map(&b, s, (s + done + i) % N_BOS, s * PG);
        }
        elapsed += now() - t;
        done += batch;
    }
    rate[0] = done / elapsed;

    /* Unmap: a batch of distinct random mappings, then put them back. */
    done = 0;
    elapsed = 0;
    while (elapsed < secs) {
        for (i = 0; i < batch; i++) {       /* partial Fisher-Yates */
            uint64_t j = i + g_rand_int_range(rand, 0, n - i);
            uint64_t tmp = slots[i];

            slots[i] = slots[j];
            slots[j] = tmp;
        }
        t = now();
        for (i = 0; i < batch; i++) {
            do_unmap(&b, slots[i]);
        }
        elapsed += now() - t;
        done += batch;
        for (i = 0; i < batch; i++) {
            do_map(&b, slots[i], slots[i] % N_BOS, slots[i] * PG);
        }
    }
    rate[1] = done / elapsed;

    /* Map, consecutive mappings. */
    done = 0;
    elapsed = 0;
    while (elapsed < secs) {
        t = now();
        for (i = 0; i < batch; i++) {
            uint64_t s = (done + i) % n;

            do_map(&b, s, (s + done / n + 1) % N_BOS, s * PG);
        }
        elapsed += now() - t;
        done += batch;
    }
    rate[2] = done / elapsed;

    be->vm_free(b.vm);
    g_array_free(b.ops, true);
    g_free(slots);
    g_rand_free(rand);
}

int main(int argc, char **argv)
{
    static const uint64_t sizes[] = { 1000, 10000, 100000, 1000000 };
    const GpuvmReplayBackend *bes[] = {
        &gpuvm_replay_core_list,
#ifdef HAVE_GPUVM_UPSTREAM
        &gpuvm_replay_upstream,
#endif
    };
    static const char *const short_name[] = { "nv-vmbind", "upstream" };
    uint64_t min = 0, max = 1000000;
    guint runs = 3;
    uint64_t sel[4];
    double secs = 0.3;
    double rate[2][G_N_ELEMENTS(sizes)][3];
    static const char *const op_name[] = { "map", "unmap", "map-seq" };
    guint k, s, o, n_sizes = 0;
    int i;

    for (i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--max") && i + 1 < argc) {
            max = strtoull(argv[++i], NULL, 0);
        } else if (!strcmp(argv[i], "--min") && i + 1 < argc) {
            min = strtoull(argv[++i], NULL, 0);
        } else if (!strcmp(argv[i], "--runs") && i + 1 < argc) {
            runs = atoi(argv[++i]);
            runs = MAX(runs, 1);
        } else if (!strcmp(argv[i], "--seconds") && i + 1 < argc) {
            secs = strtod(argv[++i], NULL);
        } else {
            fprintf(stderr, "usage: %s [--min N] [--max N] [--seconds S] "
                    "[--runs R]\n", argv[0]);
            return 2;
        }
    }
    for (s = 0; s < G_N_ELEMENTS(sizes); s++) {
        if (sizes[s] >= min && sizes[s] <= max) {
            sel[n_sizes++] = sizes[s];
        }
    }
    /*
     * Best of --runs, the implementations interleaved run by run: the
     * machine is shared, noise only slows, and both see the same phases.
     */
    memset(rate, 0, sizeof(rate));
    for (s = 0; s < n_sizes; s++) {
        guint rep;

        for (rep = 0; rep < runs; rep++) {
            for (guint kk = 0; kk < G_N_ELEMENTS(bes); kk++) {
                double r[3];

                /* Alternate which goes first (malloc state, caches). */
                k = rep & 1 ? G_N_ELEMENTS(bes) - 1 - kk : kk;

                measure(bes[k], sel[s], secs, r);
                for (o = 0; o < 3; o++) {
                    rate[k][s][o] = MAX(rate[k][s][o], r[o]);
                }
            }
        }
    }

    if (!n_sizes) {
        fprintf(stderr, "bench-gpuvm: no size in [--min, --max]\n");
        return 2;
    }
    printf("GPUVM requests per second (op list computed and applied; best "
           "of %u interleaved runs of %.2f s), by existing mappings\n",
           runs, secs);
#ifdef HAVE_GPUVM_UPSTREAM
    printf("upstream = Linux drm_gpuvm.c from linux-source %s, userspace "
           "build, same run\n", GPUVM_UPSTREAM_VERSION);
#else
    printf("(no upstream figures: configure with -Dlinux_src=DIR)\n");
#endif
    printf("%-10s %-7s", "impl", "op");
    for (s = 0; s < n_sizes; s++) {
        printf(" %12.0e", (double)sel[s]);
    }
    printf("   time/request vs %.0e\n", (double)sel[0]);
    for (k = 0; k < G_N_ELEMENTS(bes); k++) {
        for (o = 0; o < 3; o++) {
            printf("%-10s %-7s", short_name[k], op_name[o]);
            for (s = 0; s < n_sizes; s++) {
                printf(" %12.0f", rate[k][s][o]);
            }
            printf("  ");
            for (s = 0; s < n_sizes; s++) {
                printf(" %5.2f", rate[k][0][o] / rate[k][s][o]);
            }
            printf("\n");
        }
    }
    printf("log2(n) vs %-7.0e", (double)sel[0]);
    for (s = 0; s < n_sizes; s++) {
        printf(" %12s", "");
    }
    printf("  ");
    for (s = 0; s < n_sizes; s++) {
        printf(" %5.2f", log2((double)sel[s]) / log2((double)sel[0]));
    }
    printf("\n");
#ifdef HAVE_GPUVM_UPSTREAM
    printf("\nnv-vmbind / upstream (same run; >= 1.00: at least as fast)\n");
    for (o = 0; o < 3; o++) {
        printf("%-10s %-7s", "ratio", op_name[o]);
        for (s = 0; s < n_sizes; s++) {
            printf(" %11.2fx", rate[0][s][o] / rate[1][s][o]);
        }
        printf("\n");
    }
#endif
    return 0;
}
