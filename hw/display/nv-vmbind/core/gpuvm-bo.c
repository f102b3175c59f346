/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * nv-vmbind buffer objects and vm_bos (drm_gem_object / drm_gpuvm_bo).
 *
 * One vm_bo per (VM, BO): nvvb_gpuvm_bo_obtain() finds it on the BO's list
 * or creates it.  A new vm_bo of an external object (the BO's reservation is
 * not the VM's) goes on the VM's extobj list at once: with one VM lock
 * protecting the lists there is no reason for drm_gpuvm's separate
 * extobj_add step.  As in drm_gpuvm, eviction is a property of vm_bos, not
 * of BOs: nvvb_bo_evict() (drm_gpuvm_bo_gem_evict()) marks the vm_bos the
 * BO has now, and a vm_bo created later starts valid, because its mappings
 * are written with the backing the BO has then.  nvvb_gpuvm_validate()
 * hands each evicted vm_bo to a callback and takes it off the list.
 *
 * Locking is described in gpuvm.c ("Locking").
 */
#include "gpuvm-bo.h"

#include <errno.h>

/**
 * nvvb_bo_new() - create a BO
 * @handle: the device's id for it
 * @size: its size in bytes (0: not checked by the uvmm layer)
 * @resv_id: its reservation object's identity
 * @opaque: the device's pointer
 *
 * Returns: the BO with one reference
 */
NvvbBo *nvvb_bo_new(uint64_t handle, uint64_t size, uint64_t resv_id,
                    void *opaque)
{
    NvvbBo *bo = g_new0(NvvbBo, 1);

    bo->handle = handle;
    bo->size = size;
    bo->resv_id = resv_id;
    bo->opaque = opaque;
    bo->refcount = 1;
    g_mutex_init(&bo->lock);
    g_queue_init(&bo->vm_bos);
    return bo;
}

/**
 * nvvb_bo_ref() - take a reference on a BO
 * @bo: the BO
 *
 * Returns: @bo
 */
NvvbBo *nvvb_bo_ref(NvvbBo *bo)
{
    g_atomic_int_inc(&bo->refcount);
    return bo;
}

/**
 * nvvb_bo_unref() - drop a reference on a BO; the last one frees it
 * @bo: the BO (may be NULL)
 */
void nvvb_bo_unref(NvvbBo *bo)
{
    if (!bo || !g_atomic_int_dec_and_test(&bo->refcount)) {
        return;
    }
    /* Every vm_bo holds a reference, so none can be left. */
    g_assert(g_queue_is_empty(&bo->vm_bos));
    g_mutex_clear(&bo->lock);
    g_free(bo);
}

/**
 * nvvb_bo_vm_bo_count() - in how many VMs is the BO mapped (has a vm_bo)?
 * @bo: the BO
 *
 * Returns: the length of the BO's vm_bo list
 */
guint nvvb_bo_vm_bo_count(NvvbBo *bo)
{
    guint n;

    g_mutex_lock(&bo->lock);
    n = g_queue_get_length(&bo->vm_bos);
    g_mutex_unlock(&bo->lock);
    return n;
}

/**
 * nvvb_bo_evict() - mark a BO evicted (or resident) in every VM
 * @bo: the BO
 * @evict: true when its backing store moved away from where PTEs point
 *
 * Calls nvvb_gpuvm_bo_evict() on each of the BO's vm_bos, as
 * drm_gpuvm_bo_gem_evict() does.  A BO mapped nowhere has nothing to
 * evict: nothing is remembered for vm_bos created later.  The caller holds
 * the lock of every VM the BO is mapped in.
 */
void nvvb_bo_evict(NvvbBo *bo, bool evict)
{
    GList *l;

    g_mutex_lock(&bo->lock);
    for (l = bo->vm_bos.head; l; l = l->next) {
        nvvb_gpuvm_bo_evict(l->data, evict);
    }
    g_mutex_unlock(&bo->lock);
}

/**
 * nvvb_gpuvm_is_extobj() - is @bo an external object of @vm?
 * @vm: the VM
 * @bo: the BO (may be NULL)
 *
 * Returns: true if @bo is not NULL and its reservation is not the VM's
 */
bool nvvb_gpuvm_is_extobj(const NvvbGpuVm *vm, const NvvbBo *bo)
{
    return bo && bo->resv_id != vm->resv_id;
}

/* The VM's vm_bo cache slot of @bo (pointer bits above malloc alignment). */
static NvvbGpuVmBo **cache_slot(NvvbGpuVm *vm, const NvvbBo *bo)
{
    uintptr_t h = (uintptr_t)bo >> 4;

    h ^= h >> 7;
    return &vm->vm_bo_cache[h % NVVB_GPUVM_VM_BO_CACHE];
}

/*
 * The cache (under vm->lock) answers repeated lookups without the BO's
 * lock or list walk; a vm_bo leaves it when freed (nvvb_gpuvm_bo_put()).
 */
static NvvbGpuVmBo *vm_bo_lookup(NvvbGpuVm *vm, NvvbBo *bo)
{
    NvvbGpuVmBo **slot = cache_slot(vm, bo);
    NvvbGpuVmBo *found = NULL;
    GList *l;

    if (*slot && (*slot)->bo == bo) {
        return *slot;
    }
    g_mutex_lock(&bo->lock);
    for (l = bo->vm_bos.head; l; l = l->next) {
        NvvbGpuVmBo *vm_bo = l->data;

        if (vm_bo->vm == vm) {
            found = vm_bo;
            *slot = found;
            break;
        }
    }
    g_mutex_unlock(&bo->lock);
    return found;
}

/**
 * nvvb_gpuvm_bo_find() - the vm_bo of (@vm, @bo), if it exists
 * @vm: the VM; caller holds its lock
 * @bo: the BO
 *
 * Returns: the vm_bo with a new reference, or NULL
 */
NvvbGpuVmBo *nvvb_gpuvm_bo_find(NvvbGpuVm *vm, NvvbBo *bo)
{
    NvvbGpuVmBo *vm_bo;

    nvvb_gpuvm_assert_held(vm);
    vm_bo = vm_bo_lookup(vm, bo);
    return vm_bo ? nvvb_gpuvm_bo_get(vm_bo) : NULL;
}

/**
 * nvvb_gpuvm_bo_obtain() - find or create the vm_bo of (@vm, @bo)
 * @vm: the VM; caller holds its lock
 * @bo: the BO
 *
 * A new vm_bo is added to @bo's list and to @vm's extobj list if @bo is an
 * external object.  It is not evicted (drm_gpuvm_bo_create()).
 *
 * Returns: the vm_bo with a new reference
 */
NvvbGpuVmBo *nvvb_gpuvm_bo_obtain(NvvbGpuVm *vm, NvvbBo *bo)
{
    NvvbGpuVmBo *vm_bo = nvvb_gpuvm_bo_find(vm, bo);

    if (vm_bo) {
        return vm_bo;
    }
    vm_bo = g_new0(NvvbGpuVmBo, 1);
    vm_bo->vm = nvvb_gpuvm_ref(vm);
    vm_bo->bo = nvvb_bo_ref(bo);
    vm_bo->refcount = 1;
    g_queue_init(&vm_bo->vas);
    vm_bo->bo_link.data = vm_bo;
    vm_bo->extobj_link.data = vm_bo;
    vm_bo->evict_link.data = vm_bo;

    g_mutex_lock(&bo->lock);
    g_queue_push_tail_link(&bo->vm_bos, &vm_bo->bo_link);
    g_mutex_unlock(&bo->lock);
    *cache_slot(vm, bo) = vm_bo;

    if (nvvb_gpuvm_is_extobj(vm, bo)) {
        g_queue_push_tail_link(&vm->extobj, &vm_bo->extobj_link);
        vm_bo->on_extobj = true;
    }
    return vm_bo;
}

/**
 * nvvb_gpuvm_bo_get() - take a reference on a vm_bo
 * @vm_bo: the vm_bo; caller holds its VM's lock
 *
 * Returns: @vm_bo
 */
NvvbGpuVmBo *nvvb_gpuvm_bo_get(NvvbGpuVmBo *vm_bo)
{
    nvvb_gpuvm_assert_held(vm_bo->vm);
    vm_bo->refcount++;
    return vm_bo;
}

/**
 * nvvb_gpuvm_bo_put() - drop a reference on a vm_bo
 * @vm_bo: the vm_bo (may be NULL); caller holds its VM's lock
 *
 * The last reference takes the vm_bo off its BO's and VM's lists and drops
 * its VM and BO references.  If that can be the VM's last reference (the VM
 * was destroyed already), the caller holds a VM reference of its own across
 * lock, put and unlock.
 *
 * Returns: true if the vm_bo was freed
 */
bool nvvb_gpuvm_bo_put(NvvbGpuVmBo *vm_bo)
{
    NvvbGpuVm *vm;
    NvvbBo *bo;

    if (!vm_bo) {
        return false;
    }
    vm = vm_bo->vm;
    bo = vm_bo->bo;
    nvvb_gpuvm_assert_held(vm);
    g_assert(vm_bo->refcount > 0);
    if (--vm_bo->refcount) {
        return false;
    }
    /* Each linked mapping holds a reference. */
    g_assert(g_queue_is_empty(&vm_bo->vas));
    if (vm_bo->on_extobj) {
        g_queue_unlink(&vm->extobj, &vm_bo->extobj_link);
    }
    if (vm_bo->on_evict) {
        g_queue_unlink(&vm->evict, &vm_bo->evict_link);
    }
    g_mutex_lock(&bo->lock);
    g_queue_unlink(&bo->vm_bos, &vm_bo->bo_link);
    g_mutex_unlock(&bo->lock);
    if (*cache_slot(vm, bo) == vm_bo) {
        *cache_slot(vm, bo) = NULL;
    }
    g_free(vm_bo);
    nvvb_bo_unref(bo);
    nvvb_gpuvm_unref(vm);
    return true;
}

/**
 * nvvb_gpuvm_bo_evict() - put a vm_bo on (or take it off) its VM's evict list
 * @vm_bo: the vm_bo; caller holds its VM's lock
 * @evict: evicted or not
 */
void nvvb_gpuvm_bo_evict(NvvbGpuVmBo *vm_bo, bool evict)
{
    NvvbGpuVm *vm = vm_bo->vm;

    nvvb_gpuvm_assert_held(vm);
    vm_bo->evicted = evict;
    if (evict && !vm_bo->on_evict) {
        g_queue_push_tail_link(&vm->evict, &vm_bo->evict_link);
        vm_bo->on_evict = true;
    } else if (!evict && vm_bo->on_evict) {
        g_queue_unlink(&vm->evict, &vm_bo->evict_link);
        vm_bo->on_evict = false;
    }
}

/**
 * nvvb_gpuvm_bo_va_count() - number of mappings linked to a vm_bo
 * @vm_bo: the vm_bo; caller holds its VM's lock
 *
 * Returns: the count
 */
guint nvvb_gpuvm_bo_va_count(const NvvbGpuVmBo *vm_bo)
{
    return g_queue_get_length((GQueue *)&vm_bo->vas);
}

/**
 * nvvb_gpuva_link() - add a mapping to its vm_bo's list
 * @va: the mapping, backed by @vm_bo's BO
 * @vm_bo: the vm_bo; caller holds its VM's lock
 *
 * The mapping holds a reference on @vm_bo until nvvb_gpuva_unlink().
 */
void nvvb_gpuva_link(NvvbGpuVa *va, NvvbGpuVmBo *vm_bo)
{
    g_assert(va->bo == vm_bo->bo && !va->vm_bo);
    va->vm_bo = nvvb_gpuvm_bo_get(vm_bo);
    g_queue_push_tail_link(&vm_bo->vas, &va->bo_link);
}

/**
 * nvvb_gpuva_unlink() - take a mapping off its vm_bo's list
 * @va: the mapping (nothing happens if it is not linked); caller holds the
 *      VM's lock
 *
 * Drops the mapping's vm_bo reference, which may free the vm_bo.
 */
void nvvb_gpuva_unlink(NvvbGpuVa *va)
{
    NvvbGpuVmBo *vm_bo = va->vm_bo;

    if (!vm_bo) {
        return;
    }
    g_queue_unlink(&vm_bo->vas, &va->bo_link);
    va->vm_bo = NULL;
    nvvb_gpuvm_bo_put(vm_bo);
}

/**
 * nvvb_gpuvm_extobj_count() - number of external objects of a VM
 * @vm: the VM; caller holds its lock
 *
 * Returns: the length of the extobj list
 */
guint nvvb_gpuvm_extobj_count(NvvbGpuVm *vm)
{
    nvvb_gpuvm_assert_held(vm);
    return g_queue_get_length(&vm->extobj);
}

/**
 * nvvb_gpuvm_evict_count() - number of evicted vm_bos of a VM
 * @vm: the VM; caller holds its lock
 *
 * Returns: the length of the evict list
 */
guint nvvb_gpuvm_evict_count(NvvbGpuVm *vm)
{
    nvvb_gpuvm_assert_held(vm);
    return g_queue_get_length(&vm->evict);
}

/* Reference every vm_bo of @q, so callbacks may change the list. */
static GPtrArray *snapshot(GQueue *q)
{
    GPtrArray *arr = g_ptr_array_sized_new(g_queue_get_length(q));
    GList *l;

    for (l = q->head; l; l = l->next) {
        g_ptr_array_add(arr, nvvb_gpuvm_bo_get(l->data));
    }
    return arr;
}

static void snapshot_free(GPtrArray *arr, guint from)
{
    guint i;

    for (i = from; i < arr->len; i++) {
        nvvb_gpuvm_bo_put(g_ptr_array_index(arr, i));
    }
    g_ptr_array_free(arr, true);
}

/**
 * nvvb_gpuvm_foreach_extobj() - call @fn for each external object
 * @vm: the VM; caller holds its lock
 * @fn: callback; a non-zero return stops the walk
 * @opaque: passed to @fn
 *
 * The device's counterpart of drm_gpuvm_prepare_objects().
 *
 * Returns: 0 or the first non-zero return of @fn
 */
int nvvb_gpuvm_foreach_extobj(NvvbGpuVm *vm, NvvbGpuVmBoFn fn, void *opaque)
{
    GPtrArray *arr;
    guint i;
    int ret = 0;

    nvvb_gpuvm_assert_held(vm);
    arr = snapshot(&vm->extobj);
    for (i = 0; i < arr->len && !ret; i++) {
        NvvbGpuVmBo *vm_bo = g_ptr_array_index(arr, i);

        ret = fn(vm_bo, opaque);
        nvvb_gpuvm_bo_put(vm_bo);
    }
    snapshot_free(arr, i);
    return ret;
}

/**
 * nvvb_gpuvm_validate() - validate every evicted BO of a VM
 * @vm: the VM; caller holds its lock
 * @fn: called for each vm_bo on the evict list (in eviction order); it makes
 *      the BO resident again and returns 0, or fails
 * @opaque: passed to @fn
 *
 * @fn validates the vm_bo it is given, i.e. its own BO (vm_bo->bo), never
 * another one.  After @fn succeeds the vm_bo leaves the evict list.  vm_bos
 * of the same BO in other VMs stay on their VMs' lists until validated
 * there.  vm_bos evicted while this runs wait for the next call.
 *
 * Returns: 0, or the first non-zero return of @fn; that vm_bo and the ones
 * after it stay evicted
 */
int nvvb_gpuvm_validate(NvvbGpuVm *vm, NvvbGpuVmBoFn fn, void *opaque)
{
    GPtrArray *arr;
    guint i;
    int ret = 0;

    nvvb_gpuvm_assert_held(vm);
    arr = snapshot(&vm->evict);
    for (i = 0; i < arr->len && !ret; i++) {
        NvvbGpuVmBo *vm_bo = g_ptr_array_index(arr, i);

        ret = fn(vm_bo, opaque);
        if (!ret) {
            nvvb_gpuvm_bo_evict(vm_bo, false);
        }
        nvvb_gpuvm_bo_put(vm_bo);
    }
    snapshot_free(arr, i);
    return ret;
}
