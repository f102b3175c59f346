/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * nv-vmbind GPU VA space manager with Linux drm_gpuvm semantics.
 *
 * DOC: Overview
 *
 * An NvvbGpuVm is one GPU virtual address space [start, start + range),
 * optionally with a reserved ("kernel-managed") window inside it that the
 * VM_BIND path may never touch.  It tracks mappings (NvvbGpuVa): a VA range
 * backed by a buffer object (NvvbBo, gpuvm-bo.h) at some offset, or by
 * nothing.  Mappings never overlap; they are kept in an intrusive red-black
 * tree keyed by start address and threaded in address order
 * (gpuvm-tree.c), so lookups are O(log n), the next mapping is O(1), and a
 * request that starts at an existing mapping (hash index) or next to the
 * previous change (the MAP after its UNMAP, sequential binds) needs no
 * descent at all.
 *
 * The device uses it twice: as the engine of the paravirtual bind queue
 * (guest MAP/UNMAP descriptors become nvvb_gpuvm_sm_map()/_sm_unmap()) and as
 * the oracle that page tables built by a guest driver are checked against.
 * For both, its answers must be exactly those of Linux's drm_gpuvm (6.12):
 * the same ops, in the same order, with the same fields and `keep` flags.
 * tests/gpuvm-upstream/ checks that against the kernel's own drm_gpuvm.c.
 *
 * A range is valid when it is non-empty, does not overflow 64 bits, lies
 * inside the space and does not overlap the reserved window; anything else
 * is -EINVAL and changes nothing.  (drm_gpuvm itself lets a zero-length
 * range through and then emits a zero-length MAP; we refuse it, as the
 * issue asks and as any caller should.)
 *
 * DOC: Split and Merge
 *
 * nvvb_gpuvm_sm_map(addr, range, bo, offset) computes what it takes to make
 * [addr, addr + range) map @bo at @offset, given the mappings already there.
 * It walks the existing mappings overlapping the request in address order
 * and emits, for each of them, exactly one op:
 *
 * - UNMAP when the mapping lies wholly inside the request;
 * - REMAP when it sticks out on the left (a "prev" piece [m.addr, addr)
 *   survives), on the right (a "next" piece [addr + range, m.end) survives,
 *   its BO offset advanced by the distance from m.addr), or both (the
 *   request is strictly inside it: prev and next).
 *
 * and finally one MAP for the request itself.  Only the first and the last
 * overlapping mapping can stick out, so there are at most two REMAPs; there
 * can be any number of UNMAPs.  Nothing is ever merged: a MAP identical to
 * an existing mapping still yields UNMAP + MAP.
 *
 * `keep` (on the UNMAP, or on the REMAP's unmap part) says that the old
 * mapping already maps, at the addresses the request covers, exactly what
 * the request maps there: it has a BO, the same BO as the request, and its
 * offset is contiguous with the request's, i.e.
 * old.offset - old.addr == req.offset - req.addr (modulo 2^64).  A page
 * table manager may then keep those PTEs and write only the delta.  A
 * mapping without a BO is never `keep`.  The 15 cases of drm_gpuvm's "Split
 * and Merge" DOC are unit tests (tests/unit/test-gpuvm.c and the scripts in
 * tests/unit/gpuvm-scripts/).
 *
 * nvvb_gpuvm_sm_unmap(addr, range) emits, in address order, UNMAP for each
 * mapping inside the range and REMAP for one sticking out (prev and/or next
 * piece as above).  `keep` is always false there: nothing replaces the
 * range.  An unmap of a hole emits nothing and succeeds.
 *
 * Ops are data (NvvbGpuVaOp, a type and a union).  They come either one at a
 * time through callbacks (NvvbGpuVmSmOps; a callback may apply its op to the
 * VM at once with nvvb_gpuva_op_apply()), or as a list
 * (nvvb_gpuvm_sm_map_ops_create()) that can be iterated any number of times
 * - e.g. once to allocate page tables, once to commit - and is then applied
 * with nvvb_gpuvm_ops_apply().  As with drm_gpuvm, ops describe the space as
 * it was when they were computed: apply (or drop) one request's ops before
 * asking for the next.  Applying does what drm_gpuva_map/remap/unmap plus
 * drm_gpuva_link/unlink do: the VA tree and the vm_bo lists stay in step.
 * Remap pieces inherit the original's flags and priv.
 *
 * DOC: Locking
 *
 * One lock per VM, vm->lock (nvvb_gpuvm_lock()), protects everything the VM
 * owns: the mapping tree, each mapping's fields, each vm_bo's mapping list
 * and flags, and the VM's extobj and evict lists.  This is drm_gpuvm's
 * DRM_GPUVM_RESV_PROTECTED design, where the VM's common reservation lock
 * protects the lists, with the device's per-VM mutex in place of the
 * dma_resv.  The core never takes vm->lock itself: the caller holds it
 * across a whole request (compute ops, apply them), so that a request's
 * changes appear at once - as nouveau holds uvmm->mutex across a bind job.
 * Functions that touch the lists assert it (nvvb_gpuvm_assert_held()).
 *
 * A BO's list of vm_bos spans VMs, so it has its own lock, bo->lock, taken
 * internally and only as a leaf (never held while taking a VM lock).
 * nvvb_bo_evict() changes the vm_bos of every VM the BO is mapped in: its
 * caller holds all those VMs' locks (in the device, VMs of one device share
 * the device's lock order).  Reference counts of BOs and VMs are atomic.
 */
#include "gpuvm.h"
#include "gpuvm-bo.h"
#include "gpuvm-tree.h"

#include <errno.h>
#include <string.h>

/*
 * One byte per thread: its address names the thread that holds a VM lock.
 * Cheaper than g_thread_self() (a GPrivate lookup) in every assertion.
 */
static __thread char lock_tag;

/*
 * glibc keeps chunks of up to 128 bytes (120 requested) on its fast lists:
 * no coalescing, no write to the neighbouring chunk on free.
 */
G_STATIC_ASSERT(sizeof(NvvbGpuVa) <= 120);

/*
 * Spare mappings and op lists, per thread.  A bind request frees about what
 * the next one allocates (the mapping it replaces, its op list): a few of
 * each kept on a thread-local list skip malloc's bins and locks.  A GPrivate
 * destructor frees them when the thread exits.  Under AddressSanitizer
 * (NVVB_ASAN: meson's b_sanitize, the ASan unit tests, run-fuzz.sh)
 * nothing is kept, so that a use after nvvb_gpuva_free() is still caught.
 */
#ifdef NVVB_ASAN                /* set by the builds that use ASan */
#define SPARE_VAS 0
#endif
#ifndef SPARE_VAS
#define SPARE_VAS 64
#endif

static __thread NvvbGpuVa *spare_vas;       /* chained by removed_next */
static __thread guint n_spare_vas;
static __thread NvvbGpuVaOps *spare_ops;
static __thread bool spares_armed;

static void spares_free(gpointer unused)
{
    NvvbGpuVa *va;

    while ((va = spare_vas)) {
        spare_vas = va->removed_next;
        g_free(va);
    }
    n_spare_vas = 0;
    g_free(spare_ops);
    spare_ops = NULL;
    spares_armed = false;
}

static GPrivate spares_key = G_PRIVATE_INIT(spares_free);

/* Have spares_free() run at this thread's exit. */
static void spares_arm(void)
{
    if (!spares_armed) {
        spares_armed = true;
        g_private_set(&spares_key, &spares_armed);
    }
}

static NvvbGpuVa *va_alloc(void)
{
    NvvbGpuVa *va = spare_vas;

    if (!va) {
        return g_new(NvvbGpuVa, 1);
    }
    spare_vas = va->removed_next;
    n_spare_vas--;
    return va;
}

static void va_release(NvvbGpuVa *va)
{
    if (n_spare_vas >= SPARE_VAS) {
        g_free(va);
        return;
    }
    spares_arm();
    va->removed_next = spare_vas;
    spare_vas = va;
    n_spare_vas++;
}

static bool add_overflows(uint64_t a, uint64_t b)
{
    uint64_t sum;

    return __builtin_add_overflow(a, b, &sum);
}

/**
 * nvvb_gpuvm_new: create a VA space
 * @out: receives the new VM (one reference)
 * @name: a name for messages (copied; may be NULL)
 * @start: first address of the space
 * @range: size of the space (> 0, @start + @range must not overflow)
 * @rsv_start: start of the reserved (kernel-managed) window
 * @rsv_range: its size; 0 for none
 * @resv_id: identity of the VM's common reservation object; BOs with
 *           another resv_id are external objects
 *
 * The reserved window, if any, must lie inside the space.
 *
 * Returns: 0, or -EINVAL for an empty or overflowing space or a reserved
 * window that overflows or leaves the space (nothing is allocated then).
 */
int nvvb_gpuvm_new(NvvbGpuVm **out, const char *name,
                   uint64_t start, uint64_t range,
                   uint64_t rsv_start, uint64_t rsv_range, uint64_t resv_id)
{
    NvvbGpuVm *vm;

    *out = NULL;
    if (range == 0 || add_overflows(start, range)) {
        return -EINVAL;
    }
    if (rsv_range &&
        (add_overflows(rsv_start, rsv_range) || rsv_start < start ||
         rsv_start + rsv_range > start + range)) {
        return -EINVAL;
    }

    vm = g_new0(NvvbGpuVm, 1);
    vm->name = g_strdup(name ? name : "gpuvm");
    vm->mm_start = start;
    vm->mm_range = range;
    vm->rsv_start = rsv_range ? rsv_start : 0;
    vm->rsv_range = rsv_range;
    vm->resv_id = resv_id;
    vm->refcount = 1;
    g_mutex_init(&vm->lock);
    g_queue_init(&vm->extobj);
    g_queue_init(&vm->evict);
    *out = vm;
    return 0;
}

/**
 * nvvb_gpuvm_ref: take a reference on a VM
 * @vm: the VM
 *
 * Returns: @vm
 */
NvvbGpuVm *nvvb_gpuvm_ref(NvvbGpuVm *vm)
{
    g_atomic_int_inc(&vm->refcount);
    return vm;
}

/**
 * nvvb_gpuvm_unref: drop a reference on a VM
 * @vm: the VM (may be NULL)
 *
 * The last reference frees the VM; it must have no mappings left then (every
 * linked mapping holds a vm_bo, which holds a VM reference, so with BO-backed
 * mappings this cannot be the last one: use nvvb_gpuvm_destroy()).
 */
void nvvb_gpuvm_unref(NvvbGpuVm *vm)
{
    if (!vm || !g_atomic_int_dec_and_test(&vm->refcount)) {
        return;
    }
    g_assert(vm->tree.count == 0);
    nvvb_va_tree_fini(&vm->tree);
    g_assert(g_queue_is_empty(&vm->extobj));
    g_assert(g_queue_is_empty(&vm->evict));
    g_mutex_clear(&vm->lock);
    g_free(vm->name);
    g_free(vm);
}

/**
 * nvvb_gpuvm_destroy: remove every mapping and drop the owner's reference
 * @vm: the VM (may be NULL); the caller must not hold its lock
 *
 * vm_bos still referenced elsewhere keep the VM alive (empty) until they go.
 */
void nvvb_gpuvm_destroy(NvvbGpuVm *vm)
{
    if (!vm) {
        return;
    }
    nvvb_gpuvm_lock(vm);
    nvvb_gpuvm_clear(vm);
    nvvb_gpuvm_unlock(vm);
    nvvb_gpuvm_unref(vm);
}

/**
 * nvvb_gpuvm_lock: take the VM's lock (see "Locking")
 * @vm: the VM
 */
void nvvb_gpuvm_lock(NvvbGpuVm *vm)
{
    g_mutex_lock(&vm->lock);
    vm->lock_owner = &lock_tag;
}

/**
 * nvvb_gpuvm_unlock: release the VM's lock
 * @vm: the VM
 */
void nvvb_gpuvm_unlock(NvvbGpuVm *vm)
{
    nvvb_gpuvm_assert_held(vm);
    vm->lock_owner = NULL;
    g_mutex_unlock(&vm->lock);
}

/**
 * nvvb_gpuvm_assert_held: abort unless the calling thread holds vm->lock
 * @vm: the VM
 */
void nvvb_gpuvm_assert_held(const NvvbGpuVm *vm)
{
    g_assert(vm->lock_owner == &lock_tag);
}

/**
 * nvvb_gpuvm_range_valid: can [addr, addr + range) be mapped or unmapped?
 * @vm: the VM
 * @addr: start
 * @range: length
 *
 * Returns: true if @range is non-zero, @addr + @range does not overflow, the
 * range lies inside the space and it does not overlap the reserved window
 * (drm_gpuvm_range_valid(), plus the non-zero length).
 */
bool nvvb_gpuvm_range_valid(const NvvbGpuVm *vm, uint64_t addr, uint64_t range)
{
    uint64_t end = addr + range;

    if (range == 0 || add_overflows(addr, range)) {
        return false;
    }
    if (addr < vm->mm_start || end > vm->mm_start + vm->mm_range) {
        return false;
    }
    return !(vm->rsv_range && addr < vm->rsv_start + vm->rsv_range &&
             vm->rsv_start < end);
}

/**
 * nvvb_gpuva_find_from: the mapping containing @addr, else the first one
 * after it
 * @vm: the VM
 * @addr: the address
 *
 * O(log n), O(1) next to the last change.  Returns: the mapping, or NULL if
 * none contains or follows @addr
 */
NvvbGpuVa *nvvb_gpuva_find_from(NvvbGpuVm *vm, uint64_t addr)
{
    NvvbGpuVa *va = nvvb_va_tree_floor(&vm->tree, addr);

    if (!va) {
        return vm->tree.first;
    }
    /* va->addr <= addr here: does it reach @addr? */
    return addr - va->addr < va->range ? va : va->next;
}

/**
 * nvvb_gpuva_find_first: the first mapping overlapping a range
 * @vm: the VM
 * @addr: start of the range
 * @range: length of the range
 *
 * Returns: the lowest-addressed mapping overlapping [addr, addr + range), or
 * NULL (always NULL for an empty range)
 */
NvvbGpuVa *nvvb_gpuva_find_first(NvvbGpuVm *vm, uint64_t addr, uint64_t range)
{
    NvvbGpuVa *va;

    if (range == 0) {
        return NULL;
    }
    va = nvvb_gpuva_find_from(vm, addr);
    if (!va || va->addr <= addr) {
        return va;
    }
    return va->addr - addr < range ? va : NULL;
}

/**
 * nvvb_gpuva_find: the mapping that is exactly [addr, addr + range)
 * @vm: the VM
 * @addr: start
 * @range: length
 *
 * Returns: the mapping or NULL
 */
NvvbGpuVa *nvvb_gpuva_find(NvvbGpuVm *vm, uint64_t addr, uint64_t range)
{
    NvvbGpuVa *va = nvvb_va_tree_at(&vm->tree, addr);

    return va && va->range == range ? va : NULL;
}

/**
 * nvvb_gpuvm_interval_empty: is no mapping in [addr, addr + range)?
 * @vm: the VM
 * @addr: start
 * @range: length
 *
 * Returns: true if no mapping overlaps the range
 */
bool nvvb_gpuvm_interval_empty(NvvbGpuVm *vm, uint64_t addr, uint64_t range)
{
    return !nvvb_gpuva_find_first(vm, addr, range);
}

/**
 * nvvb_gpuva_first: the lowest-addressed mapping
 * @vm: the VM
 *
 * Returns: the mapping or NULL if the VM is empty
 */
NvvbGpuVa *nvvb_gpuva_first(NvvbGpuVm *vm)
{
    return vm->tree.first;
}

/**
 * nvvb_gpuva_next: the mapping following @va in address order
 * @va: an inserted mapping
 *
 * O(1).  Returns: the next mapping or NULL
 */
NvvbGpuVa *nvvb_gpuva_next(NvvbGpuVa *va)
{
    g_assert(va->vm);
    return va->next;
}

/**
 * nvvb_gpuvm_count: number of mappings
 * @vm: the VM
 *
 * Returns: the number of mappings (the reserved window is not one)
 */
guint nvvb_gpuvm_count(NvvbGpuVm *vm)
{
    return vm->tree.count;
}

/**
 * nvvb_gpuva_new: allocate a mapping (not inserted)
 * @addr: start
 * @range: length
 * @bo: backing BO or NULL (a reference is taken)
 * @bo_offset: offset in @bo
 *
 * Returns: the mapping, to insert with nvvb_gpuva_insert() or free with
 * nvvb_gpuva_free()
 */
NvvbGpuVa *nvvb_gpuva_new(uint64_t addr, uint64_t range,
                          NvvbBo *bo, uint64_t bo_offset)
{
    NvvbGpuVa *va = va_alloc();

    *va = (NvvbGpuVa) {
        .addr = addr,
        .range = range,
        .bo = bo ? nvvb_bo_ref(bo) : NULL,
        .bo_offset = bo_offset,
        .bo_link.data = va,
    };
    return va;
}

/**
 * nvvb_gpuva_free: free a mapping that is neither inserted nor linked
 * @va: the mapping (may be NULL)
 */
void nvvb_gpuva_free(NvvbGpuVa *va)
{
    if (!va) {
        return;
    }
    g_assert(!va->vm && !va->vm_bo);
    nvvb_bo_unref(va->bo);
    va_release(va);
}

/**
 * nvvb_gpuva_insert: insert a mapping into the tree
 * @vm: the VM; caller holds its lock
 * @va: a mapping not inserted anywhere
 *
 * Does not link @va to a vm_bo (nvvb_gpuva_link()).
 *
 * Returns: 0, -EINVAL if the range is not valid (nvvb_gpuvm_range_valid()),
 * -EEXIST if it overlaps an existing mapping (as drm_gpuva_insert()).
 */
int nvvb_gpuva_insert(NvvbGpuVm *vm, NvvbGpuVa *va)
{
    NvvbGpuVa *floor, *succ;

    nvvb_gpuvm_assert_held(vm);
    g_assert(!va->vm);
    if (!nvvb_gpuvm_range_valid(vm, va->addr, va->range)) {
        return -EINVAL;
    }
    /* Free iff the floor ends by va->addr and its successor starts after. */
    floor = nvvb_va_tree_floor(&vm->tree, va->addr);
    succ = floor ? floor->next : vm->tree.first;
    if ((floor && va->addr - floor->addr < floor->range) ||
        (succ && succ->addr - va->addr < va->range)) {
        return -EEXIST;
    }
    va->vm = vm;
    nvvb_va_tree_insert(&vm->tree, va, floor);
    return 0;
}

/**
 * nvvb_gpuva_remove: remove a mapping from its VM's tree
 * @va: an inserted mapping; caller holds its VM's lock
 *
 * Does not unlink it from its vm_bo (nvvb_gpuva_unlink()) nor free it.
 */
void nvvb_gpuva_remove(NvvbGpuVa *va)
{
    NvvbGpuVm *vm = va->vm;

    g_assert(vm);
    nvvb_gpuvm_assert_held(vm);
    nvvb_va_tree_remove(&vm->tree, va);
    va->vm = NULL;
}

static void va_detach(NvvbGpuVa *va)
{
    nvvb_gpuva_unlink(va);
    nvvb_gpuva_remove(va);
}

/**
 * nvvb_gpuvm_clear: remove, unlink and free every mapping
 * @vm: the VM; caller holds its lock
 */
void nvvb_gpuvm_clear(NvvbGpuVm *vm)
{
    NvvbGpuVa *va;

    nvvb_gpuvm_assert_held(vm);
    while ((va = nvvb_gpuva_first(vm))) {
        va_detach(va);
        nvvb_gpuva_free(va);
    }
}

/* Insert a new mapping and link it to @vm_bo or, if NULL, to its BO's. */
static int va_create(NvvbGpuVm *vm, const NvvbGpuVaOpMap *m,
                     uint32_t flags, void *priv, NvvbGpuVmBo *vm_bo,
                     NvvbGpuVa **out)
{
    NvvbGpuVa *va = nvvb_gpuva_new(m->addr, m->range, m->bo, m->bo_offset);
    int ret;

    va->flags = flags;
    va->priv = priv;
    ret = nvvb_gpuva_insert(vm, va);
    if (ret) {
        nvvb_gpuva_free(va);
        return ret;
    }
    if (va->bo) {
        if (vm_bo) {
            nvvb_gpuva_link(va, vm_bo);
        } else {
            vm_bo = nvvb_gpuvm_bo_obtain(vm, va->bo);
            nvvb_gpuva_link(va, vm_bo);
            nvvb_gpuvm_bo_put(vm_bo);
        }
    }
    if (out) {
        *out = va;
    }
    return 0;
}

/**
 * nvvb_gpuvm_restore: rebuild a space from a list of mappings
 * @vm: an empty VM; caller holds its lock
 * @maps: the mappings (va, range, bo, offset), in any order
 * @n: how many
 *
 * For migration: the destination re-creates the source's mapping set.  Every
 * entry is checked as nvvb_gpuva_insert() checks it.
 *
 * Returns: 0, or -EINVAL / -EEXIST for the first bad entry, after which
 * the VM is empty again; -EBUSY if the VM was not empty.
 */
int nvvb_gpuvm_restore(NvvbGpuVm *vm, const NvvbGpuVaOpMap *maps, guint n)
{
    guint i;
    int ret;

    nvvb_gpuvm_assert_held(vm);
    if (nvvb_gpuvm_count(vm)) {
        return -EBUSY;
    }
    for (i = 0; i < n; i++) {
        ret = va_create(vm, &maps[i], 0, NULL, NULL, NULL);
        if (ret) {
            nvvb_gpuvm_clear(vm);
            return ret;
        }
    }
    return 0;
}

/* The next free slot of an op list (inline storage first). */
static NvvbGpuVaOp *ops_push(NvvbGpuVaOps *ops)
{
    if (ops->n_ops == ops->alloc) {
        if (!ops->alloc) {
            ops->ops = ops->inline_ops;
            ops->alloc = G_N_ELEMENTS(ops->inline_ops);
        } else if (ops->ops == ops->inline_ops) {
            ops->ops = g_new(NvvbGpuVaOp, ops->alloc * 2);
            memcpy(ops->ops, ops->inline_ops, sizeof(ops->inline_ops));
            ops->alloc *= 2;
        } else {
            ops->alloc *= 2;
            ops->ops = g_renew(NvvbGpuVaOp, ops->ops, ops->alloc);
        }
    }
    return &ops->ops[ops->n_ops++];
}

/*
 * Split and merge.  One walker serves map and unmap requests: @is_map says
 * whether a final MAP is emitted and whether `keep` can be set.  With @list
 * the ops are appended to it (nothing changes the tree meanwhile); else
 * each goes to @fn, which may apply it.
 */
static int sm_walk(NvvbGpuVm *vm, const NvvbGpuVmSmOps *fn, void *priv,
                   NvvbGpuVaOps *list, bool is_map,
                   uint64_t req_addr, uint64_t req_range,
                   NvvbBo *req_bo, uint64_t req_offset)
{
    uint64_t req_end = req_addr + req_range;
    NvvbGpuVaOp tmp, *op;
    NvvbGpuVa *va;
    int ret;

    if (!nvvb_gpuvm_range_valid(vm, req_addr, req_range)) {
        return -EINVAL;
    }

    va = nvvb_gpuva_find_first(vm, req_addr, req_range);
    while (va && va->addr < req_end) {
        uint64_t end = va->addr + va->range;
        NvvbGpuVa *succ = end < req_end ? va->next : NULL;
        uint64_t succ_addr = succ ? succ->addr : 0;
        /* Same BO and the same offset at every address they share. */
        bool keep = is_map && va->bo && va->bo == req_bo &&
                    va->bo_offset - va->addr == req_offset - req_addr;

        op = list ? ops_push(list) : &tmp;
        memset(op, 0, sizeof(*op));
        if (va->addr < req_addr || end > req_end) {
            NvvbGpuVaOpRemap *r = &op->remap;

            op->type = NVVB_GPUVA_OP_REMAP;
            if (va->addr < req_addr) {
                r->has_prev = true;
                r->prev.addr = va->addr;
                r->prev.range = req_addr - va->addr;
                r->prev.bo = va->bo;
                r->prev.bo_offset = va->bo_offset;
            }
            if (end > req_end) {
                r->has_next = true;
                r->next.addr = req_end;
                r->next.range = end - req_end;
                r->next.bo = va->bo;
                r->next.bo_offset = va->bo_offset + (req_end - va->addr);
            }
            r->unmap.va = va;
            r->unmap.keep = keep;
        } else {
            op->type = NVVB_GPUVA_OP_UNMAP;
            op->unmap.va = va;
            op->unmap.keep = keep;
        }

        if (list) {
            va = succ;
            continue;
        }
        ret = op->type == NVVB_GPUVA_OP_REMAP ? fn->step_remap(op, priv)
                                              : fn->step_unmap(op, priv);
        if (ret) {
            return ret;
        }
        /*
         * Find the successor again by key (one index probe): the callback
         * may have applied the op.
         */
        va = succ ? nvvb_va_tree_at(&vm->tree, succ_addr) : NULL;
    }

    if (is_map) {
        op = list ? ops_push(list) : &tmp;
        memset(op, 0, sizeof(*op));
        op->type = NVVB_GPUVA_OP_MAP;
        op->map.addr = req_addr;
        op->map.range = req_range;
        op->map.bo = req_bo;
        op->map.bo_offset = req_offset;
        return list ? 0 : fn->step_map(op, priv);
    }
    return 0;
}

/**
 * nvvb_gpuvm_sm_map: walk the ops that map [addr, addr + range)
 * @vm: the VM; caller holds its lock
 * @fn: callbacks, all three required
 * @priv: passed to the callbacks
 * @addr: start of the new mapping
 * @range: its length
 * @bo: its BO (or NULL)
 * @bo_offset: offset in @bo
 *
 * Calls back for any number of UNMAPs, at most two REMAPs and one final MAP,
 * in address order, exactly as drm_gpuvm_sm_map() (see "Split and Merge").
 * A callback may apply its op before returning.
 *
 * Returns: 0, -EINVAL for an invalid range or missing callback (nothing is
 * called then), or the first non-zero callback return.
 */
int nvvb_gpuvm_sm_map(NvvbGpuVm *vm, const NvvbGpuVmSmOps *fn, void *priv,
                      uint64_t addr, uint64_t range,
                      NvvbBo *bo, uint64_t bo_offset)
{
    if (!fn || !fn->step_map || !fn->step_remap || !fn->step_unmap) {
        return -EINVAL;
    }
    return sm_walk(vm, fn, priv, NULL, true, addr, range, bo, bo_offset);
}

/**
 * nvvb_gpuvm_sm_unmap: walk the ops that unmap [addr, addr + range)
 * @vm: the VM; caller holds its lock
 * @fn: callbacks; step_remap and step_unmap required
 * @priv: passed to the callbacks
 * @addr: start of the range
 * @range: its length
 *
 * Calls back for any number of UNMAPs and at most two REMAPs, in address
 * order, `keep` always false, exactly as drm_gpuvm_sm_unmap().
 *
 * Returns: 0, -EINVAL for an invalid range or missing callback, or the
 * first non-zero callback return.
 */
int nvvb_gpuvm_sm_unmap(NvvbGpuVm *vm, const NvvbGpuVmSmOps *fn, void *priv,
                        uint64_t addr, uint64_t range)
{
    if (!fn || !fn->step_remap || !fn->step_unmap) {
        return -EINVAL;
    }
    return sm_walk(vm, fn, priv, NULL, false, addr, range, NULL, 0);
}

/* An empty list; one allocation holds the common case. */
static NvvbGpuVaOps *ops_new(void)
{
    NvvbGpuVaOps *ops = spare_ops;

    if (ops) {
        spare_ops = NULL;
    } else {
        ops = g_new(NvvbGpuVaOps, 1);
    }

    ops->n_ops = 0;
    ops->ops = ops->inline_ops;
    ops->alloc = G_N_ELEMENTS(ops->inline_ops);
    ops->removed = NULL;
    return ops;
}

static int ops_create(NvvbGpuVm *vm, bool is_map, uint64_t addr,
                      uint64_t range, NvvbBo *bo, uint64_t bo_offset,
                      NvvbGpuVaOps **out)
{
    NvvbGpuVaOps *ops = ops_new();
    int ret = sm_walk(vm, NULL, NULL, ops, is_map, addr, range, bo,
                      bo_offset);

    if (ret) {
        nvvb_gpuva_ops_free(ops);
        ops = NULL;
    }
    *out = ops;
    return ret;
}

/**
 * nvvb_gpuvm_sm_map_ops_create: the ops of nvvb_gpuvm_sm_map() as a list
 * @vm: the VM; caller holds its lock
 * @addr: start of the new mapping
 * @range: its length
 * @bo: its BO (or NULL)
 * @bo_offset: offset in @bo
 * @out: receives the list (free with nvvb_gpuva_ops_free())
 *
 * Returns: 0 or -EINVAL (then *@out is NULL)
 */
int nvvb_gpuvm_sm_map_ops_create(NvvbGpuVm *vm, uint64_t addr, uint64_t range,
                                 NvvbBo *bo, uint64_t bo_offset,
                                 NvvbGpuVaOps **out)
{
    return ops_create(vm, true, addr, range, bo, bo_offset, out);
}

/**
 * nvvb_gpuvm_sm_unmap_ops_create: the ops of nvvb_gpuvm_sm_unmap() as a
 * list
 * @vm: the VM; caller holds its lock
 * @addr: start of the range
 * @range: its length
 * @out: receives the list (free with nvvb_gpuva_ops_free())
 *
 * Returns: 0 or -EINVAL (then *@out is NULL)
 */
int nvvb_gpuvm_sm_unmap_ops_create(NvvbGpuVm *vm, uint64_t addr,
                                   uint64_t range, NvvbGpuVaOps **out)
{
    return ops_create(vm, false, addr, range, NULL, 0, out);
}

/**
 * nvvb_gpuva_ops_free: free an op list and the mappings its application
 * removed
 * @ops: the list (may be NULL; a zeroed NvvbGpuVaOps is an empty list)
 */
void nvvb_gpuva_ops_free(NvvbGpuVaOps *ops)
{
    NvvbGpuVa *va, *next;

    if (!ops) {
        return;
    }
    for (va = ops->removed; va; va = next) {
        next = va->removed_next;
        va->removed_next = NULL;
        nvvb_gpuva_free(va);
    }
    if (ops->ops != ops->inline_ops) {
        g_free(ops->ops);
    }
    if (SPARE_VAS && !spare_ops) {
        spares_arm();
        spare_ops = ops;
    } else {
        g_free(ops);
    }
}

/**
 * nvvb_gpuva_map: apply a MAP op: create, insert and link the mapping
 * @vm: the VM; caller holds its lock
 * @op: the op
 * @priv: stored in the new mapping's priv
 * @out: receives the new mapping (may be NULL)
 *
 * Returns: 0, or -EINVAL / -EEXIST if the op does not fit the space (stale
 * ops); nothing changes then
 */
int nvvb_gpuva_map(NvvbGpuVm *vm, const NvvbGpuVaOpMap *op, void *priv,
                   NvvbGpuVa **out)
{
    return va_create(vm, op, 0, priv, NULL, out);
}

/**
 * nvvb_gpuva_remap: apply a REMAP op
 * @vm: the VM; caller holds its lock
 * @op: the op
 * @prev: receives the new prev piece or NULL (may be NULL)
 * @next: receives the new next piece or NULL (may be NULL)
 *
 * Removes and unlinks @op->unmap.va (the caller frees it with
 * nvvb_gpuva_free() once done with it) and inserts the prev / next pieces,
 * which inherit its flags and priv and are linked to its vm_bo.
 */
void nvvb_gpuva_remap(NvvbGpuVm *vm, const NvvbGpuVaOpRemap *op,
                      NvvbGpuVa **prev, NvvbGpuVa **next)
{
    NvvbGpuVa *old = op->unmap.va;
    NvvbGpuVmBo *vm_bo = old->vm_bo ? nvvb_gpuvm_bo_get(old->vm_bo) : NULL;
    NvvbGpuVa *p = NULL, *n = NULL;
    int ret;

    va_detach(old);
    /* The pieces lie inside the removed mapping: they cannot fail. */
    if (op->has_prev) {
        ret = va_create(vm, &op->prev, old->flags, old->priv, vm_bo, &p);
        g_assert(ret == 0);
    }
    if (op->has_next) {
        ret = va_create(vm, &op->next, old->flags, old->priv, vm_bo, &n);
        g_assert(ret == 0);
    }
    if (vm_bo) {
        nvvb_gpuvm_bo_put(vm_bo);
    }
    if (prev) {
        *prev = p;
    }
    if (next) {
        *next = n;
    }
}

/**
 * nvvb_gpuva_unmap: apply an UNMAP op: remove and unlink the mapping
 * @op: the op; the caller frees @op->va with nvvb_gpuva_free() once done
 */
void nvvb_gpuva_unmap(const NvvbGpuVaOpUnmap *op)
{
    va_detach(op->va);
}

static bool op_removes_inserted(NvvbGpuVm *vm, const NvvbGpuVa *va)
{
    return va && va->vm == vm;
}

/* Apply one op; chain a removed mapping on @keep (or free it). */
static int op_apply(NvvbGpuVm *vm, const NvvbGpuVaOp *op, void *map_priv,
                    NvvbGpuVaOps *keep)
{
    NvvbGpuVa *old;

    switch (op->type) {
    case NVVB_GPUVA_OP_MAP:
        return nvvb_gpuva_map(vm, &op->map, map_priv, NULL);
    case NVVB_GPUVA_OP_REMAP:
        old = op->remap.unmap.va;
        if (!op_removes_inserted(vm, old)) {
            return -EINVAL;
        }
        nvvb_gpuva_remap(vm, &op->remap, NULL, NULL);
        break;
    case NVVB_GPUVA_OP_UNMAP:
        old = op->unmap.va;
        if (!op_removes_inserted(vm, old)) {
            return -EINVAL;
        }
        nvvb_gpuva_unmap(&op->unmap);
        break;
    default:
        return -EINVAL;
    }
    if (keep) {
        old->removed_next = keep->removed;
        keep->removed = old;
    } else {
        nvvb_gpuva_free(old);
    }
    return 0;
}

/**
 * nvvb_gpuva_op_apply: apply one op, e.g. from an sm_map callback
 * @vm: the VM; caller holds its lock
 * @op: the op
 * @map_priv: priv of the mapping a MAP creates
 *
 * A mapping removed by a REMAP or UNMAP is freed at once: @op->...va must not
 * be used afterwards.
 *
 * Returns: 0, or -EINVAL / -EEXIST for an op that does not fit the space
 */
int nvvb_gpuva_op_apply(NvvbGpuVm *vm, const NvvbGpuVaOp *op, void *map_priv)
{
    return op_apply(vm, op, map_priv, NULL);
}

/**
 * nvvb_gpuvm_ops_apply: apply an op list in order
 * @vm: the VM; caller holds its lock
 * @ops: ops computed on @vm's current state
 * @map_priv: priv of the mapping the MAP creates
 *
 * Mappings removed by the ops stay allocated (and their unmap.va pointers
 * valid) until nvvb_gpuva_ops_free(@ops), so a page-table manager can still
 * read them after the space changed.
 *
 * Returns: 0, or -EINVAL / -EEXIST at the first op that does not fit (ops
 * not computed on the current state); the ops before it stay applied.
 */
int nvvb_gpuvm_ops_apply(NvvbGpuVm *vm, NvvbGpuVaOps *ops, void *map_priv)
{
    NvvbGpuVaOp *op;
    int ret;

    NVVB_GPUVA_OPS_FOREACH(op, ops) {
        ret = op_apply(vm, op, map_priv, ops);
        if (ret) {
            return ret;
        }
    }
    return 0;
}
