/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Unit tests of the VM_BIND layer with nouveau's sparse-region rules
 * (hw/display/nv-vmbind/core/gpuvm-sparse.c).  Each expected error code is the
 * one Linux 6.12 nouveau_uvmm.c returns for the same condition; the
 * function that returns it is named next to the check.
 */
#include <errno.h>

#include "gpuvm-sparse.h"
#include "gpuvm-bo.h"

#define PG 0x1000ull
#define KADDR (1ull << 40)      /* kernel-managed window, as a driver would */
#define KSIZE (1ull << 36)

typedef struct Fx {
    NvvbUvmm *u;
    NvvbBo *bo;                 /* 16 pages */
} Fx;

static void fx_init(Fx *f)
{
    g_assert_cmpint(nvvb_uvmm_new(&f->u, KADDR, KSIZE, 0, PG), ==, 0);
    f->bo = nvvb_bo_new(1, 16 * PG, 0, NULL);
    nvvb_gpuvm_lock(f->u->vm);
}

static void fx_fini(Fx *f)
{
    nvvb_gpuvm_unlock(f->u->vm);
    nvvb_uvmm_free(f->u);
    g_assert_cmpuint(nvvb_bo_vm_bo_count(f->bo), ==, 0);
    nvvb_bo_unref(f->bo);
}

static int bind(Fx *f, uint32_t op, uint32_t flags, NvvbBo *bo,
                uint64_t addr, uint64_t range, uint64_t off)
{
    NvvbBindOp b = {
        .op = op, .flags = flags, .bo = bo, .addr = addr, .range = range,
        .bo_offset = off,
    };

    return nvvb_uvmm_bind(f->u, &b, NULL);
}

static int map(Fx *f, uint64_t addr, uint64_t range, uint64_t off)
{
    return bind(f, NVVB_BIND_OP_MAP, 0, f->bo, addr, range, off);
}

static int map_sparse(Fx *f, uint64_t addr, uint64_t range)
{
    return bind(f, NVVB_BIND_OP_MAP, NVVB_BIND_SPARSE, NULL, addr, range, 0);
}

static int unmap(Fx *f, uint64_t addr, uint64_t range)
{
    return bind(f, NVVB_BIND_OP_UNMAP, 0, NULL, addr, range, 0);
}

static int unmap_sparse(Fx *f, uint64_t addr, uint64_t range)
{
    return bind(f, NVVB_BIND_OP_UNMAP, NVVB_BIND_SPARSE, NULL, addr, range,
                0);
}

/* nouveau_uvmm_ioctl_vm_init(): check_add_overflow and > 2^47: -EINVAL. */
static void test_vm_init(void)
{
    NvvbUvmm *u = (NvvbUvmm *)&u;

    g_assert_cmpint(nvvb_uvmm_new(&u, UINT64_MAX, 2, 0, PG), ==, -EINVAL);
    g_assert_null(u);
    g_assert_cmpint(nvvb_uvmm_new(&u, NVVB_UVMM_VA_SPACE_END - PG, 2 * PG, 0,
                                  PG), ==, -EINVAL);
    g_assert_cmpint(nvvb_uvmm_new(&u, 0, PG, 0, 3000), ==, -EINVAL);
    g_assert_cmpint(nvvb_uvmm_new(&u, NVVB_UVMM_VA_SPACE_END - PG, PG, 0, PG),
                    ==, 0);
    nvvb_uvmm_free(u);
    g_assert_cmpint(nvvb_uvmm_new(&u, 0, 0, 0, PG), ==, 0);
    nvvb_uvmm_free(u);
}

/* bind_validate_op() and nouveau_uvmm_validate_range(): -EINVAL;
 * drm_gem_object_lookup() failing: -ENOENT; unknown op: -EINVAL. */
static void test_validate(void)
{
    Fx f;

    fx_init(&f);
    g_assert_cmpint(bind(&f, 2, 0, f.bo, 0, PG, 0), ==, -EINVAL);
    g_assert_cmpint(bind(&f, NVVB_BIND_OP_MAP, 0, NULL, 0, PG, 0), ==,
                    -ENOENT);
    g_assert_cmpint(map(&f, 0, PG, 0x800), ==, -EINVAL);      /* offset */
    g_assert_cmpint(map(&f, 0, PG, 16 * PG), ==, -EINVAL);    /* >= size */
    g_assert_cmpint(map(&f, 0, 2 * PG, 15 * PG), ==, -EINVAL); /* past end */
    g_assert_cmpint(map(&f, 0x800, PG, 0), ==, -EINVAL);      /* addr */
    g_assert_cmpint(map(&f, 0, 0x1800, 0), ==, -EINVAL);      /* range */
    g_assert_cmpint(map(&f, 0, 0, 0), ==, -EINVAL);           /* empty */
    g_assert_cmpint(map(&f, KADDR - PG, 2 * PG, 0), ==, -EINVAL);
    g_assert_cmpint(map(&f, NVVB_UVMM_VA_SPACE_END - PG, 2 * PG, 0), ==,
                    -EINVAL);
    g_assert_cmpint(unmap(&f, KADDR, PG), ==, -EINVAL);
    g_assert_cmpint(map_sparse(&f, 0x800, PG), ==, -EINVAL);
    g_assert_cmpint(unmap_sparse(&f, KADDR + KSIZE - PG, PG), ==, -EINVAL);
    /* A sparse MAP names no BO, and its offset is not checked. */
    g_assert_cmpint(bind(&f, NVVB_BIND_OP_MAP, NVVB_BIND_SPARSE, NULL,
                         0, PG, 0x123), ==, 0);
    g_assert_cmpint(map(&f, 0x100000, 16 * PG, 0), ==, 0);     /* whole BO */
    g_assert_cmpuint(nvvb_gpuvm_count(f.u->vm), ==, 1);
    g_assert_cmpuint(nvvb_uvmm_region_count(f.u), ==, 1);
    fx_fini(&f);
}

/* Region creation: bind_validate_map_common(sparse) -ENOSPC on any region
 * overlap; nouveau_uvma_region_create() -ENOSPC on any mapping. */
static void test_region_create(void)
{
    Fx f;

    fx_init(&f);
    g_assert_cmpint(map_sparse(&f, 0x10000, 0x10000), ==, 0);
    g_assert_nonnull(nvvb_uvmm_region_find(f.u, 0x10000, 0x10000));
    g_assert_cmpint(map_sparse(&f, 0x10000, 0x10000), ==, -ENOSPC);
    g_assert_cmpint(map_sparse(&f, 0x8000, 0x9000), ==, -ENOSPC);
    g_assert_cmpint(map_sparse(&f, 0x1f000, 0x2000), ==, -ENOSPC);
    g_assert_cmpint(map_sparse(&f, 0x0, 0x100000), ==, -ENOSPC);
    /* Adjacent regions are fine. */
    g_assert_cmpint(map_sparse(&f, 0x20000, 0x1000), ==, 0);
    g_assert_cmpint(map_sparse(&f, 0xf000, 0x1000), ==, 0);
    /* Not over a mapping. */
    g_assert_cmpint(map(&f, 0x40000, PG, 0), ==, 0);
    g_assert_cmpint(map_sparse(&f, 0x30000, 0x20000), ==, -ENOSPC);
    g_assert_cmpuint(nvvb_uvmm_region_count(f.u), ==, 3);
    fx_fini(&f);
}

/* A MAP lies wholly inside one region or outside all: else -ENOSPC
 * (bind_validate_map_common / bind_job_submit's OP_MAP case). */
static void test_map_placement(void)
{
    Fx f;
    NvvbGpuVa *va;

    fx_init(&f);
    g_assert_cmpint(map_sparse(&f, 0x10000, 0x10000), ==, 0);
    g_assert_cmpint(map_sparse(&f, 0x20000, 0x10000), ==, 0);
    g_assert_cmpint(map(&f, 0xf000, 2 * PG, 0), ==, -ENOSPC);  /* in from left */
    g_assert_cmpint(map(&f, 0x1f000, 2 * PG, 0), ==, -ENOSPC); /* two regions */
    g_assert_cmpint(map(&f, 0x2f000, 2 * PG, 0), ==, -ENOSPC); /* out right */
    g_assert_cmpint(map(&f, 0x8000, 0x10000, 0), ==, -ENOSPC); /* covers */
    g_assert_cmpuint(nvvb_gpuvm_count(f.u->vm), ==, 0);

    g_assert_cmpint(map(&f, 0x10000, 0x10000, 0), ==, 0);      /* all of it */
    g_assert_cmpint(map(&f, 0x24000, 2 * PG, 0), ==, 0);
    g_assert_cmpint(map(&f, 0x30000, 2 * PG, 0), ==, 0);       /* outside */
    NVVB_GPUVM_FOREACH_VA(va, f.u->vm) {
        g_assert_cmpint(!!(va->flags & NVVB_GPUVA_IN_REGION), ==,
                        va->addr < 0x30000);
    }
    fx_fini(&f);
}

/* UNMAP inside a region: the mappings go, the region stays, and the ops
 * say the range returns to sparse (the flag nouveau reads as uvma->region).
 * Remap pieces keep the flag. */
static void test_unmap_to_sparse(void)
{
    Fx f;
    NvvbGpuVaOps *ops;
    NvvbBindOp op = { .op = NVVB_BIND_OP_UNMAP, .addr = 0x12000,
                      .range = PG };
    NvvbGpuVa *va;

    fx_init(&f);
    g_assert_cmpint(map_sparse(&f, 0x10000, 0x10000), ==, 0);
    g_assert_cmpint(map(&f, 0x10000, 4 * PG, 0), ==, 0);
    g_assert_cmpint(map(&f, 0x40000, 4 * PG, 0), ==, 0);
    g_assert_cmpint(nvvb_uvmm_bind(f.u, &op, &ops), ==, 0);
    g_assert_cmpuint(ops->n_ops, ==, 1);
    g_assert_cmpint(ops->ops[0].type, ==, NVVB_GPUVA_OP_REMAP);
    g_assert_true(ops->ops[0].remap.unmap.va->flags & NVVB_GPUVA_IN_REGION);
    nvvb_gpuva_ops_free(ops);
    NVVB_GPUVM_FOREACH_VA(va, f.u->vm) {
        g_assert_cmpint(!!(va->flags & NVVB_GPUVA_IN_REGION), ==,
                        va->addr < 0x40000);
    }
    g_assert_cmpuint(nvvb_gpuvm_count(f.u->vm), ==, 3);
    /* A plain UNMAP may span a region and the space outside it. */
    g_assert_cmpint(unmap(&f, 0x0, 0x100000), ==, 0);
    g_assert_cmpuint(nvvb_gpuvm_count(f.u->vm), ==, 0);
    g_assert_cmpuint(nvvb_uvmm_region_count(f.u), ==, 1);
    fx_fini(&f);
}

/* UNMAP+SPARSE names a region exactly (nouveau_uvma_region_find(), else
 * -ENOENT), unmaps what is in it and destroys it. */
static void test_region_destroy(void)
{
    Fx f;
    NvvbGpuVaOps *ops;
    NvvbBindOp op = { .op = NVVB_BIND_OP_UNMAP, .flags = NVVB_BIND_SPARSE,
                      .addr = 0x10000, .range = 0x10000 };

    fx_init(&f);
    g_assert_cmpint(unmap_sparse(&f, 0x10000, 0x10000), ==, -ENOENT);
    g_assert_cmpint(map_sparse(&f, 0x10000, 0x10000), ==, 0);
    g_assert_cmpint(map(&f, 0x11000, PG, 0), ==, 0);
    g_assert_cmpint(map(&f, 0x18000, 2 * PG, PG), ==, 0);
    g_assert_cmpint(map(&f, 0x30000, PG, 0), ==, 0);
    g_assert_cmpint(unmap_sparse(&f, 0x10000, 0x8000), ==, -ENOENT);
    g_assert_cmpint(unmap_sparse(&f, 0x8000, 0x10000), ==, -ENOENT);
    g_assert_cmpint(unmap_sparse(&f, 0x10000, 0x11000), ==, -ENOENT);
    g_assert_cmpuint(nvvb_gpuvm_count(f.u->vm), ==, 3);
    g_assert_cmpint(nvvb_uvmm_bind(f.u, &op, &ops), ==, 0);
    g_assert_cmpuint(ops->n_ops, ==, 2);
    g_assert_cmpint(ops->ops[0].type, ==, NVVB_GPUVA_OP_UNMAP);
    g_assert_cmpint(ops->ops[1].type, ==, NVVB_GPUVA_OP_UNMAP);
    nvvb_gpuva_ops_free(ops);
    g_assert_cmpuint(nvvb_uvmm_region_count(f.u), ==, 0);
    g_assert_cmpuint(nvvb_gpuvm_count(f.u->vm), ==, 1);
    g_assert_cmpint(unmap_sparse(&f, 0x10000, 0x10000), ==, -ENOENT);
    /* Without the region, the range takes any mapping again. */
    g_assert_cmpint(map(&f, 0xf000, 2 * PG, 0), ==, 0);
    g_assert_false(nvvb_gpuva_find(f.u->vm, 0xf000, 2 * PG)->flags &
                   NVVB_GPUVA_IN_REGION);
    fx_fini(&f);
}

/* Random binds: after each, every mapping is wholly inside one region or
 * outside all, carries IN_REGION exactly when inside, and no region
 * overlaps another.  Failed binds change nothing. */
static void test_random_invariants(void)
{
    GRand *rand = g_rand_new_with_seed(4711);
    Fx f;
    int step;

    fx_init(&f);
    for (step = 0; step < 20000; step++) {
        uint64_t a = g_rand_int_range(rand, 0, 64) * PG;
        uint64_t r = g_rand_int_range(rand, 1, 9) * PG;
        uint32_t kind = g_rand_int_range(rand, 0, 4);
        guint before = nvvb_gpuvm_count(f.u->vm);
        guint regs = nvvb_uvmm_region_count(f.u);
        NvvbGpuVa *va;
        uint64_t last_end = 0;
        int ret;

        switch (kind) {
        case 0:
            ret = map(&f, a, r, g_rand_int_range(rand, 0, 8) * PG);
            break;
        case 1:
            ret = unmap(&f, a, r);
            break;
        case 2:
            ret = g_rand_int_range(rand, 0, 4) ? map_sparse(&f, a, r) : 1;
            break;
        default:
            ret = unmap_sparse(&f, a, r);
            break;
        }
        if (ret < 0) {
            g_assert_true(ret == -ENOSPC || ret == -ENOENT);
            g_assert_cmpuint(nvvb_gpuvm_count(f.u->vm), ==, before);
            g_assert_cmpuint(nvvb_uvmm_region_count(f.u), ==, regs);
        }
        NVVB_GPUVM_FOREACH_VA(va, f.u->vm) {
            const NvvbSparseRegion *reg =
                nvvb_uvmm_region_find_first(f.u, va->addr, va->range);

            g_assert_true(!reg || (reg->addr <= va->addr &&
                                   reg->addr + reg->range >=
                                   va->addr + va->range));
            g_assert_cmpint(!!(va->flags & NVVB_GPUVA_IN_REGION), ==, !!reg);
            g_assert_cmphex(va->addr, >=, last_end);
            last_end = va->addr + va->range;
        }
    }
    fx_fini(&f);
    g_rand_free(rand);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/gpuvm-sparse/vm-init", test_vm_init);
    g_test_add_func("/gpuvm-sparse/validate", test_validate);
    g_test_add_func("/gpuvm-sparse/region-create", test_region_create);
    g_test_add_func("/gpuvm-sparse/map-placement", test_map_placement);
    g_test_add_func("/gpuvm-sparse/unmap-to-sparse", test_unmap_to_sparse);
    g_test_add_func("/gpuvm-sparse/region-destroy", test_region_destroy);
    g_test_add_func("/gpuvm-sparse/random-invariants",
                    test_random_invariants);
    return g_test_run();
}
