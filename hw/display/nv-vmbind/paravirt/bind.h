/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * nv-vmbind paravirtual GPU: VM contexts, BOs and the bind queue.
 *
 * The device owns each VM's VA space in an in-VMM GPUVM (gpuvm.c with
 * nouveau's sparse-region rules, gpuvm-sparse.c) and builds its VER2 page
 * tables in VRAM with the page-table manager (ptm.c).  BOs are device
 * objects with a VRAM or scatter-list backing; mappings reference them.
 */
#ifndef HW_DISPLAY_NV_VMBIND_BIND_H
#define HW_DISPLAY_NV_VMBIND_BIND_H

#include "../core/gpuvm.h"
#include "../core/gpuvm-bo.h"
#include "../core/gpuvm-sparse.h"
#include "../core/gmmu-walk.h"

typedef struct NvvbPtPool NvvbPtPool;
typedef struct NvvbPtm NvvbPtm;

/* One extent of a system-memory BO. */
typedef struct NvVmbindSg {
    uint64_t addr;
    uint64_t len;
    uint64_t bo_offset;         /* prefix sum: where this extent starts */
} NvVmbindSg;

typedef struct NvVmbindBo {
    uint32_t id;
    uint32_t placement;         /* NVVB_BO_VRAM or NVVB_BO_SYSMEM */
    uint64_t size;
    uint64_t vram_addr;         /* VRAM */
    uint32_t nsg;               /* SYSMEM */
    NvVmbindSg *sg;
    NvvbBo *core;               /* GPUVM's BO; core->opaque = this */
} NvVmbindBo;

typedef struct NvVmbindVm {
    uint32_t id;
    uint64_t kernel_start;
    uint64_t kernel_range;
    NvvbUvmm *uvmm;
    NvvbPtm *ptm;
} NvVmbindVm;

/* Backing of BO offset @off: aperture, address, contiguous bytes. */
bool nv_vmbind_bo_resolve(const NvVmbindBo *bo, uint64_t off,
                          NvGmmuAperture *aper, uint64_t *pa,
                          uint64_t *contig);

#endif /* HW_DISPLAY_NV_VMBIND_BIND_H */
