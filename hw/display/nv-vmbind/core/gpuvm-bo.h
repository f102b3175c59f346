/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * nv-vmbind buffer objects and vm_bos (drm_gem_object / drm_gpuvm_bo).
 *
 * A BO in the core is what the GPUVM needs to know about a buffer: the
 * device's 64-bit handle, its size, the identity of its reservation object,
 * an opaque pointer for the device and the list of its vm_bos.  A vm_bo
 * is the unique (VM, BO) pair: it holds the list of the BO's mappings in
 * that VM and is the entry of the VM's extobj / evict lists.  Eviction is
 * per vm_bo, as in drm_gpuvm.  See "Locking" in gpuvm.c.
 *
 * Plain C11 + GLib: no QEMU headers.
 */
#ifndef HW_DISPLAY_NV_VMBIND_GPUVM_BO_H
#define HW_DISPLAY_NV_VMBIND_GPUVM_BO_H

#include "gpuvm.h"

/**
 * struct NvvbBo: a buffer object as the GPUVM sees it
 * @handle: the device's id for the BO (guest handle or similar)
 * @size: size in bytes (nvvb_uvmm_bind() maps nothing beyond it)
 * @resv_id: identity of the BO's reservation object; a BO whose @resv_id
 *           differs from its VM's is an external object of that VM
 * @opaque: the device's pointer, never touched by the core
 * @refcount: private: references (nvvb_bo_ref() / nvvb_bo_unref())
 * @lock: private: protects @vm_bos (a leaf lock)
 * @vm_bos: private: the BO's vm_bos, one per VM (NvvbGpuVmBo.bo_link)
 *
 * Refcounted: nvvb_bo_new() returns one reference; mappings and vm_bos
 * hold their own.
 */
struct NvvbBo {
    uint64_t handle;
    uint64_t size;
    uint64_t resv_id;
    void *opaque;

    /* Private. */
    gint refcount;
    GMutex lock;            /* protects vm_bos (leaf lock) */
    GQueue vm_bos;          /* NvvbGpuVmBo.bo_link */
};

/**
 * struct NvvbGpuVmBo: the unique (VM, BO) pair (drm_gpuvm_bo)
 * @vm: the VM (referenced)
 * @bo: the BO (referenced)
 * @evicted: on @vm's evict list waiting for nvvb_gpuvm_validate()
 * @refcount: private: references; each linked mapping holds one
 * @vas: private: the mappings of @bo in @vm (NvvbGpuVa.bo_link), in link
 *       order
 * @bo_link: private: entry in bo->vm_bos (protected by bo->lock)
 * @extobj_link: private: entry in vm->extobj while @on_extobj
 * @evict_link: private: entry in vm->evict while @on_evict
 * @on_extobj: private: linked on vm->extobj (the BO is an external object)
 * @on_evict: private: linked on vm->evict
 *
 * Found or created by nvvb_gpuvm_bo_obtain(); every linked mapping holds a
 * reference, and the vm_bo goes away with its last reference.
 */
struct NvvbGpuVmBo {
    NvvbGpuVm *vm;
    NvvbBo *bo;
    bool evicted;

    /* Private, protected by vm->lock (bo_link by bo->lock). */
    gint refcount;
    GQueue vas;             /* NvvbGpuVa.bo_link, in link order */
    GList bo_link;          /* entry in bo->vm_bos */
    GList extobj_link;      /* entry in vm->extobj while on_extobj */
    GList evict_link;       /* entry in vm->evict while on_evict */
    bool on_extobj;
    bool on_evict;
};

typedef int (*NvvbGpuVmBoFn)(NvvbGpuVmBo *vm_bo, void *opaque);

/* BOs */
NvvbBo *nvvb_bo_new(uint64_t handle, uint64_t size, uint64_t resv_id,
                    void *opaque);
NvvbBo *nvvb_bo_ref(NvvbBo *bo);
void nvvb_bo_unref(NvvbBo *bo);
void nvvb_bo_evict(NvvbBo *bo, bool evict);
guint nvvb_bo_vm_bo_count(NvvbBo *bo);

/* vm_bos */
NvvbGpuVmBo *nvvb_gpuvm_bo_find(NvvbGpuVm *vm, NvvbBo *bo);
NvvbGpuVmBo *nvvb_gpuvm_bo_obtain(NvvbGpuVm *vm, NvvbBo *bo);
NvvbGpuVmBo *nvvb_gpuvm_bo_get(NvvbGpuVmBo *vm_bo);
bool nvvb_gpuvm_bo_put(NvvbGpuVmBo *vm_bo);
void nvvb_gpuvm_bo_evict(NvvbGpuVmBo *vm_bo, bool evict);
bool nvvb_gpuvm_is_extobj(const NvvbGpuVm *vm, const NvvbBo *bo);
guint nvvb_gpuvm_bo_va_count(const NvvbGpuVmBo *vm_bo);

#define NVVB_GPUVM_BO_FOREACH_VA(va_, l_, vm_bo_) \
    for ((l_) = (vm_bo_)->vas.head; \
         (l_) && (((va_) = (l_)->data), 1); (l_) = (l_)->next)

/* Mapping <-> vm_bo */
void nvvb_gpuva_link(NvvbGpuVa *va, NvvbGpuVmBo *vm_bo);
void nvvb_gpuva_unlink(NvvbGpuVa *va);

/* The VM's extobj / evict lists */
guint nvvb_gpuvm_extobj_count(NvvbGpuVm *vm);
int nvvb_gpuvm_foreach_extobj(NvvbGpuVm *vm, NvvbGpuVmBoFn fn, void *opaque);
guint nvvb_gpuvm_evict_count(NvvbGpuVm *vm);
int nvvb_gpuvm_validate(NvvbGpuVm *vm, NvvbGpuVmBoFn fn, void *opaque);

#endif
