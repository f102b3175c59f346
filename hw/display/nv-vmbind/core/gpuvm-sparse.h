/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * nv-vmbind's VM_BIND layer with nouveau's sparse-region rules: what
 * nouveau_uvmm.c adds on top of drm_gpuvm (Linux 6.12), for one bind op at
 * a time.  See gpuvm-sparse.c and docs/devel/nv-vmbind-gpuvm.rst.
 *
 * Plain C11 + GLib: no QEMU headers.
 */
#ifndef HW_DISPLAY_NV_VMBIND_GPUVM_SPARSE_H
#define HW_DISPLAY_NV_VMBIND_GPUVM_SPARSE_H

#include "gpuvm.h"

/* drm_nouveau_vm_bind_op.op and .flags (include/uapi/drm/nouveau_drm.h). */
#define NVVB_BIND_OP_MAP 0x0u
#define NVVB_BIND_OP_UNMAP 0x1u
#define NVVB_BIND_SPARSE (1u << 8)
#define NVVB_BIND_KIND_MASK 0xffu   /* PTE kind, bits 7:0 of flags */

/* nouveau's NOUVEAU_VA_SPACE_END: VM_INIT's space is [0, 2^47). */
#define NVVB_UVMM_VA_SPACE_END (1ull << 47)

/*
 * NvvbGpuVa.flags: the mapping lies in a sparse region, so unmapping it
 * returns its range to sparse (nouveau's uvma->region != NULL).
 */
#define NVVB_GPUVA_IN_REGION NVVB_GPUVA_USERBITS

typedef struct NvvbSparseRegion {
    uint64_t addr;          /* tree key */
    uint64_t range;
} NvvbSparseRegion;

/**
 * struct NvvbUvmm: a VM_BIND address space (nouveau_uvmm)
 * @vm: the drm_gpuvm-like VA space; its lock protects @regions too (as
 *      nouveau's region maple tree uses uvmm->mutex)
 * @page_size: alignment of addresses, ranges and BO offsets (nouveau's
 *             PAGE_SIZE)
 */
typedef struct NvvbUvmm {
    NvvbGpuVm *vm;
    uint64_t page_size;
    /* Private. */
    GTree *regions;         /* &reg->addr -> NvvbSparseRegion */
} NvvbUvmm;

/**
 * struct NvvbBindOp: one VM_BIND operation (drm_nouveau_vm_bind_op)
 * @op: NVVB_BIND_OP_MAP or NVVB_BIND_OP_UNMAP
 * @flags: NVVB_BIND_SPARSE, PTE kind in bits 7:0
 * @bo: MAP: the BO the handle named, or NULL if it named none
 * @addr: VA
 * @range: length
 * @bo_offset: MAP: offset in @bo
 */
typedef struct NvvbBindOp {
    uint32_t op;
    uint32_t flags;
    NvvbBo *bo;
    uint64_t addr;
    uint64_t range;
    uint64_t bo_offset;
} NvvbBindOp;

int nvvb_uvmm_new(NvvbUvmm **out, uint64_t kernel_managed_addr,
                  uint64_t kernel_managed_size, uint64_t resv_id,
                  uint64_t page_size);
void nvvb_uvmm_free(NvvbUvmm *u);
int nvvb_uvmm_bind(NvvbUvmm *u, const NvvbBindOp *op, NvvbGpuVaOps **ops);
const NvvbSparseRegion *nvvb_uvmm_region_find_first(NvvbUvmm *u,
                                                    uint64_t addr,
                                                    uint64_t range);
const NvvbSparseRegion *nvvb_uvmm_region_find(NvvbUvmm *u, uint64_t addr,
                                              uint64_t range);
guint nvvb_uvmm_region_count(NvvbUvmm *u);
const NvvbSparseRegion *nvvb_uvmm_region_next(NvvbUvmm *u,
                                              const NvvbSparseRegion *prev);

/* Every sparse region of @u_ in address order; caller holds u_->vm's lock. */
#define NVVB_UVMM_FOREACH_REGION(r_, u_) \
    for ((r_) = nvvb_uvmm_region_next((u_), NULL); (r_); \
         (r_) = nvvb_uvmm_region_next((u_), (r_)))

#endif
