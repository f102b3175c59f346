/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * nv-vmbind GPU VA space manager with Linux drm_gpuvm semantics.
 *
 * The semantics, op sequences and locking rules are described in the DOC
 * block at the top of gpuvm.c and in docs/devel/nv-vmbind-gpuvm.rst.
 * Buffer objects and vm_bos live in gpuvm-bo.h, nouveau's sparse regions in
 * gpuvm-sparse.h.
 *
 * Plain C11 + GLib: no QEMU headers.
 */
#ifndef HW_DISPLAY_NV_VMBIND_GPUVM_H
#define HW_DISPLAY_NV_VMBIND_GPUVM_H

#include <stdbool.h>
#include <stdint.h>
#include <glib.h>

typedef struct NvvbBo NvvbBo;
typedef struct NvvbGpuVm NvvbGpuVm;
typedef struct NvvbGpuVmBo NvvbGpuVmBo;
typedef struct NvvbGpuVa NvvbGpuVa;

/* NvvbGpuVa.flags (values as drm_gpuva_flags). */
enum {
    /* The backing BO moved: the mapping's PTEs are stale. */
    NVVB_GPUVA_INVALIDATED = 1u << 0,
    /* The mapping is a sparse placeholder (no BO). */
    NVVB_GPUVA_SPARSE = 1u << 1,
    /* First bit free for layers above. */
    NVVB_GPUVA_USERBITS = 1u << 2,
};

/**
 * struct NvvbGpuVa: one mapping [addr, addr + range) -> (bo, bo_offset)
 * @addr: first VA of the mapping; the tree key
 * @rb_left: private to gpuvm-tree.c: left child in the red-black tree
 * @rb_right: private to gpuvm-tree.c: right child
 * @rb_child: the same two links as an array ([0] left, [1] right)
 * @range: size in bytes (> 0)
 * @rb_parent: private: parent in the tree, while inserted
 * @removed_next: private: once removed, the next mapping of the
 *                NvvbGpuVaOps.removed chain (or of the spare list)
 * @next: private: the next mapping by address, while inserted
 * @flags: NVVB_GPUVA_* bits
 * @rb_red: private: the node's red-black colour
 * @bo: the backing BO (referenced), or NULL for a mapping without BO
 *      (a sparse one; never `keep`)
 * @bo_offset: byte offset in @bo that @addr maps
 * @priv: owned by the layer above (gpuvm-sparse.c: its sparse region)
 * @vm: private: the VM, set while inserted
 * @vm_bo: private: the (VM, BO) pair, set while linked
 * @bo_link: private: entry in vm_bo->vas
 *
 * Allocated by nvvb_gpuva_new() or by the apply helpers and owned by whoever
 * holds it while it is not inserted; once inserted the VM's tree refers to
 * it.  The mapping holds a reference on @bo (if any) for its whole life, so
 * a mapping removed by an op stays readable until nvvb_gpuva_free().
 *
 * The mapping is its own tree node (gpuvm-tree.h): the key and the child
 * links come first so that a lookup reads one cache line per level, and
 * the whole stays within 120 bytes, a size malloc keeps on its fast lists.
 */
struct NvvbGpuVa {
    uint64_t addr;          /* tree key */
    /* Private to gpuvm-tree.c: red-black tree links ([0] left). */
    union {
        struct {
            NvvbGpuVa *rb_left;
            NvvbGpuVa *rb_right;
        };
        NvvbGpuVa *rb_child[2];
    };
    uint64_t range;
    union {
        NvvbGpuVa *rb_parent;       /* while inserted */
        NvvbGpuVa *removed_next;    /* after: NvvbGpuVaOps.removed chain */
    };
    NvvbGpuVa *next;        /* the next mapping by address (private) */
    uint32_t flags;         /* NVVB_GPUVA_* */
    bool rb_red;            /* private */
    NvvbBo *bo;             /* NULL: a mapping without BO (never `keep`) */
    uint64_t bo_offset;
    void *priv;             /* owned by the layer above (sparse region) */

    /* Private to gpuvm.c / gpuvm-bo.c. */
    NvvbGpuVm *vm;          /* set while inserted */
    NvvbGpuVmBo *vm_bo;     /* set while linked */
    GList bo_link;          /* entry in vm_bo->vas */
};

/* A slot of the start-address index (private; gpuvm-tree.c). */
typedef struct NvvbVaSlot {
    uint64_t addr;
    NvvbGpuVa *va;          /* NULL: free */
} NvvbVaSlot;

/*
 * The mappings of a VM (private; gpuvm-tree.h): red-black tree, first of
 * the list in address order, the finger where the last change happened,
 * and a hash index of the mappings by start address.
 */
typedef struct NvvbVaTree {
    NvvbGpuVa *root;
    NvvbGpuVa *first;
    NvvbGpuVa *finger;
    guint count;
    NvvbVaSlot *slots;      /* 2^slot_bits of them, or NULL when empty */
    unsigned slot_bits;
    uint32_t max_disp;      /* no key further than this from its home */
} NvvbVaTree;

/* Size of a VM's direct-mapped BO -> vm_bo cache (gpuvm-bo.c). */
#define NVVB_GPUVM_VM_BO_CACHE 16

/**
 * struct NvvbGpuVm: a GPU VA space [mm_start, mm_start + mm_range)
 * @name: a name for messages (owned copy)
 * @mm_start: first address of the space
 * @mm_range: size of the space in bytes (> 0)
 * @rsv_start: start of the reserved window
 * @rsv_range: size of the reserved window; 0: no reserved range
 * @resv_id: identity of the VM's common reservation object; a BO with
 *           another resv_id is an external object
 * @refcount: private: references (nvvb_gpuvm_ref() / _unref())
 * @lock: private: the VM's lock (nvvb_gpuvm_lock())
 * @lock_owner: private: tag of the thread holding @lock, NULL when free;
 *              read by nvvb_gpuvm_assert_held()
 * @tree: private: the mappings, non-overlapping
 * @vm_bo_cache: private: vm_bos found recently, direct-mapped by BO
 *               address (see nvvb_gpuvm_bo_obtain())
 * @extobj: private: the vm_bos of external objects (extobj_link)
 * @evict: private: the evicted vm_bos (evict_link)
 *
 * An optional reserved (kernel-managed) range [rsv_start, rsv_start +
 * rsv_range) lies inside the space and can never be mapped or unmapped
 * through this API; it is not part of the mapping tree.
 *
 * Locking: see "Locking" in gpuvm.c.  Every member, the mapping tree
 * and the extobj / evict lists included, is protected by @lock.
 */
struct NvvbGpuVm {
    char *name;
    uint64_t mm_start;
    uint64_t mm_range;
    uint64_t rsv_start;
    uint64_t rsv_range;     /* 0: no reserved range */
    uint64_t resv_id;       /* the VM's common reservation object */

    /* Private. */
    gint refcount;
    GMutex lock;
    const void *lock_owner; /* for nvvb_gpuvm_assert_held() */
    NvvbVaTree tree;        /* the mappings, non-overlapping */
    /* vm_bos found recently, by BO address (see nvvb_gpuvm_bo_obtain()). */
    NvvbGpuVmBo *vm_bo_cache[NVVB_GPUVM_VM_BO_CACHE];
    GQueue extobj;          /* NvvbGpuVmBo.extobj_link */
    GQueue evict;           /* NvvbGpuVmBo.evict_link */
};

/* Operations are data: sm_map / sm_unmap describe their steps with these. */
typedef enum NvvbGpuVaOpType {
    NVVB_GPUVA_OP_MAP,
    NVVB_GPUVA_OP_REMAP,
    NVVB_GPUVA_OP_UNMAP,
} NvvbGpuVaOpType;

/**
 * struct NvvbGpuVaOpMap: a mapping to create (also used as the plain
 * (va, range, bo, offset) tuple, e.g. by nvvb_gpuvm_restore())
 * @addr: first VA
 * @range: size in bytes
 * @bo: the backing BO, or NULL for a mapping without BO
 * @bo_offset: byte offset in @bo that @addr maps
 */
typedef struct NvvbGpuVaOpMap {
    uint64_t addr;
    uint64_t range;
    NvvbBo *bo;
    uint64_t bo_offset;
} NvvbGpuVaOpMap;

/**
 * struct NvvbGpuVaOpUnmap: a mapping to remove
 * @va: the mapping; valid until the op is applied and, for op lists
 *      applied with nvvb_gpuvm_ops_apply(), until nvvb_gpuva_ops_free()
 * @keep: the old mapping's PTEs are what the new request maps at the same
 *        addresses (same BO, contiguous offset), so they may be kept
 */
typedef struct NvvbGpuVaOpUnmap {
    NvvbGpuVa *va;
    bool keep;
} NvvbGpuVaOpUnmap;

/**
 * struct NvvbGpuVaOpRemap: split an existing mapping: remove @unmap.va and
 * re-create the piece before the request (@prev) and/or after it (@next)
 * @has_prev: @prev is valid: part of the old mapping lies below the request
 * @has_next: @next is valid: part of the old mapping lies above the request
 * @prev: the remaining piece below the request (same BO and offsets)
 * @next: the remaining piece above the request (same BO; offset moved
 *        with the start)
 * @unmap: the mapping that is split
 */
typedef struct NvvbGpuVaOpRemap {
    bool has_prev;
    bool has_next;
    NvvbGpuVaOpMap prev;
    NvvbGpuVaOpMap next;
    NvvbGpuVaOpUnmap unmap;
} NvvbGpuVaOpRemap;

typedef struct NvvbGpuVaOp {
    NvvbGpuVaOpType type;
    union {
        NvvbGpuVaOpMap map;
        NvvbGpuVaOpRemap remap;
        NvvbGpuVaOpUnmap unmap;
    };
} NvvbGpuVaOp;

/**
 * struct NvvbGpuVaOps: an ordered list of ops, to be iterated any number
 * of times (e.g. once to allocate page tables, once to commit)
 * @n_ops: number of ops in @ops
 * @ops: the ops in order; NULL or @inline_ops when short (see
 *       NVVB_GPUVA_OPS_FOREACH)
 * @alloc: private: capacity of @ops
 * @removed: private: chain (removed_next) of the mappings detached by
 *           nvvb_gpuvm_ops_apply(), freed by nvvb_gpuva_ops_free()
 * @inline_ops: private: storage for the first ops; most requests need no
 *              second allocation
 */
typedef struct NvvbGpuVaOps {
    guint n_ops;
    NvvbGpuVaOp *ops;
    /* Private. */
    guint alloc;
    NvvbGpuVa *removed;     /* detached by nvvb_gpuvm_ops_apply() (chain) */
    /* Most requests have at most this many ops: no second allocation. */
    NvvbGpuVaOp inline_ops[4];
} NvvbGpuVaOps;

/* An empty list may have no array: never offset its NULL (UB). */
#define NVVB_GPUVA_OPS_FOREACH(op_, ops_) \
    for ((op_) = (ops_)->ops; (ops_)->n_ops && \
         (op_) < (ops_)->ops + (ops_)->n_ops; (op_)++)

/**
 * struct NvvbGpuVmSmOps: callbacks of nvvb_gpuvm_sm_map() / _sm_unmap()
 * @step_map: called for each MAP op
 * @step_remap: called for each REMAP op (split of an existing mapping)
 * @step_unmap: called for each UNMAP op
 *
 * Each gets one op (valid only during the call) and the caller's @priv; a
 * non-zero return stops the walk and is returned.  A callback may apply its
 * op to the VM at once (nvvb_gpuva_op_apply()).
 */
typedef struct NvvbGpuVmSmOps {
    int (*step_map)(NvvbGpuVaOp *op, void *priv);
    int (*step_remap)(NvvbGpuVaOp *op, void *priv);
    int (*step_unmap)(NvvbGpuVaOp *op, void *priv);
} NvvbGpuVmSmOps;

/* VA space */
int nvvb_gpuvm_new(NvvbGpuVm **out, const char *name,
                   uint64_t start, uint64_t range,
                   uint64_t rsv_start, uint64_t rsv_range, uint64_t resv_id);
NvvbGpuVm *nvvb_gpuvm_ref(NvvbGpuVm *vm);
void nvvb_gpuvm_unref(NvvbGpuVm *vm);
void nvvb_gpuvm_destroy(NvvbGpuVm *vm);
void nvvb_gpuvm_lock(NvvbGpuVm *vm);
void nvvb_gpuvm_unlock(NvvbGpuVm *vm);
void nvvb_gpuvm_assert_held(const NvvbGpuVm *vm);
bool nvvb_gpuvm_range_valid(const NvvbGpuVm *vm,
                            uint64_t addr, uint64_t range);
bool nvvb_gpuvm_interval_empty(NvvbGpuVm *vm, uint64_t addr, uint64_t range);
guint nvvb_gpuvm_count(NvvbGpuVm *vm);
void nvvb_gpuvm_clear(NvvbGpuVm *vm);
int nvvb_gpuvm_restore(NvvbGpuVm *vm, const NvvbGpuVaOpMap *maps, guint n);

/* Mappings: lookup and ordered iteration */
NvvbGpuVa *nvvb_gpuva_find_first(NvvbGpuVm *vm, uint64_t addr, uint64_t range);
NvvbGpuVa *nvvb_gpuva_find(NvvbGpuVm *vm, uint64_t addr, uint64_t range);
NvvbGpuVa *nvvb_gpuva_find_from(NvvbGpuVm *vm, uint64_t addr);
NvvbGpuVa *nvvb_gpuva_first(NvvbGpuVm *vm);
NvvbGpuVa *nvvb_gpuva_next(NvvbGpuVa *va);

#define NVVB_GPUVM_FOREACH_VA(va_, vm_) \
    for ((va_) = nvvb_gpuva_first(vm_); (va_); (va_) = nvvb_gpuva_next(va_))

/* Mappings: create, insert, remove */
NvvbGpuVa *nvvb_gpuva_new(uint64_t addr, uint64_t range,
                          NvvbBo *bo, uint64_t bo_offset);
void nvvb_gpuva_free(NvvbGpuVa *va);
int nvvb_gpuva_insert(NvvbGpuVm *vm, NvvbGpuVa *va);
void nvvb_gpuva_remove(NvvbGpuVa *va);

/* Split and merge */
int nvvb_gpuvm_sm_map(NvvbGpuVm *vm, const NvvbGpuVmSmOps *fn, void *priv,
                      uint64_t addr, uint64_t range,
                      NvvbBo *bo, uint64_t bo_offset);
int nvvb_gpuvm_sm_unmap(NvvbGpuVm *vm, const NvvbGpuVmSmOps *fn, void *priv,
                        uint64_t addr, uint64_t range);
int nvvb_gpuvm_sm_map_ops_create(NvvbGpuVm *vm, uint64_t addr, uint64_t range,
                                 NvvbBo *bo, uint64_t bo_offset,
                                 NvvbGpuVaOps **out);
int nvvb_gpuvm_sm_unmap_ops_create(NvvbGpuVm *vm, uint64_t addr,
                                   uint64_t range, NvvbGpuVaOps **out);
void nvvb_gpuva_ops_free(NvvbGpuVaOps *ops);

/* Applying ops to the VA space */
int nvvb_gpuva_map(NvvbGpuVm *vm, const NvvbGpuVaOpMap *op, void *priv,
                   NvvbGpuVa **out);
void nvvb_gpuva_remap(NvvbGpuVm *vm, const NvvbGpuVaOpRemap *op,
                      NvvbGpuVa **prev, NvvbGpuVa **next);
void nvvb_gpuva_unmap(const NvvbGpuVaOpUnmap *op);
int nvvb_gpuva_op_apply(NvvbGpuVm *vm, const NvvbGpuVaOp *op, void *map_priv);
int nvvb_gpuvm_ops_apply(NvvbGpuVm *vm, NvvbGpuVaOps *ops, void *map_priv);

#endif
