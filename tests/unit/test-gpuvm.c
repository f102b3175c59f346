/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Unit tests of nv-vmbind's GPUVM (hw/display/nv-vmbind/core/gpuvm.c, gpuvm-bo.c).
 *
 * The expected ops are written by hand from drm_gpuvm's "Split and Merge"
 * DOC (Linux 6.12 drivers/gpu/drm/drm_gpuvm.c), in the nvvb-gpuvm output
 * format.  The differential test (tests/gpuvm-upstream) checks the same
 * semantics against the kernel's own code on random requests.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gpuvm.h"
#include "gpuvm-bo.h"
#include "gpuvm-tree.h"

#define P 0x1000ull          /* one "page" of the DOC diagrams */
#define N 0x100000ull        /* bo_offset n of the diagrams */
#define M 0x200000ull        /* bo_offset m */

/* BOs named by their handle: 'a', 'b', 'c'. */
static NvvbBo *bo_a, *bo_b, *bo_c, *bo_ext;

static void bos_new(void)
{
    bo_a = nvvb_bo_new('a', 0, 0, NULL);
    bo_b = nvvb_bo_new('b', 0, 0, NULL);
    bo_c = nvvb_bo_new('c', 0, 0, NULL);
    bo_ext = nvvb_bo_new('x', 0, 42, NULL);
}

static void bos_free(void)
{
    g_assert_cmpint(nvvb_bo_vm_bo_count(bo_a), ==, 0);
    g_assert_cmpint(nvvb_bo_vm_bo_count(bo_b), ==, 0);
    nvvb_bo_unref(bo_a);
    nvvb_bo_unref(bo_b);
    nvvb_bo_unref(bo_c);
    nvvb_bo_unref(bo_ext);
}

static NvvbGpuVm *vm_new(uint64_t start, uint64_t range,
                         uint64_t rs, uint64_t rr)
{
    NvvbGpuVm *vm;

    g_assert_cmpint(nvvb_gpuvm_new(&vm, "test", start, range, rs, rr, 0),
                    ==, 0);
    nvvb_gpuvm_lock(vm);
    return vm;
}

static void vm_free(NvvbGpuVm *vm)
{
    nvvb_gpuvm_unlock(vm);
    nvvb_gpuvm_destroy(vm);
}

static char bo_name(const NvvbBo *bo)
{
    return bo ? (char)bo->handle : '-';
}

static void piece(GString *s, const char *key, bool has,
                  const NvvbGpuVaOpMap *m)
{
    if (has) {
        g_string_append_printf(s, " %s=0x%" PRIx64 ":0x%" PRIx64 ":%c:0x%"
                               PRIx64, key, m->addr, m->range,
                               bo_name(m->bo), m->bo_offset);
    } else {
        g_string_append_printf(s, " %s=-", key);
    }
}

/* One op in nvvb-gpuvm's format. */
static char *op_str(const NvvbGpuVaOp *op)
{
    GString *s = g_string_new(NULL);
    const NvvbGpuVa *va;

    switch (op->type) {
    case NVVB_GPUVA_OP_MAP:
        g_string_printf(s, "map 0x%" PRIx64 " 0x%" PRIx64 " %c 0x%" PRIx64,
                        op->map.addr, op->map.range, bo_name(op->map.bo),
                        op->map.bo_offset);
        break;
    case NVVB_GPUVA_OP_REMAP:
        va = op->remap.unmap.va;
        g_string_printf(s, "remap 0x%" PRIx64 " 0x%" PRIx64 " %c 0x%" PRIx64
                        " keep=%d", va->addr, va->range, bo_name(va->bo),
                        va->bo_offset, op->remap.unmap.keep);
        piece(s, "prev", op->remap.has_prev, &op->remap.prev);
        piece(s, "next", op->remap.has_next, &op->remap.next);
        break;
    case NVVB_GPUVA_OP_UNMAP:
        va = op->unmap.va;
        g_string_printf(s, "unmap 0x%" PRIx64 " 0x%" PRIx64 " %c 0x%" PRIx64
                        " keep=%d", va->addr, va->range, bo_name(va->bo),
                        va->bo_offset, op->unmap.keep);
        break;
    }
    return g_string_free(s, false);
}

static void check_ops(NvvbGpuVaOps *ops, const char *const *want)
{
    guint i;

    for (i = 0; want[i]; i++) {
        char *got;

        g_assert_cmpuint(i, <, ops->n_ops);
        got = op_str(&ops->ops[i]);
        g_assert_cmpstr(got, ==, want[i]);
        g_free(got);
    }
    g_assert_cmpuint(ops->n_ops, ==, i);
}

static void check_table(NvvbGpuVm *vm, const char *const *want)
{
    NvvbGpuVa *va;
    guint i = 0;

    NVVB_GPUVM_FOREACH_VA(va, vm) {
        char *got = g_strdup_printf("va 0x%" PRIx64 " 0x%" PRIx64 " %c 0x%"
                                    PRIx64, va->addr, va->range,
                                    bo_name(va->bo), va->bo_offset);

        g_assert_nonnull(want[i]);
        g_assert_cmpstr(got, ==, want[i]);
        g_free(got);
        i++;
    }
    g_assert_null(want[i]);
    g_assert_cmpuint(nvvb_gpuvm_count(vm), ==, i);
}

static void map_ok(NvvbGpuVm *vm, uint64_t addr, uint64_t range, NvvbBo *bo,
                   uint64_t off)
{
    NvvbGpuVaOps *ops;

    g_assert_cmpint(nvvb_gpuvm_sm_map_ops_create(vm, addr, range, bo, off,
                                                 &ops), ==, 0);
    g_assert_cmpint(nvvb_gpuvm_ops_apply(vm, ops, NULL), ==, 0);
    nvvb_gpuva_ops_free(ops);
}

/* Map @req on a VM holding @old (addr, range, bo, offset) and compare. */
typedef struct Case {
    const NvvbGpuVaOpMap old[2];
    NvvbGpuVaOpMap req;
    const char *ops[8];
    const char *table[8];
} Case;

static void run_case(const Case *c, NvvbBo *a, NvvbBo *b)
{
    NvvbGpuVm *vm = vm_new(0, 16 * P, 0, 0);
    NvvbGpuVaOps *ops;
    NvvbBo *req_bo = c->req.bo == (NvvbBo *)1 ? a : b;
    guint i;

    for (i = 0; i < 2 && c->old[i].range; i++) {
        map_ok(vm, c->old[i].addr, c->old[i].range, a, c->old[i].bo_offset);
    }
    g_assert_cmpint(nvvb_gpuvm_sm_map_ops_create(vm, c->req.addr,
                                                 c->req.range, req_bo,
                                                 c->req.bo_offset, &ops),
                    ==, 0);
    check_ops(ops, c->ops);
    g_assert_cmpint(nvvb_gpuvm_ops_apply(vm, ops, NULL), ==, 0);
    nvvb_gpuva_ops_free(ops);
    check_table(vm, c->table);
    vm_free(vm);
}

/* In Case.req.bo: (NvvbBo *)1 = the old mappings' BO "a", else "b". */
#define SAME ((NvvbBo *)1)
#define OTHER ((NvvbBo *)2)

static void run(gconstpointer data)
{
    bos_new();
    run_case(data, bo_a, bo_b);
    bos_free();
}

/* The 15 cases of drm_gpuvm's DOC "Split and Merge", numbers as there. */
static const Case doc_cases[] = {
    /* 1) identical: replace it, but the PTEs could be kept. */
    { { { 0, P, NULL, N } }, { 0, P, SAME, N },
      { "unmap 0x0 0x1000 a 0x100000 keep=1", "map 0x0 0x1000 a 0x100000" },
      { "va 0x0 0x1000 a 0x100000" } },
    /* 2) identical except the BO offset: replace. */
    { { { 0, P, NULL, N } }, { 0, P, SAME, M },
      { "unmap 0x0 0x1000 a 0x100000 keep=0", "map 0x0 0x1000 a 0x200000" },
      { "va 0x0 0x1000 a 0x200000" } },
    /* 3) identical except the BO: replace. */
    { { { 0, P, NULL, N } }, { 0, P, OTHER, N },
      { "unmap 0x0 0x1000 a 0x100000 keep=0", "map 0x0 0x1000 b 0x100000" },
      { "va 0x0 0x1000 b 0x100000" } },
    /* 4) old is a left-aligned subset of the request: replace it. */
    { { { 0, P, NULL, N } }, { 0, 2 * P, SAME, N },
      { "unmap 0x0 0x1000 a 0x100000 keep=1", "map 0x0 0x2000 a 0x100000" },
      { "va 0x0 0x2000 a 0x100000" } },
    /* 5) request is a left-aligned subset, other BO: split, offset moves. */
    { { { 0, 2 * P, NULL, N } }, { 0, P, OTHER, N },
      { "remap 0x0 0x2000 a 0x100000 keep=0 prev=- "
        "next=0x1000:0x1000:a:0x101000",
        "map 0x0 0x1000 b 0x100000" },
      { "va 0x0 0x1000 b 0x100000", "va 0x1000 0x1000 a 0x101000" } },
    /* 6) old is a superset, same BO and offset: split, keep. */
    { { { 0, 2 * P, NULL, N } }, { 0, P, SAME, N },
      { "remap 0x0 0x2000 a 0x100000 keep=1 prev=- "
        "next=0x1000:0x1000:a:0x101000",
        "map 0x0 0x1000 a 0x100000" },
      { "va 0x0 0x1000 a 0x100000", "va 0x1000 0x1000 a 0x101000" } },
    /* 7) request is a right-aligned subset, other BO: split. */
    { { { 0, 2 * P, NULL, N } }, { P, P, OTHER, M },
      { "remap 0x0 0x2000 a 0x100000 keep=0 prev=0x0:0x1000:a:0x100000 "
        "next=-",
        "map 0x1000 0x1000 b 0x200000" },
      { "va 0x0 0x1000 a 0x100000", "va 0x1000 0x1000 b 0x200000" } },
    /* 8) old is a superset, contiguous offset n+1: split, keep. */
    { { { 0, 2 * P, NULL, N } }, { P, P, SAME, N + P },
      { "remap 0x0 0x2000 a 0x100000 keep=1 prev=0x0:0x1000:a:0x100000 "
        "next=-",
        "map 0x1000 0x1000 a 0x101000" },
      { "va 0x0 0x1000 a 0x100000", "va 0x1000 0x1000 a 0x101000" } },
    /* 9) old overlapped at its end by another BO: split. */
    { { { 0, 2 * P, NULL, N } }, { P, 2 * P, OTHER, M },
      { "remap 0x0 0x2000 a 0x100000 keep=0 prev=0x0:0x1000:a:0x100000 "
        "next=-",
        "map 0x1000 0x2000 b 0x200000" },
      { "va 0x0 0x1000 a 0x100000", "va 0x1000 0x2000 b 0x200000" } },
    /* 10) old overlapped at its end, same BO contiguous: split, keep. */
    { { { 0, 2 * P, NULL, N } }, { P, 2 * P, SAME, N + P },
      { "remap 0x0 0x2000 a 0x100000 keep=1 prev=0x0:0x1000:a:0x100000 "
        "next=-",
        "map 0x1000 0x2000 a 0x101000" },
      { "va 0x0 0x1000 a 0x100000", "va 0x1000 0x2000 a 0x101000" } },
    /* 11) request centred in old, other BO: two pieces, right one moves. */
    { { { 0, 3 * P, NULL, N } }, { P, P, OTHER, M },
      { "remap 0x0 0x3000 a 0x100000 keep=0 prev=0x0:0x1000:a:0x100000 "
        "next=0x2000:0x1000:a:0x102000",
        "map 0x1000 0x1000 b 0x200000" },
      { "va 0x0 0x1000 a 0x100000", "va 0x1000 0x1000 b 0x200000",
        "va 0x2000 0x1000 a 0x102000" } },
    /* 12) request a contiguous centred subset: two pieces, keep. */
    { { { 0, 3 * P, NULL, N } }, { P, P, SAME, N + P },
      { "remap 0x0 0x3000 a 0x100000 keep=1 prev=0x0:0x1000:a:0x100000 "
        "next=0x2000:0x1000:a:0x102000",
        "map 0x1000 0x1000 a 0x101000" },
      { "va 0x0 0x1000 a 0x100000", "va 0x1000 0x1000 a 0x101000",
        "va 0x2000 0x1000 a 0x102000" } },
    /* 13) old is a right-aligned subset of the request: replace, keep. */
    { { { P, P, NULL, N + P } }, { 0, 2 * P, SAME, N },
      { "unmap 0x1000 0x1000 a 0x101000 keep=1", "map 0x0 0x2000 a 0x100000" },
      { "va 0x0 0x2000 a 0x100000" } },
    /* 14) old is a centred subset of the request: replace, keep. */
    { { { P, P, NULL, N + P } }, { 0, 3 * P, SAME, N },
      { "unmap 0x1000 0x1000 a 0x101000 keep=1", "map 0x0 0x3000 a 0x100000" },
      { "va 0x0 0x3000 a 0x100000" } },
    /*
     * 15) old overlapped at its start by another BO: split, offset moves.
     * The DOC diagram labels the piece n+2; the code gives n+1 (the piece
     * starts one page into the old mapping), as does the kernel build in
     * the differential test.
     */
    { { { P, 2 * P, NULL, N } }, { 0, 2 * P, OTHER, M },
      { "remap 0x1000 0x2000 a 0x100000 keep=0 prev=- "
        "next=0x2000:0x1000:a:0x101000",
        "map 0x0 0x2000 b 0x200000" },
      { "va 0x0 0x2000 b 0x200000", "va 0x2000 0x1000 a 0x101000" } },
};

/* The DOC's notes: 4, 5, 13 and 14 give the same ops with another BO or a
 * non-contiguous offset, except that `keep` is 0. */
static const Case doc_notes[] = {
    { { { 0, P, NULL, N } }, { 0, 2 * P, OTHER, N },
      { "unmap 0x0 0x1000 a 0x100000 keep=0", "map 0x0 0x2000 b 0x100000" },
      { "va 0x0 0x2000 b 0x100000" } },
    { { { 0, P, NULL, N } }, { 0, 2 * P, SAME, M },
      { "unmap 0x0 0x1000 a 0x100000 keep=0", "map 0x0 0x2000 a 0x200000" },
      { "va 0x0 0x2000 a 0x200000" } },
    { { { 0, 2 * P, NULL, N } }, { 0, P, SAME, M },
      { "remap 0x0 0x2000 a 0x100000 keep=0 prev=- "
        "next=0x1000:0x1000:a:0x101000",
        "map 0x0 0x1000 a 0x200000" },
      { "va 0x0 0x1000 a 0x200000", "va 0x1000 0x1000 a 0x101000" } },
    { { { P, P, NULL, N + P } }, { 0, 2 * P, OTHER, N },
      { "unmap 0x1000 0x1000 a 0x101000 keep=0", "map 0x0 0x2000 b 0x100000" },
      { "va 0x0 0x2000 b 0x100000" } },
    { { { P, P, NULL, N } }, { 0, 3 * P, SAME, N },
      { "unmap 0x1000 0x1000 a 0x100000 keep=0", "map 0x0 0x3000 a 0x100000" },
      { "va 0x0 0x3000 a 0x100000" } },
};

/* sm_map across several mappings: two remaps around unmaps, then the map. */
static void test_map_spanning(void)
{
    NvvbGpuVm *vm;
    NvvbGpuVaOps *ops;
    static const char *const want[] = {
        "remap 0x0 0x2000 a 0x0 keep=0 prev=0x0:0x1000:a:0x0 next=-",
        "unmap 0x2000 0x1000 b 0x0 keep=0",
        "unmap 0x3000 0x1000 c 0x4000 keep=1",
        "remap 0x4000 0x2000 b 0x10000 keep=0 prev=- "
        "next=0x5000:0x1000:b:0x11000",
        "map 0x1000 0x4000 c 0x2000",
        NULL
    };
    static const char *const table[] = {
        "va 0x0 0x1000 a 0x0", "va 0x1000 0x4000 c 0x2000",
        "va 0x5000 0x1000 b 0x11000", NULL
    };

    bos_new();
    vm = vm_new(0, 16 * P, 0, 0);
    map_ok(vm, 0, 2 * P, bo_a, 0);
    map_ok(vm, 2 * P, P, bo_b, 0);
    map_ok(vm, 3 * P, P, bo_c, 0x4000);
    map_ok(vm, 4 * P, 2 * P, bo_b, 0x10000);
    g_assert_cmpint(nvvb_gpuvm_sm_map_ops_create(vm, P, 4 * P, bo_c, 0x2000,
                                                 &ops), ==, 0);
    check_ops(ops, want);
    g_assert_cmpint(nvvb_gpuvm_ops_apply(vm, ops, NULL), ==, 0);
    nvvb_gpuva_ops_free(ops);
    check_table(vm, table);
    vm_free(vm);
    bos_free();
}

/* A mapping without BO is never `keep`, even when "contiguous". */
static void test_map_no_bo_never_keep(void)
{
    NvvbGpuVm *vm;
    NvvbGpuVaOps *ops;
    static const char *const want[] = {
        "unmap 0x0 0x1000 - 0x0 keep=0", "map 0x0 0x1000 - 0x0", NULL
    };

    bos_new();
    vm = vm_new(0, 16 * P, 0, 0);
    map_ok(vm, 0, P, NULL, 0);
    g_assert_cmpint(nvvb_gpuvm_sm_map_ops_create(vm, 0, P, NULL, 0, &ops),
                    ==, 0);
    check_ops(ops, want);
    nvvb_gpuva_ops_free(ops);
    vm_free(vm);
    bos_free();
}

typedef struct UnmapCase {
    const char *name;
    const char *const *setup;      /* NULL-terminated "addr range bo off" */
    uint64_t addr, range;
    const char *ops[8];
    const char *table[8];
} UnmapCase;

static void setup_maps(NvvbGpuVm *vm, const char *const *setup)
{
    guint i;

    for (i = 0; setup[i]; i++) {
        uint64_t a, r, o;
        char b;

        g_assert_cmpint(sscanf(setup[i], "%" SCNx64 " %" SCNx64 " %c %"
                               SCNx64, &a, &r, &b, &o), ==, 4);
        map_ok(vm, a, r, b == 'a' ? bo_a : b == 'b' ? bo_b : NULL, o);
    }
}

static const char *const setup_one[] = { "0 4000 a 100000", NULL };
static const char *const setup_many[] = {
    "0 1000 a 0", "1000 1000 b 0", "3000 2000 a 3000", "5000 2000 b 5000",
    NULL
};
static const char *const setup_holes[] = {
    "0 2000 a 0", "3000 1000 b 0", "5000 3000 a 5000", NULL
};

static const UnmapCase unmap_cases[] = {
    { "inside", setup_one, P, P,
      { "remap 0x0 0x4000 a 0x100000 keep=0 prev=0x0:0x1000:a:0x100000 "
        "next=0x2000:0x2000:a:0x102000" },
      { "va 0x0 0x1000 a 0x100000", "va 0x2000 0x2000 a 0x102000" } },
    { "exact", setup_one, 0, 4 * P,
      { "unmap 0x0 0x4000 a 0x100000 keep=0" }, { NULL } },
    { "straddle-start", setup_one, 0x3000, 0x3000,
      { "remap 0x0 0x4000 a 0x100000 keep=0 prev=0x0:0x3000:a:0x100000 "
        "next=-" },
      { "va 0x0 0x3000 a 0x100000" } },
    { "left-aligned", setup_one, 0, 0x1000,
      { "remap 0x0 0x4000 a 0x100000 keep=0 prev=- "
        "next=0x1000:0x3000:a:0x101000" },
      { "va 0x1000 0x3000 a 0x101000" } },
    { "spanning-many", setup_many, 0, 8 * P,
      { "unmap 0x0 0x1000 a 0x0 keep=0", "unmap 0x1000 0x1000 b 0x0 keep=0",
        "unmap 0x3000 0x2000 a 0x3000 keep=0",
        "unmap 0x5000 0x2000 b 0x5000 keep=0" },
      { NULL } },
    { "holes-and-edges", setup_holes, P, 5 * P,
      { "remap 0x0 0x2000 a 0x0 keep=0 prev=0x0:0x1000:a:0x0 next=-",
        "unmap 0x3000 0x1000 b 0x0 keep=0",
        "remap 0x5000 0x3000 a 0x5000 keep=0 prev=- "
        "next=0x6000:0x2000:a:0x6000" },
      { "va 0x0 0x1000 a 0x0", "va 0x6000 0x2000 a 0x6000" } },
    { "only-a-hole", setup_holes, 2 * P, P, { NULL },
      { "va 0x0 0x2000 a 0x0", "va 0x3000 0x1000 b 0x0",
        "va 0x5000 0x3000 a 0x5000" } },
    { "beyond-last", setup_holes, 8 * P, 8 * P, { NULL },
      { "va 0x0 0x2000 a 0x0", "va 0x3000 0x1000 b 0x0",
        "va 0x5000 0x3000 a 0x5000" } },
};

static void run_unmap(gconstpointer data)
{
    const UnmapCase *c = data;
    NvvbGpuVm *vm;
    NvvbGpuVaOps *ops;

    bos_new();
    vm = vm_new(0, 16 * P, 0, 0);
    setup_maps(vm, c->setup);
    g_assert_cmpint(nvvb_gpuvm_sm_unmap_ops_create(vm, c->addr, c->range,
                                                   &ops), ==, 0);
    check_ops(ops, c->ops);
    g_assert_cmpint(nvvb_gpuvm_ops_apply(vm, ops, NULL), ==, 0);
    nvvb_gpuva_ops_free(ops);
    check_table(vm, c->table);
    vm_free(vm);
    bos_free();
}

/* --- errors --------------------------------------------------------- */

static void test_vm_new_errors(void)
{
    NvvbGpuVm *vm = (NvvbGpuVm *)&vm;

    g_assert_cmpint(nvvb_gpuvm_new(&vm, NULL, 0, 0, 0, 0, 0), ==, -EINVAL);
    g_assert_null(vm);
    g_assert_cmpint(nvvb_gpuvm_new(&vm, NULL, 1, UINT64_MAX, 0, 0, 0), ==,
                    -EINVAL);
    /* [2^64 - 1, 2^64) would end at 2^64: overflow, refused. */
    g_assert_cmpint(nvvb_gpuvm_new(&vm, NULL, UINT64_MAX, 1, 0, 0, 0), ==,
                    -EINVAL);
    /* Reserved windows that overflow, start below or end beyond. */
    g_assert_cmpint(nvvb_gpuvm_new(&vm, NULL, P, 16 * P, 2 * P, UINT64_MAX,
                                   0), ==, -EINVAL);
    g_assert_cmpint(nvvb_gpuvm_new(&vm, NULL, P, 16 * P, 0, 2 * P, 0), ==,
                    -EINVAL);
    g_assert_cmpint(nvvb_gpuvm_new(&vm, NULL, P, 16 * P, 16 * P, 2 * P, 0),
                    ==, -EINVAL);
    g_assert_null(vm);
    /* The extremes are fine. */
    g_assert_cmpint(nvvb_gpuvm_new(&vm, NULL, 0, UINT64_MAX, 0, 0, 0), ==, 0);
    nvvb_gpuvm_destroy(vm);
    g_assert_cmpint(nvvb_gpuvm_new(&vm, NULL, P, 16 * P, P, 16 * P, 0), ==,
                    0);
    nvvb_gpuvm_destroy(vm);
}

static int count_step(NvvbGpuVaOp *op, void *priv)
{
    (*(int *)priv)++;
    return 0;
}

static const NvvbGpuVmSmOps counting = {
    .step_map = count_step, .step_remap = count_step,
    .step_unmap = count_step,
};

/* Every invalid range: -EINVAL from all four entry points, no callback, no
 * change.  VM [0x10000, 0x30000) with reserved [0x18000, 0x1c000). */
static void test_range_errors(void)
{
    static const struct {
        uint64_t addr, range;
    } bad[] = {
        { 0x10000, 0 },                     /* empty */
        { 0x20000, 0 },
        { UINT64_MAX - P + 1, 2 * P },      /* wraps */
        { 0x10000, UINT64_MAX },
        { 0xf000, 0x2000 },                 /* starts below the space */
        { 0x0, 0x1000 },
        { 0x2f000, 0x2000 },                /* ends beyond it */
        { 0x30000, 0x1000 },
        { 0x17000, 0x2000 },                /* touches reserved from left */
        { 0x1b000, 0x2000 },                /* from right */
        { 0x19000, 0x1000 },                /* inside it */
        { 0x18000, 0x4000 },                /* exactly it */
        { 0x10000, 0x20000 },               /* covers it */
    };
    NvvbGpuVm *vm;
    guint i;
    static const char *const table[] = {
        "va 0x10000 0x8000 a 0x0", "va 0x1c000 0x14000 b 0x0", NULL
    };

    bos_new();
    vm = vm_new(0x10000, 0x20000, 0x18000, 0x4000);
    /* Right up to the reserved window on both sides is valid. */
    map_ok(vm, 0x10000, 0x8000, bo_a, 0);
    map_ok(vm, 0x1c000, 0x14000, bo_b, 0);
    for (i = 0; i < G_N_ELEMENTS(bad); i++) {
        NvvbGpuVaOps *ops = (NvvbGpuVaOps *)&ops;
        int calls = 0;

        g_test_message("bad range 0x%" PRIx64 " + 0x%" PRIx64, bad[i].addr,
                       bad[i].range);
        g_assert_false(nvvb_gpuvm_range_valid(vm, bad[i].addr,
                                              bad[i].range));
        g_assert_cmpint(nvvb_gpuvm_sm_map_ops_create(vm, bad[i].addr,
                                                     bad[i].range, bo_a, 0,
                                                     &ops), ==, -EINVAL);
        g_assert_null(ops);
        g_assert_cmpint(nvvb_gpuvm_sm_unmap_ops_create(vm, bad[i].addr,
                                                       bad[i].range, &ops),
                        ==, -EINVAL);
        g_assert_null(ops);
        g_assert_cmpint(nvvb_gpuvm_sm_map(vm, &counting, &calls, bad[i].addr,
                                          bad[i].range, bo_a, 0), ==,
                        -EINVAL);
        g_assert_cmpint(nvvb_gpuvm_sm_unmap(vm, &counting, &calls,
                                            bad[i].addr, bad[i].range), ==,
                        -EINVAL);
        g_assert_cmpint(calls, ==, 0);
        check_table(vm, table);
    }
    vm_free(vm);
    bos_free();
}

static int fail_step(NvvbGpuVaOp *op, void *priv)
{
    int *calls = priv;

    return ++*calls == 2 ? -EIO : 0;
}

static void test_callback_errors(void)
{
    static const NvvbGpuVmSmOps no_map = {
        .step_remap = count_step, .step_unmap = count_step,
    };
    static const NvvbGpuVmSmOps failing = {
        .step_map = fail_step, .step_remap = fail_step,
        .step_unmap = fail_step,
    };
    NvvbGpuVm *vm;
    int calls = 0;

    bos_new();
    vm = vm_new(0, 16 * P, 0, 0);
    map_ok(vm, 0, P, bo_a, 0);
    map_ok(vm, P, P, bo_a, 0);
    map_ok(vm, 2 * P, P, bo_a, 0);
    /* sm_map needs all three callbacks, sm_unmap remap and unmap. */
    g_assert_cmpint(nvvb_gpuvm_sm_map(vm, &no_map, &calls, 0, P, bo_a, 0),
                    ==, -EINVAL);
    g_assert_cmpint(nvvb_gpuvm_sm_map(vm, NULL, &calls, 0, P, bo_a, 0), ==,
                    -EINVAL);
    g_assert_cmpint(nvvb_gpuvm_sm_unmap(vm, &no_map, &calls, 0, P), ==, 0);
    g_assert_cmpint(calls, ==, 1);
    /* A callback's error stops the walk and is returned. */
    calls = 0;
    g_assert_cmpint(nvvb_gpuvm_sm_map(vm, &failing, &calls, 0, 3 * P, bo_b,
                                      0), ==, -EIO);
    g_assert_cmpint(calls, ==, 2);
    g_assert_cmpuint(nvvb_gpuvm_count(vm), ==, 3);
    vm_free(vm);
    bos_free();
}

static void test_insert_restore_errors(void)
{
    NvvbGpuVm *vm;
    NvvbGpuVa *va;
    NvvbGpuVaOps *ops;
    const NvvbGpuVaOpMap overlap[] = {
        { 0, 2 * P, NULL, 0 }, { 4 * P, P, NULL, 0 }, { P, P, NULL, 0 },
    };
    const NvvbGpuVaOpMap outside[] = { { 0, P, NULL, 0 }, { 0, 64 * P } };
    const NvvbGpuVaOpMap good[] = {
        { 4 * P, P, NULL, 7 }, { 0, 2 * P, NULL, 0 },
    };
    static const char *const table[] = {
        "va 0x0 0x2000 - 0x0", "va 0x4000 0x1000 - 0x7", NULL
    };

    bos_new();
    vm = vm_new(0, 16 * P, 8 * P, P);
    va = nvvb_gpuva_new(8 * P, P, NULL, 0);
    g_assert_cmpint(nvvb_gpuva_insert(vm, va), ==, -EINVAL);   /* reserved */
    va->addr = 0;
    g_assert_cmpint(nvvb_gpuva_insert(vm, va), ==, 0);
    va = nvvb_gpuva_new(0, 2 * P, NULL, 0);
    g_assert_cmpint(nvvb_gpuva_insert(vm, va), ==, -EEXIST);
    nvvb_gpuva_free(va);

    g_assert_cmpint(nvvb_gpuvm_restore(vm, good, 2), ==, -EBUSY);
    nvvb_gpuvm_clear(vm);
    g_assert_cmpint(nvvb_gpuvm_restore(vm, overlap, 3), ==, -EEXIST);
    g_assert_cmpuint(nvvb_gpuvm_count(vm), ==, 0);
    g_assert_cmpint(nvvb_gpuvm_restore(vm, outside, 2), ==, -EINVAL);
    g_assert_cmpuint(nvvb_gpuvm_count(vm), ==, 0);
    g_assert_cmpint(nvvb_gpuvm_restore(vm, good, 2), ==, 0);
    check_table(vm, table);

    /* Applying ops twice: the second time they no longer fit. */
    g_assert_cmpint(nvvb_gpuvm_sm_unmap_ops_create(vm, 0, P, &ops), ==, 0);
    g_assert_cmpint(nvvb_gpuvm_ops_apply(vm, ops, NULL), ==, 0);
    g_assert_cmpint(nvvb_gpuvm_ops_apply(vm, ops, NULL), ==, -EINVAL);
    nvvb_gpuva_ops_free(ops);
    g_assert_cmpint(nvvb_gpuvm_sm_map_ops_create(vm, 6 * P, P, bo_a, 0,
                                                 &ops), ==, 0);
    g_assert_cmpint(nvvb_gpuvm_ops_apply(vm, ops, NULL), ==, 0);
    g_assert_cmpint(nvvb_gpuvm_ops_apply(vm, ops, NULL), ==, -EEXIST);
    nvvb_gpuva_ops_free(ops);
    vm_free(vm);
    bos_free();
}

/* --- lookups -------------------------------------------------------- */

static void test_lookup(void)
{
    NvvbGpuVm *vm;
    NvvbGpuVa *va;
    NvvbGpuVaOps *ops;
    uint64_t addrs[3];
    guint n = 0;

    bos_new();
    vm = vm_new(0, 64 * P, 0, 0);
    map_ok(vm, 2 * P, 2 * P, bo_a, 0);
    map_ok(vm, 8 * P, P, bo_b, 0);
    map_ok(vm, 9 * P, 3 * P, bo_a, 0);

    g_assert_null(nvvb_gpuva_find_first(vm, 0, 2 * P));
    g_assert_cmphex(nvvb_gpuva_find_first(vm, 0, 2 * P + 1)->addr, ==, 2 * P);
    g_assert_cmphex(nvvb_gpuva_find_first(vm, 3 * P, 8 * P)->addr, ==, 2 * P);
    g_assert_cmphex(nvvb_gpuva_find_first(vm, 4 * P, 8 * P)->addr, ==, 8 * P);
    g_assert_null(nvvb_gpuva_find_first(vm, 4 * P, 0));
    g_assert_nonnull(nvvb_gpuva_find(vm, 8 * P, P));
    g_assert_null(nvvb_gpuva_find(vm, 8 * P, 2 * P));
    g_assert_null(nvvb_gpuva_find(vm, 3 * P, P));
    g_assert_cmphex(nvvb_gpuva_find_from(vm, 0)->addr, ==, 2 * P);
    g_assert_cmphex(nvvb_gpuva_find_from(vm, 4 * P - 1)->addr, ==, 2 * P);
    g_assert_cmphex(nvvb_gpuva_find_from(vm, 4 * P)->addr, ==, 8 * P);
    g_assert_cmphex(nvvb_gpuva_find_from(vm, 11 * P)->addr, ==, 9 * P);
    g_assert_null(nvvb_gpuva_find_from(vm, 12 * P));
    g_assert_true(nvvb_gpuvm_interval_empty(vm, 4 * P, 4 * P));
    g_assert_false(nvvb_gpuvm_interval_empty(vm, 4 * P, 4 * P + 1));
    g_assert_cmpuint(nvvb_gpuvm_count(vm), ==, 3);
    NVVB_GPUVM_FOREACH_VA(va, vm) {
        addrs[n++] = va->addr;
    }
    g_assert_cmpuint(n, ==, 3);
    g_assert_true(addrs[0] == 2 * P && addrs[1] == 8 * P &&
                  addrs[2] == 9 * P);

    /* Removed mappings stay readable until the op list is freed. */
    g_assert_cmpint(nvvb_gpuvm_sm_unmap_ops_create(vm, 0, 64 * P, &ops), ==,
                    0);
    g_assert_cmpint(nvvb_gpuvm_ops_apply(vm, ops, NULL), ==, 0);
    g_assert_cmpuint(nvvb_gpuvm_count(vm), ==, 0);
    g_assert_cmphex(ops->ops[2].unmap.va->addr, ==, 9 * P);
    g_assert_true(ops->ops[2].unmap.va->bo == bo_a);
    nvvb_gpuva_ops_free(ops);
    vm_free(vm);
    bos_free();
}

/* Remap pieces inherit flags and priv; MAP takes the priv given. */
static void test_priv_inherited(void)
{
    NvvbGpuVm *vm;
    NvvbGpuVaOps *ops;
    NvvbGpuVa *va;
    int tag;

    bos_new();
    vm = vm_new(0, 64 * P, 0, 0);
    g_assert_cmpint(nvvb_gpuvm_sm_map_ops_create(vm, 0, 4 * P, bo_a, 0, &ops),
                    ==, 0);
    g_assert_cmpint(nvvb_gpuvm_ops_apply(vm, ops, &tag), ==, 0);
    nvvb_gpuva_ops_free(ops);
    nvvb_gpuva_first(vm)->flags |= NVVB_GPUVA_USERBITS;
    map_ok(vm, P, P, bo_b, 0);
    NVVB_GPUVM_FOREACH_VA(va, vm) {
        bool piece = va->bo == bo_a;

        g_assert_true(va->priv == (piece ? &tag : NULL));
        g_assert_cmpuint(va->flags, ==, piece ? NVVB_GPUVA_USERBITS : 0);
    }
    vm_free(vm);
    bos_free();
}

/* --- vm_bo, extobj, evict, validate --------------------------------- */

static int count_vm_bo(NvvbGpuVmBo *vm_bo, void *opaque)
{
    (*(int *)opaque)++;
    return 0;
}

static int fail_vm_bo(NvvbGpuVmBo *vm_bo, void *opaque)
{
    return -EIO;
}

static void test_vm_bo(void)
{
    NvvbGpuVm *vm1, *vm2;
    NvvbGpuVmBo *vb, *vb2;
    NvvbGpuVa *va;
    GList *l;
    int n = 0;

    bos_new();
    vm1 = vm_new(0, 64 * P, 0, 0);
    map_ok(vm1, 0, 4 * P, bo_a, 0);
    map_ok(vm1, P, P, bo_b, 0);     /* splits a: two pieces */
    map_ok(vm1, 8 * P, P, bo_a, 0);

    /* One vm_bo per (VM, BO), found again, listing the BO's mappings. */
    vb = nvvb_gpuvm_bo_find(vm1, bo_a);
    g_assert_nonnull(vb);
    g_assert_true(nvvb_gpuvm_bo_obtain(vm1, bo_a) == vb);
    g_assert_false(nvvb_gpuvm_bo_put(vb));
    g_assert_cmpuint(nvvb_gpuvm_bo_va_count(vb), ==, 3);
    NVVB_GPUVM_BO_FOREACH_VA(va, l, vb) {
        g_assert_true(va->bo == bo_a && va->vm_bo == vb);
        n++;
    }
    g_assert_cmpint(n, ==, 3);
    g_assert_false(nvvb_gpuvm_bo_put(vb));
    g_assert_cmpuint(nvvb_bo_vm_bo_count(bo_a), ==, 1);
    g_assert_null(nvvb_gpuvm_bo_find(vm1, bo_c));

    /* A second VM: the BO lists both vm_bos. */
    nvvb_gpuvm_unlock(vm1);
    vm2 = vm_new(0, 64 * P, 0, 0);
    map_ok(vm2, 0, P, bo_a, 0);
    g_assert_cmpuint(nvvb_bo_vm_bo_count(bo_a), ==, 2);
    vb2 = nvvb_gpuvm_bo_find(vm2, bo_a);
    g_assert_true(vb2 != vb && vb2->vm == vm2);
    nvvb_gpuvm_bo_put(vb2);

    /* The last mapping of a BO in a VM takes the vm_bo with it. */
    map_ok(vm2, 0, P, bo_b, 0);
    g_assert_null(nvvb_gpuvm_bo_find(vm2, bo_a));
    g_assert_cmpuint(nvvb_bo_vm_bo_count(bo_a), ==, 1);
    vm_free(vm2);
    nvvb_gpuvm_lock(vm1);
    vm_free(vm1);
    g_assert_cmpuint(nvvb_bo_vm_bo_count(bo_a), ==, 0);
    bos_free();
}

static void test_extobj(void)
{
    NvvbGpuVm *vm;
    int n = 0;

    bos_new();
    vm = vm_new(0, 64 * P, 0, 0);
    map_ok(vm, 0, P, bo_ext, 0);
    map_ok(vm, P, P, bo_ext, P);
    map_ok(vm, 2 * P, P, bo_a, 0);
    g_assert_true(nvvb_gpuvm_is_extobj(vm, bo_ext));
    g_assert_false(nvvb_gpuvm_is_extobj(vm, bo_a));
    g_assert_false(nvvb_gpuvm_is_extobj(vm, NULL));
    g_assert_cmpuint(nvvb_gpuvm_extobj_count(vm), ==, 1);
    g_assert_cmpint(nvvb_gpuvm_foreach_extobj(vm, count_vm_bo, &n), ==, 0);
    g_assert_cmpint(n, ==, 1);
    g_assert_cmpint(nvvb_gpuvm_foreach_extobj(vm, fail_vm_bo, NULL), ==,
                    -EIO);
    map_ok(vm, 0, 2 * P, bo_a, 0);
    g_assert_cmpuint(nvvb_gpuvm_extobj_count(vm), ==, 0);
    vm_free(vm);
    bos_free();
}

static void test_evict_validate(void)
{
    NvvbGpuVm *vm1, *vm2;
    int n = 0;

    bos_new();
    vm1 = vm_new(0, 64 * P, 0, 0);
    vm2 = vm_new(0, 64 * P, 0, 0);  /* one thread holds both locks */
    map_ok(vm1, 0, P, bo_a, 0);
    map_ok(vm1, P, P, bo_b, 0);
    map_ok(vm2, 0, P, bo_a, 0);

    nvvb_bo_evict(bo_a, true);
    g_assert_cmpuint(nvvb_gpuvm_evict_count(vm1), ==, 1);
    g_assert_cmpuint(nvvb_gpuvm_evict_count(vm2), ==, 1);
    /*
     * Eviction is per vm_bo (drm_gpuvm_bo_gem_evict()): evicting a BO
     * mapped nowhere marks nothing, and a vm_bo created afterwards starts
     * valid, since its mappings are written with the current backing.
     */
    nvvb_bo_evict(bo_c, true);
    map_ok(vm1, 2 * P, P, bo_c, 0);
    g_assert_cmpuint(nvvb_gpuvm_evict_count(vm1), ==, 1);
    nvvb_bo_evict(bo_c, true);
    g_assert_cmpuint(nvvb_gpuvm_evict_count(vm1), ==, 2);

    /* A failing callback leaves everything evicted. */
    g_assert_cmpint(nvvb_gpuvm_validate(vm1, fail_vm_bo, NULL), ==, -EIO);
    g_assert_cmpuint(nvvb_gpuvm_evict_count(vm1), ==, 2);
    g_assert_cmpint(nvvb_gpuvm_validate(vm1, count_vm_bo, &n), ==, 0);
    g_assert_cmpint(n, ==, 2);
    g_assert_cmpuint(nvvb_gpuvm_evict_count(vm1), ==, 0);
    /* vm2 still has to validate its own vm_bo. */
    g_assert_cmpuint(nvvb_gpuvm_evict_count(vm2), ==, 1);
    g_assert_cmpint(nvvb_gpuvm_validate(vm2, count_vm_bo, &n), ==, 0);
    g_assert_cmpint(n, ==, 3);
    g_assert_cmpuint(nvvb_gpuvm_evict_count(vm2), ==, 0);

    /* Unmapping an evicted BO takes its vm_bo off the list. */
    nvvb_bo_evict(bo_b, true);
    g_assert_cmpuint(nvvb_gpuvm_evict_count(vm1), ==, 1);
    map_ok(vm1, P, P, NULL, 0);
    g_assert_cmpuint(nvvb_gpuvm_evict_count(vm1), ==, 0);
    vm_free(vm2);
    vm_free(vm1);
    bos_free();
}

/* --- property test against a page-granular model -------------------- */

#define MPAGES 96
#define MRSV_START 40
#define MRSV_PAGES 8

typedef struct MPage {
    int id;             /* mapping identity; 0: unmapped */
    int bo;             /* -1: no BO */
    uint64_t off;       /* BO offset of this page */
} MPage;

static NvvbBo *mbo[4];

static int mbo_idx(const NvvbBo *bo)
{
    return bo ? (int)bo->handle : -1;
}

/* The model's mappings: maximal runs of pages of the same id. */
static void model_check(const MPage *pg, NvvbGpuVm *vm)
{
    NvvbGpuVa *va = nvvb_gpuva_first(vm);
    int p = 0;

    while (p < MPAGES) {
        int q = p;

        if (!pg[p].id) {
            p++;
            continue;
        }
        while (q < MPAGES && pg[q].id == pg[p].id) {
            g_assert_cmphex(pg[q].off, ==, pg[p].off + (q - p) * P);
            q++;
        }
        g_assert_nonnull(va);
        g_assert_cmphex(va->addr, ==, p * P);
        g_assert_cmphex(va->range, ==, (q - p) * P);
        g_assert_cmpint(mbo_idx(va->bo), ==, pg[p].bo);
        g_assert_cmphex(va->bo_offset, ==, pg[p].off);
        va = nvvb_gpuva_next(va);
        p = q;
    }
    g_assert_null(va);
}

static void model_set(MPage *pg, uint64_t addr, uint64_t range, int bo,
                      uint64_t off, int id)
{
    uint64_t p;

    for (p = addr / P; p < (addr + range) / P; p++) {
        pg[p].id = id;
        pg[p].bo = id ? bo : -1;
        pg[p].off = id ? off + (p - addr / P) * P : 0;
    }
}

/* Apply ops to a copy of the model, and check each op against it. */
static void model_apply_ops(MPage *pg, const NvvbGpuVaOps *ops, bool is_map,
                            uint64_t addr, uint64_t range, int bo,
                            uint64_t off, int *next_id)
{
    guint i, remaps = 0;
    uint64_t last_end = 0;

    for (i = 0; i < ops->n_ops; i++) {
        const NvvbGpuVaOp *op = &ops->ops[i];
        const NvvbGpuVa *old = NULL;
        bool keep = false;

        if (op->type == NVVB_GPUVA_OP_MAP) {
            g_assert_true(is_map && i == ops->n_ops - 1);
            g_assert_true(op->map.addr == addr && op->map.range == range &&
                          mbo_idx(op->map.bo) == bo &&
                          op->map.bo_offset == off);
            model_set(pg, addr, range, bo, off, (*next_id)++);
            continue;
        }
        old = op->type == NVVB_GPUVA_OP_UNMAP ? op->unmap.va
                                              : op->remap.unmap.va;
        keep = op->type == NVVB_GPUVA_OP_UNMAP ? op->unmap.keep
                                               : op->remap.unmap.keep;
        /* The op names a mapping of the model that overlaps the request,
         * in address order. */
        g_assert_cmpint(pg[old->addr / P].id, !=, 0);
        g_assert_cmpint(mbo_idx(old->bo), ==, pg[old->addr / P].bo);
        g_assert_cmphex(old->bo_offset, ==, pg[old->addr / P].off);
        g_assert_true(old->addr < addr + range &&
                      addr < old->addr + old->range);
        g_assert_cmphex(old->addr, >=, last_end);
        last_end = old->addr + old->range;
        /* keep, from the model: a BO, the same one, same offset at addr. */
        if (is_map) {
            uint64_t at = MAX(addr, old->addr);
            bool want = pg[at / P].bo >= 0 && pg[at / P].bo == bo &&
                        pg[at / P].off == off + (at - addr);

            g_assert_cmpint(keep, ==, want);
        } else {
            g_assert_false(keep);
        }
        model_set(pg, old->addr, old->range, -1, 0, 0);
        if (op->type == NVVB_GPUVA_OP_REMAP) {
            const NvvbGpuVaOpRemap *r = &op->remap;

            remaps++;
            g_assert_true(r->has_prev || r->has_next);
            g_assert_cmpint(r->has_prev, ==, old->addr < addr);
            g_assert_cmpint(r->has_next, ==,
                            old->addr + old->range > addr + range);
            if (r->has_prev) {
                g_assert_cmphex(r->prev.addr, ==, old->addr);
                g_assert_cmphex(r->prev.range, ==, addr - old->addr);
                g_assert_true(r->prev.bo == old->bo);
                model_set(pg, r->prev.addr, r->prev.range,
                          mbo_idx(r->prev.bo), r->prev.bo_offset,
                          (*next_id)++);
            }
            if (r->has_next) {
                g_assert_cmphex(r->next.addr, ==, addr + range);
                g_assert_cmphex(r->next.addr + r->next.range, ==,
                                old->addr + old->range);
                g_assert_true(r->next.bo == old->bo);
                model_set(pg, r->next.addr, r->next.range,
                          mbo_idx(r->next.bo), r->next.bo_offset,
                          (*next_id)++);
            }
        } else {
            g_assert_true(old->addr >= addr &&
                          old->addr + old->range <= addr + range);
        }
    }
    g_assert_cmpuint(remaps, <=, 2);
    g_assert_true(!is_map ||
                  (ops->n_ops && ops->ops[ops->n_ops - 1].type ==
                   NVVB_GPUVA_OP_MAP));
}

static uint64_t prop_seed(void)
{
    const char *env = getenv("NVVB_GPUVM_PROP_SEED");

    return env ? g_ascii_strtoull(env, NULL, 0) : 20261121;
}

static void test_property(void)
{
    uint64_t seed = prop_seed();
    GRand *rand;
    int round;

    g_test_message("seed %" PRIu64 " (NVVB_GPUVM_PROP_SEED to change)", seed);
    for (round = 0; round < 8; round++) {
        guint32 s32 = (guint32)(seed + round * 7919);
        NvvbGpuVm *vm = vm_new(0, MPAGES * P, MRSV_START * P,
                               MRSV_PAGES * P);
        MPage pg[MPAGES], req_model[MPAGES];
        int next_id = 1, step, i;

        rand = g_rand_new_with_seed(s32);
        for (i = 0; i < 4; i++) {
            mbo[i] = nvvb_bo_new(i, 0, i & 1, NULL);
        }
        for (i = 0; i < MPAGES; i++) {
            pg[i] = (MPage){ 0, -1, 0 };
        }
        for (step = 0; step < 4000; step++) {
            bool is_map = g_rand_int_range(rand, 0, 10) < 6;
            uint64_t a = g_rand_int_range(rand, 0, MPAGES);
            uint64_t len = g_rand_int_range(rand, 1, 13);
            int bo = g_rand_int_range(rand, -1, 4);
            uint64_t off = g_rand_int_range(rand, 0, 8) * P;
            bool valid = a + len <= MPAGES &&
                         (a + len <= MRSV_START ||
                          a >= MRSV_START + MRSV_PAGES);
            NvvbGpuVaOps *ops;
            int ret;

            if (is_map && g_rand_boolean(rand) && pg[a].id) {
                bo = pg[a].bo;      /* contiguous: a keep candidate */
                off = pg[a].off;
            }
            ret = is_map ? nvvb_gpuvm_sm_map_ops_create(vm, a * P, len * P,
                                                        bo < 0 ? NULL
                                                               : mbo[bo],
                                                        off, &ops)
                         : nvvb_gpuvm_sm_unmap_ops_create(vm, a * P, len * P,
                                                          &ops);
            g_assert_cmpint(ret, ==, valid ? 0 : -EINVAL);
            if (ret) {
                model_check(pg, vm);
                continue;
            }
            /* The request's meaning on the model... */
            memcpy(req_model, pg, sizeof(pg));
            model_set(req_model, a * P, len * P, is_map ? bo : -1,
                      is_map ? off : 0, is_map ? next_id++ : 0);
            /* ...and what the ops do to it must agree. */
            model_apply_ops(pg, ops, is_map, a * P, len * P, bo, off,
                            &next_id);
            for (i = 0; i < MPAGES; i++) {
                g_assert_cmpint(!!pg[i].id, ==, !!req_model[i].id);
                g_assert_cmpint(pg[i].bo, ==, req_model[i].bo);
                g_assert_cmphex(pg[i].off, ==, req_model[i].off);
            }
            g_assert_cmpint(nvvb_gpuvm_ops_apply(vm, ops, NULL), ==, 0);
            nvvb_gpuva_ops_free(ops);
            model_check(pg, vm);
            g_assert_null(nvvb_va_tree_check(&vm->tree));
        }
        vm_free(vm);
        for (i = 0; i < 4; i++) {
            g_assert_cmpuint(nvvb_bo_vm_bo_count(mbo[i]), ==, 0);
            nvvb_bo_unref(mbo[i]);
        }
        g_rand_free(rand);
    }
}


/*
 * The VA tree (gpuvm-tree.c) against a model: random, ascending and
 * descending insertions and removals of one-slot mappings, every
 * red-black / list / finger invariant checked after each step, lookups
 * compared with the model.
 */
#define TSLOTS 2048

static void tree_step_check(NvvbGpuVm *vm, NvvbGpuVa **slot, GRand *rand)
{
    uint64_t x = g_rand_int_range(rand, 0, TSLOTS * 2) * P / 2;
    NvvbGpuVa *want = NULL;
    uint64_t i;

    g_assert_null(nvvb_va_tree_check(&vm->tree));
    /* Slot x / 2P contains x only in its first half. */
    for (i = x / (2 * P) + (x % (2 * P) >= P); i < TSLOTS && !want; i++) {
        want = slot[i];
    }
    g_assert_true(nvvb_gpuva_find_from(vm, x) == want);
}

static void test_tree(void)
{
    NvvbGpuVm *vm = vm_new(0, TSLOTS * 2 * P, 0, 0);
    NvvbGpuVa **slot = g_new0(NvvbGpuVa *, TSLOTS);
    GRand *rand = g_rand_new_with_seed(77);
    NvvbGpuVa *va;
    int pattern, step;
    guint n = 0;

    for (pattern = 0; pattern < 3; pattern++) {
        for (step = 0; step < 6 * TSLOTS; step++) {
            uint64_t i;

            if (pattern == 0) {
                i = g_rand_int_range(rand, 0, TSLOTS);
            } else if (pattern == 1) {
                i = step % TSLOTS;
            } else {
                i = TSLOTS - 1 - step % TSLOTS;
            }
            if (slot[i]) {
                nvvb_gpuva_remove(slot[i]);
                nvvb_gpuva_free(slot[i]);
                slot[i] = NULL;
                n--;
            } else {
                /* Mapping i is [2i, 2i + 1) pages: holes between. */
                slot[i] = nvvb_gpuva_new(2 * i * P, P, NULL, 0);
                g_assert_cmpint(nvvb_gpuva_insert(vm, slot[i]), ==, 0);
                n++;
            }
            g_assert_cmpuint(nvvb_gpuvm_count(vm), ==, n);
            tree_step_check(vm, slot, rand);
        }
    }

    /* The checker is not vacuous: a recoloured node breaks the tree. */
    va = vm->tree.root;
    g_assert_nonnull(va);
    va->rb_red = !va->rb_red;
    g_assert_nonnull(nvvb_va_tree_check(&vm->tree));
    va->rb_red = !va->rb_red;
    g_assert_null(nvvb_va_tree_check(&vm->tree));

    vm_free(vm);
    g_free(slot);
    g_rand_free(rand);
}

/*
 * Several long runs of adjacent 4 KiB mappings, in regions far apart: no
 * key may end up far from its home slot.  When whole runs took consecutive
 * slots, two runs overlapped in the table about half the time and every
 * insertion into the second walked the first (max_disp in the thousands,
 * 23 us per insertion at 64 K mappings).
 */
#define RUNS        8
#define RUN_PAGES   4096

static void test_tree_index_runs_apart(void)
{
    NvvbGpuVm *vm = vm_new(0, 1ULL << 47, 0, 0);
    GRand *rand = g_rand_new_with_seed(3);
    int r, i;

    for (r = 0; r < RUNS; r++) {
        uint64_t base = ((uint64_t)r << 32) +
                        (uint64_t)g_rand_int_range(rand, 0, 1 << 18) * P;

        for (i = 0; i < RUN_PAGES; i++) {
            g_assert_cmpint(nvvb_gpuva_insert(vm, nvvb_gpuva_new(
                                base + (uint64_t)i * P, P, NULL, 0)), ==, 0);
        }
    }
    g_assert_null(nvvb_va_tree_check(&vm->tree));
    g_assert_cmpuint(vm->tree.max_disp, <, 256);
    nvvb_gpuvm_clear(vm);
    vm_free(vm);
    g_rand_free(rand);
}

/*
 * The start-address index with a long run of consecutive pages (homes in
 * consecutive slots) and mappings of another region hashed into it, so
 * that some keys sit away from their home: removals from the front, the
 * back and at random, lookups of present and absent starts, every
 * invariant (each key within max_disp of its home) checked after each step.
 */
#define CPAGES 1024

static void test_tree_index_run(void)
{
    const uint64_t far = 1ULL << 40;
    NvvbGpuVm *vm = vm_new(0, 2 * far, 0, 0);
    NvvbGpuVa **near = g_new0(NvvbGpuVa *, CPAGES);
    NvvbGpuVa **other = g_new0(NvvbGpuVa *, CPAGES);
    GRand *rand = g_rand_new_with_seed(15);
    int round, i;

    for (round = 0; round < 3; round++) {
        for (i = 0; i < CPAGES; i++) {
            near[i] = nvvb_gpuva_new((uint64_t)i * P, P, NULL, 0);
            g_assert_cmpint(nvvb_gpuva_insert(vm, near[i]), ==, 0);
            if (g_rand_int_range(rand, 0, 4) == 0) {
                uint64_t a = far + (uint64_t)g_rand_int_range(rand, 0,
                                                              1 << 20) * P;

                if (!nvvb_gpuva_find_from(vm, a) ||
                    nvvb_gpuva_find_from(vm, a)->addr != a) {
                    other[i] = nvvb_gpuva_new(a, P, NULL, 0);
                    g_assert_cmpint(nvvb_gpuva_insert(vm, other[i]), ==, 0);
                }
            }
        }
        g_assert_null(nvvb_va_tree_check(&vm->tree));
        for (i = 0; i < CPAGES; i++) {
            int k = round == 0 ? i : round == 1 ? CPAGES - 1 - i :
                    g_rand_int_range(rand, 0, CPAGES);

            if (near[k]) {
                nvvb_gpuva_remove(near[k]);
                nvvb_gpuva_free(near[k]);
                near[k] = NULL;
                /* absent now, and nothing else claims its start */
                g_assert_null(nvvb_va_tree_at(&vm->tree, (uint64_t)k * P));
            }
            if (other[k] && (i & 1)) {
                nvvb_gpuva_remove(other[k]);
                nvvb_gpuva_free(other[k]);
                other[k] = NULL;
            }
            if (i % 16 == 0 || i > CPAGES - 16) {
                g_assert_null(nvvb_va_tree_check(&vm->tree));
            }
        }
        for (i = 0; i < CPAGES; i++) {
            if (near[i]) {
                nvvb_gpuva_remove(near[i]);
                nvvb_gpuva_free(near[i]);
                near[i] = NULL;
            }
            if (other[i]) {
                nvvb_gpuva_remove(other[i]);
                nvvb_gpuva_free(other[i]);
                other[i] = NULL;
            }
        }
        g_assert_cmpuint(nvvb_gpuvm_count(vm), ==, 0);
    }
    vm_free(vm);
    g_free(near);
    g_free(other);
    g_rand_free(rand);
}

int main(int argc, char **argv)
{
    static const char *const doc_names[] = {
        "01-identical-keep", "02-other-offset", "03-other-bo",
        "04-old-left-subset", "05-req-left-subset-other-bo",
        "06-old-superset-keep", "07-req-right-subset-other-bo",
        "08-old-superset-right-keep", "09-overlap-end-other-bo",
        "10-overlap-end-keep", "11-centred-other-bo", "12-centred-keep",
        "13-old-right-subset", "14-old-centred-subset",
        "15-overlap-start-other-bo",
    };
    static const char *const note_names[] = {
        "04-other-bo", "04-other-offset", "06-other-offset",
        "13-other-bo", "14-non-contiguous",
    };
    guint i;

    G_STATIC_ASSERT(G_N_ELEMENTS(doc_names) == G_N_ELEMENTS(doc_cases));
    G_STATIC_ASSERT(G_N_ELEMENTS(note_names) == G_N_ELEMENTS(doc_notes));
    g_test_init(&argc, &argv, NULL);
    for (i = 0; i < G_N_ELEMENTS(doc_cases); i++) {
        char *path = g_strdup_printf("/gpuvm/split-merge/%s", doc_names[i]);

        g_test_add_data_func(path, &doc_cases[i], run);
        g_free(path);
    }
    for (i = 0; i < G_N_ELEMENTS(doc_notes); i++) {
        char *path = g_strdup_printf("/gpuvm/split-merge/note/%s",
                                     note_names[i]);

        g_test_add_data_func(path, &doc_notes[i], run);
        g_free(path);
    }
    g_test_add_func("/gpuvm/sm-map/spanning", test_map_spanning);
    g_test_add_func("/gpuvm/sm-map/no-bo-never-keep",
                    test_map_no_bo_never_keep);
    for (i = 0; i < G_N_ELEMENTS(unmap_cases); i++) {
        char *path = g_strdup_printf("/gpuvm/sm-unmap/%s",
                                     unmap_cases[i].name);

        g_test_add_data_func(path, &unmap_cases[i], run_unmap);
        g_free(path);
    }
    g_test_add_func("/gpuvm/errors/vm-new", test_vm_new_errors);
    g_test_add_func("/gpuvm/errors/ranges", test_range_errors);
    g_test_add_func("/gpuvm/errors/callbacks", test_callback_errors);
    g_test_add_func("/gpuvm/errors/insert-restore-apply",
                    test_insert_restore_errors);
    g_test_add_func("/gpuvm/lookup", test_lookup);
    g_test_add_func("/gpuvm/priv-inherited", test_priv_inherited);
    g_test_add_func("/gpuvm/vm-bo/unique-and-lists", test_vm_bo);
    g_test_add_func("/gpuvm/vm-bo/extobj", test_extobj);
    g_test_add_func("/gpuvm/vm-bo/evict-validate", test_evict_validate);
    g_test_add_func("/gpuvm/property/page-model", test_property);
    g_test_add_func("/gpuvm/tree/invariants", test_tree);
    g_test_add_func("/gpuvm/tree/index-run", test_tree_index_run);
    g_test_add_func("/gpuvm/tree/index-runs-apart",
                    test_tree_index_runs_apart);
    return g_test_run();
}
