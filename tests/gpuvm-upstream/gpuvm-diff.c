/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Differential test: random map/unmap requests through Linux's drm_gpuvm.c
 * (userspace build) and through nv-vmbind's GPUVM, in its op-list and its
 * callback form; every op of every request, its `keep` flag and every
 * error must be identical, and so must the mapping tables.
 *
 * Usage: gpuvm-diff [--seed N] [--requests N-PER-SHAPE] [--verbose]
 * The seed is printed; NVVB_GPUVM_DIFF_SEED overrides the default too.
 * Output is TAP, one test per VA-space shape.
 */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "upstream.h"

#define DEFAULT_SEED 0x6e7676622d677075ull   /* "nvvb-gpu" */
#define DEFAULT_REQUESTS 50000

typedef struct Shape {
    const char *name;
    uint64_t start, range;
    uint64_t rsv_start, rsv_range;
    uint64_t page;          /* granule of addresses, lengths and offsets */
    uint64_t max_pages;     /* longest request */
    int n_bos;
    int no_bo_pct;          /* requests mapping no BO */
    int contig_pct;         /* requests contiguous with what is there */
    int invalid_pct;        /* requests outside / overlapping the reserve */
    int wild_offset_pct;    /* offsets anywhere in 64 bits */
    uint64_t window;        /* if set: addresses drawn from this many pages */
    uint64_t window_base;   /* starting here */
} Shape;

static const Shape shapes[] = {
    { "dense-64-pages", 0, 64 * 0x1000, 0, 0, 0x1000, 16, 3, 5, 40, 3, 0 },
    { "reserved-middle", 0x100000, 256 * 0x1000, 0x100000 + 96 * 0x1000,
      32 * 0x1000, 0x1000, 40, 4, 5, 40, 5, 0 },
    /* Requests crowd the edge of the kernel-managed window. */
    { "nouveau-like-47bit", 0, 1ull << 47, 1ull << 40, 1ull << 36, 0x1000,
      64, 8, 5, 30, 3, 5, 1024, (1ull << 40) - 900 * 0x1000 },
    { "byte-granular", 5, 300, 100, 20, 1, 30, 3, 10, 40, 5, 10 },
    { "top-of-64bit", UINT64_MAX - 0x100000, 0x100000, 0, 0, 0x1000, 48, 5,
      5, 40, 5, 20 },
    { "many-bos-sparse-offsets", 0x4000000, 4096 * 0x10000, 0x4000000,
      64 * 0x10000, 0x10000, 256, 32, 10, 20, 3, 30 },
};

typedef struct Rng {
    uint64_t s;
} Rng;

/* splitmix64: small, fast, good enough for test inputs. */
static uint64_t rnd(Rng *r)
{
    uint64_t z = (r->s += 0x9e3779b97f4a7c15ull);

    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
}

static uint64_t below(Rng *r, uint64_t n)
{
    return n ? rnd(r) % n : 0;
}

static bool pct(Rng *r, int p)
{
    return (int)below(r, 100) < p;
}

typedef struct Impl {
    const GpuvmReplayBackend *be;
    void *vm;
    GArray *ops;
    GArray *maps;
} Impl;

#define N_IMPL 3

typedef struct Req {
    bool map;
    uint64_t addr, range, offset;
    int bo;
} Req;

static void print_req(FILE *f, const Req *q)
{
    if (q->map) {
        fprintf(f, "# map 0x%" PRIx64 " 0x%" PRIx64 " bo%d 0x%" PRIx64 "\n",
                q->addr, q->range, q->bo, q->offset);
    } else {
        fprintf(f, "# unmap 0x%" PRIx64 " 0x%" PRIx64 "\n", q->addr,
                q->range);
    }
}

static void print_ops(FILE *f, const char *who, int ret, GArray *ops,
                      char *const *names)
{
    guint i;

    fprintf(f, "# %s: ret %d\n", who, ret);
    for (i = 0; i < ops->len; i++) {
        fputs("#   ", f);
        gpuvm_replay_print_op(f, &g_array_index(ops, GpuvmReplayOp, i),
                              names);
    }
}

static void gen(Rng *r, const Shape *s, Impl *ref, Req *q)
{
    uint64_t pages = s->range / s->page;

    q->map = pct(r, 60);
    q->range = s->page * (1 + below(r, MIN(s->max_pages, pages)));
    q->addr = s->window ? s->window_base + s->page * below(r, s->window)
                        : s->start + s->page * below(r, pages);
    if (pct(r, s->invalid_pct)) {
        switch (below(r, 4)) {
        case 0:     /* sticks out of the end */
            q->addr = s->start + s->range - s->page * below(r, 2);
            break;
        case 1:     /* starts below the space */
            q->addr = s->start - s->page * (1 + below(r, 2));
            break;
        case 2:     /* wraps around 2^64 */
            q->range = UINT64_MAX - below(r, 4) * s->page;
            break;
        default:    /* overlaps the reserved window (if any) */
            if (s->rsv_range) {
                q->addr = s->rsv_start - s->page * below(r, 2);
            }
            break;
        }
    }
    q->bo = pct(r, s->no_bo_pct) ? GPUVM_REPLAY_NO_BO
                                 : (int)below(r, s->n_bos);
    if (pct(r, s->wild_offset_pct)) {
        q->offset = rnd(r);
    } else {
        q->offset = s->page * below(r, 16);
    }
    if (pct(r, s->contig_pct)) {
        /* Contiguous with the mapping at or after addr: keep candidates. */
        GpuvmReplayMap *m = NULL;
        guint i;

        g_array_set_size(ref->maps, 0);
        ref->be->dump(ref->vm, ref->maps);
        for (i = 0; i < ref->maps->len; i++) {
            m = &g_array_index(ref->maps, GpuvmReplayMap, i);
            if (m->addr + m->range > q->addr) {
                break;
            }
        }
        if (m && i < ref->maps->len) {
            q->bo = m->bo;
            q->offset = m->offset + (q->addr - m->addr);
        }
    }
}

static bool same_ops(GArray *a, GArray *b)
{
    guint i;

    if (a->len != b->len) {
        return false;
    }
    for (i = 0; i < a->len; i++) {
        if (!gpuvm_replay_op_equal(&g_array_index(a, GpuvmReplayOp, i),
                                   &g_array_index(b, GpuvmReplayOp, i))) {
            return false;
        }
    }
    return true;
}

static bool same_maps(GArray *a, GArray *b)
{
    guint i;

    if (a->len != b->len) {
        return false;
    }
    for (i = 0; i < a->len; i++) {
        GpuvmReplayMap *x = &g_array_index(a, GpuvmReplayMap, i);
        GpuvmReplayMap *y = &g_array_index(b, GpuvmReplayMap, i);

        if (x->addr != y->addr || x->range != y->range || x->bo != y->bo ||
            x->offset != y->offset) {
            return false;
        }
    }
    return true;
}

typedef struct Stats {
    unsigned long requests, errors, ops, remaps, unmaps, keeps, dumps;
} Stats;

static bool run_shape(const Shape *s, Rng *r, unsigned long n, bool verbose,
                      Stats *st, char *const *names)
{
    static const GpuvmReplayBackend *const bes[N_IMPL] = {
        &gpuvm_replay_upstream, &gpuvm_replay_core_list,
        &gpuvm_replay_core_callbacks,
    };
    Impl impl[N_IMPL];
    bool ok = true;
    unsigned long i;
    int k, err;
    uint64_t pages = s->range / s->page;

    for (k = 0; k < N_IMPL; k++) {
        impl[k].be = bes[k];
        impl[k].vm = bes[k]->vm_new(s->start, s->range, s->rsv_start,
                                    s->rsv_range, &err);
        g_assert(impl[k].vm);
        impl[k].ops = g_array_new(false, true, sizeof(GpuvmReplayOp));
        impl[k].maps = g_array_new(false, true, sizeof(GpuvmReplayMap));
    }
    for (i = 0; i < n && ok; i++) {
        Req q;
        int ret[N_IMPL];
        guint j;

        gen(r, s, &impl[1], &q);
        if (verbose) {
            print_req(stdout, &q);
        }
        for (k = 0; k < N_IMPL; k++) {
            g_array_set_size(impl[k].ops, 0);
            ret[k] = q.map ? impl[k].be->map(impl[k].vm, q.addr, q.range,
                                             q.bo, q.offset, impl[k].ops)
                           : impl[k].be->unmap(impl[k].vm, q.addr, q.range,
                                               impl[k].ops);
        }
        for (k = 1; k < N_IMPL; k++) {
            if (ret[k] != ret[0] || !same_ops(impl[k].ops, impl[0].ops)) {
                printf("# MISMATCH at request %lu of shape %s\n", i,
                       s->name);
                print_req(stdout, &q);
                print_ops(stdout, impl[0].be->name, ret[0], impl[0].ops,
                          names);
                print_ops(stdout, impl[k].be->name, ret[k], impl[k].ops,
                          names);
                ok = false;
                break;
            }
        }
        st->requests++;
        st->errors += ret[0] != 0;
        st->ops += impl[0].ops->len;
        for (j = 0; j < impl[0].ops->len; j++) {
            GpuvmReplayOp *op = &g_array_index(impl[0].ops, GpuvmReplayOp, j);

            st->remaps += op->type == GPUVM_REPLAY_REMAP;
            st->unmaps += op->type == GPUVM_REPLAY_UNMAP;
            st->keeps += op->type != GPUVM_REPLAY_MAP && op->keep;
        }
        /* Whole tables: every request for small spaces, else now and then. */
        if (ok && (pages <= 4096 || i % 512 == 0 || i + 1 == n)) {
            st->dumps++;
            for (k = 0; k < N_IMPL; k++) {
                g_array_set_size(impl[k].maps, 0);
                impl[k].be->dump(impl[k].vm, impl[k].maps);
            }
            for (k = 1; k < N_IMPL && ok; k++) {
                if (!same_maps(impl[k].maps, impl[0].maps)) {
                    printf("# TABLE MISMATCH after request %lu of %s (%s)\n",
                           i, s->name, impl[k].be->name);
                    ok = false;
                }
            }
        }
    }
    for (k = 0; k < N_IMPL; k++) {
        impl[k].be->vm_free(impl[k].vm);
        g_array_free(impl[k].ops, true);
        g_array_free(impl[k].maps, true);
    }
    return ok;
}

int main(int argc, char **argv)
{
    uint64_t seed = DEFAULT_SEED;
    unsigned long per_shape = DEFAULT_REQUESTS;
    bool verbose = false;
    const char *env = getenv("NVVB_GPUVM_DIFF_SEED");
    char *names[300];
    Stats total = { 0 };
    int i, failed = 0;
    guint s;

    if (env) {
        seed = g_ascii_strtoull(env, NULL, 0);
    }
    for (i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--seed") && i + 1 < argc) {
            seed = g_ascii_strtoull(argv[++i], NULL, 0);
        } else if (!strcmp(argv[i], "--requests") && i + 1 < argc) {
            per_shape = strtoul(argv[++i], NULL, 0);
        } else if (!strcmp(argv[i], "--verbose")) {
            verbose = true;
        } else {
            fprintf(stderr, "usage: %s [--seed N] [--requests N-PER-SHAPE] "
                    "[--verbose]\n", argv[0]);
            return 2;
        }
    }
    for (i = 0; i < (int)G_N_ELEMENTS(names); i++) {
        names[i] = g_strdup_printf("bo%d", i);
    }

    printf("# drm_gpuvm.c from linux-source %s\n", GPUVM_UPSTREAM_VERSION);
    printf("# seed 0x%" PRIx64 " (--seed N or NVVB_GPUVM_DIFF_SEED=N to "
           "change), %lu requests per shape\n", seed, per_shape);
    printf("1..%u\n", (unsigned)G_N_ELEMENTS(shapes) + 1);
    for (s = 0; s < G_N_ELEMENTS(shapes); s++) {
        Rng r = { seed ^ (0x1000193ull * (s + 1)) };
        Stats st = { 0 };
        bool ok = run_shape(&shapes[s], &r, per_shape, verbose, &st, names);

        printf("%s %u - %s: %lu requests, %lu ops (%lu remap, %lu unmap, "
               "%lu keep), %lu errors, %lu table compares\n",
               ok ? "ok" : "not ok", s + 1, shapes[s].name, st.requests,
               st.ops, st.remaps, st.unmaps, st.keeps, st.errors, st.dumps);
        failed += !ok;
        total.requests += st.requests;
        total.ops += st.ops;
        total.keeps += st.keeps;
    }
    printf("%s %u - drm_gpuvm raised no WARN (%lu)\n",
           shim_warnings ? "not ok" : "ok",
           (unsigned)G_N_ELEMENTS(shapes) + 1, shim_warnings);
    failed += shim_warnings != 0;
    printf("# total: %lu requests, %lu ops, %lu keep, all identical: %s\n",
           total.requests, total.ops, total.keeps, failed ? "no" : "yes");
    for (i = 0; i < (int)G_N_ELEMENTS(names); i++) {
        g_free(names[i]);
    }
    return failed ? 1 : 0;
}
