/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * nv-vmbind core: a GPU VM as the VM_BIND path sees it.
 *
 * DOC: Composition
 *
 * An NvvbVm puts together three things that must always agree:
 *
 * - the VA manager (NvvbUvmm, gpuvm-sparse.h: the GPUVM with nouveau's
 *   sparse-region rules), which decides what a bind means and refuses a
 *   malformed one before changing anything;
 * - the page-table manager (NvvbPtm, ptm.h), which writes that meaning as
 *   VER2 tables into the page-table pool in VRAM;
 * - the invalidate callback of its NvvbVmEnv, which the owner (the device)
 *   turns into a TLB invalidate whenever the tables changed.
 *
 * The VMs of one device share an NvvbVmEnv: the pool, the VRAM accessor,
 * the callback and the work limit.  Buffers (buffer.h) are what mappings
 * point at; one buffer can be mapped in several VMs.
 *
 * The GPUVM changes only when the tables can follow.  Before the GPUVM
 * applies a request: the pool must hold an upper bound of the tables the
 * request can allocate (so -ENOSPC is conservative), and the table entries
 * it writes or replaces must stay within the env's work limit (-E2BIG);
 * backings the tables cannot express were refused when the buffer was
 * checked (nvvb_buffer_check()).  If the tables still fail after the
 * GPUVM changed, that is a device bug; it is reported as a divergence
 * (-EFAULT and NvvbVmResult.diverged), never hidden.
 *
 * Moving a buffer follows drm_gpuvm: the new backing is committed, the
 * buffer's vm_bos go on their VMs' evict lists (nvvb_bo_evict()) and each
 * VM's validate rewrites every evicted vm_bo with the backing of its own
 * buffer.  Eviction is per vm_bo: a buffer mapped nowhere has nothing to
 * evict, and a vm_bo created later starts valid.
 *
 * DOC: Reservations
 *
 * drm_gpuvm calls a BO an external object of a VM when their reservation
 * objects differ (NvvbBo.resv_id, NvvbGpuVm.resv_id).  Every buffer has
 * its own, NVVB_BO_RESV(id) (ids are 32-bit), and every VM its own,
 * NVVB_VM_RESV(id), above all of them: no buffer ever shares a VM's
 * reservation, so every buffer is an external object of each VM mapping
 * it.
 *
 * Not thread-safe beyond the GPUVM's locks: the owner serialises requests
 * (the device runs them under the BQL).  Plain C11 + GLib: no QEMU headers.
 */
#ifndef NV_VMBIND_VM_H
#define NV_VMBIND_VM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "hw/display/nv-vmbind-regs.h"
#include "buffer.h"
#include "gpuvm-sparse.h"
#include "pt-pool.h"
#include "ptm.h"

/* Reservation identities: see "Reservations" above. */
#define NVVB_BO_RESV(bo_id)     ((uint64_t)(uint32_t)(bo_id))
#define NVVB_VM_RESV_BASE       (1ull << 32)
#define NVVB_VM_RESV(vm_id)     (NVVB_VM_RESV_BASE + (uint32_t)(vm_id))

typedef struct NvvbVm NvvbVm;

/*
 * Called after a request changed @vm's tables (@res->changed is true):
 * invalidate the TLB for @vm's PDB as NvvbPtmResult describes.
 */
typedef void (*NvvbVmInvalidateFn)(void *opaque, NvvbVm *vm,
                                   const NvvbPtmResult *res);

/**
 * struct NvvbVmEnv: what the VMs of one device share
 * @pool: the page-table pool (outlives every VM)
 * @mem: VRAM accessor for the tables (read and write)
 * @invalidate: TLB invalidate (may be NULL)
 * @opaque: for @invalidate
 * @max_work: a request whose table entries written or replaced exceed
 *            this is refused (-E2BIG)
 * @fail_tables: fault injection for tests: the next @fail_tables binds
 *               fail in the tables after the GPUVM changed (a divergence)
 */
typedef struct NvvbVmEnv {
    NvvbPtPool *pool;
    NvGmmuMem mem;
    NvvbVmInvalidateFn invalidate;
    void *opaque;
    uint64_t max_work;
    uint32_t fail_tables;
} NvvbVmEnv;

/**
 * struct NvvbVm: one GPU VM
 * @id: the guest's VM id
 * @kernel_start: start of the kernel-managed range (VM_CREATE)
 * @kernel_range: its length
 * @uvmm: the VA manager; its GPUVM lock protects the mappings
 * @ptm: the page tables; NULL only while being restored
 * @env: shared with the device's other VMs
 */
struct NvvbVm {
    uint32_t id;
    uint64_t kernel_start;
    uint64_t kernel_range;
    NvvbUvmm *uvmm;
    NvvbPtm *ptm;
    NvvbVmEnv *env;
};

/* Where a new VM's tables come from. */
typedef enum NvvbVmTables {
    NVVB_VM_TABLES_NEW,         /* an empty PD3 from the pool */
    NVVB_VM_TABLES_RESTORE,     /* later, nvvb_vm_restore_tables() */
} NvvbVmTables;

/* What a request did, for the caller's accounting. */
typedef struct NvvbVmResult {
    uint64_t work;      /* table entries written or found already right */
    int diverged;       /* 0, or the tables' error after the GPUVM changed */
} NvvbVmResult;

/* One MAP or UNMAP request. */
typedef struct NvvbVmBindOp {
    uint32_t op;        /* NVVB_OP_MAP or NVVB_OP_UNMAP */
    uint32_t flags;     /* NVVB_MAP_* */
    uint32_t bo_id;     /* as the guest gave it; 0: none */
    NvvbBuffer *bo;     /* the buffer @bo_id names; NULL if none */
    uint64_t va;
    uint64_t range;
    uint64_t bo_offset;
} NvvbVmBindOp;

/**
 * nvvb_vm_new: create a VM: its VA manager and (@tables NEW) its tables.
 * @out: receives the VM
 * @env: shared state (outlives the VM)
 * @id: the guest's VM id (names the VM's reservation, NVVB_VM_RESV())
 * @kernel_start: kernel-managed range, as nouveau's VM_INIT
 * @kernel_range: its length
 * @tables: NEW, or RESTORE for a VM whose GPUVM is replayed and whose
 *          tables are then claimed with nvvb_vm_restore_tables()
 *          (migration); until then only those two and nvvb_vm_free() may
 *          be used on it
 *
 * Returns: 0, -EINVAL (bad kernel-managed range), -ENOSPC (pool full),
 * -EIO (the PD3 could not be written).
 */
int nvvb_vm_new(NvvbVm **out, NvvbVmEnv *env, uint32_t id,
                uint64_t kernel_start, uint64_t kernel_range,
                NvvbVmTables tables);

/**
 * nvvb_vm_restore_tables: give a VM created with NVVB_VM_TABLES_RESTORE
 * the tables recorded by nvvb_ptm_save() (nvvb_ptm_load()).
 * @vm: the VM
 * @blob: the record
 * @len: its length
 *
 * Returns: 0, -EEXIST if @vm has tables, else as nvvb_ptm_load().
 */
int nvvb_vm_restore_tables(NvvbVm *vm, const void *blob, size_t len);

/**
 * nvvb_vm_teardown_work: what freeing @vm's tables costs, about one unit
 * per entry they hold (a caller budgeting its work counts it).
 * @vm: the VM
 *
 * Returns: the estimate.
 */
uint64_t nvvb_vm_teardown_work(const NvvbVm *vm);

/**
 * nvvb_vm_free: invalidate everything @vm translated (the callback, if it
 * has tables), free its tables and its VA manager (NULL is a no-op).  Its
 * vm_bos go, so its buffers may be destroyed afterwards.
 * @vm: the VM
 */
void nvvb_vm_free(NvvbVm *vm);

/**
 * nvvb_vm_bind: one MAP or UNMAP request (nouveau's VM_BIND op).
 * @vm: the VM
 * @op: the request; MAP with NVVB_MAP_SPARSE creates a sparse region,
 *      UNMAP with it destroys one
 * @res: receives the work done and any divergence
 *
 * Refused before anything changes: -EINVAL (unknown flag bits, a BO with
 * SPARSE, attributes on an UNMAP), -ENOSPC (the pool may not hold the
 * tables the request can need), -E2BIG (too much table work), and the
 * GPUVM's own refusals (-EINVAL, -ENOENT, -ENOSPC, -EEXIST; see
 * gpuvm-sparse.c).  -EFAULT: the GPUVM changed and the tables could not
 * follow (@res->diverged holds why).  The invalidate callback runs if the
 * tables changed.
 *
 * Returns: 0 or a negative errno as above.
 */
int nvvb_vm_bind(NvvbVm *vm, const NvvbVmBindOp *op, NvvbVmResult *res);

/**
 * nvvb_vm_move_buffer: give @bo @to's backing (BO_MOVE) and rewrite its
 * mappings in every VM.
 * @env: the VMs' env
 * @vms: the device's VMs (NULL entries are skipped)
 * @n: entries in @vms
 * @bo: a published buffer
 * @to: the new backing (nvvb_buffer_check() passed); taken on success or
 *      divergence, left to the caller otherwise
 * @res: receives the work done and any divergence
 *
 * Refused before anything changes: -EINVAL (other size), -ENOSPC (the pool
 * may not hold the tables every rewrite can need), -E2BIG (too much table
 * work).  -EFAULT: the backing is committed but a VM's tables could not
 * follow (@res->diverged holds why).  The invalidate callback runs for each
 * VM whose tables changed.
 *
 * Returns: 0 or a negative errno as above.
 */
int nvvb_vm_move_buffer(NvvbVmEnv *env, NvvbVm *const *vms, unsigned n,
                        NvvbBuffer *bo, NvvbBuffer *to, NvvbVmResult *res);

/**
 * nvvb_vm_va_set_attrs: store a mapping's NVVB_MAP_{KIND_MASK,READ_ONLY,
 * PRIV,NO_ATOMIC} bits in its NvvbGpuVa.flags (above the GPUVM's bits).
 * @va: the mapping (NULL is a no-op)
 * @map_flags: the bind's NVVB_MAP_* flags; other bits are ignored
 */
void nvvb_vm_va_set_attrs(NvvbGpuVa *va, uint32_t map_flags);

/**
 * nvvb_vm_va_attrs: the NVVB_MAP_* attribute bits of a mapping.
 * @va: the mapping
 *
 * Returns: what nvvb_vm_va_set_attrs() stored.
 */
uint32_t nvvb_vm_va_attrs(const NvvbGpuVa *va);

#endif /* NV_VMBIND_VM_H */
