/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * nv-vmbind paravirtual GPU: the bind queue and the copy-engine ring.
 *
 * QEMU glue only: descriptors are read from the rings (and scatter lists
 * from guest memory), checked against the device's properties, handed to
 * the core's VM object (core/vm.h: VA manager, page-table manager and the
 * TLB invalidate this file provides) and answered with a status code.
 * What a bind, a BO move or a refused request does is described in
 * core/vm.h; the page tables live in the page-table pool at the top of
 * VRAM.
 *
 * Everything here runs in the rings' bottom halves, under the BQL.
 *
 * Copyright (c) 2026 The nv-vmbind authors
 */

#include "qemu/osdep.h"
#include "qemu/error-report.h"
#include "qemu/log.h"
#include "qemu/units.h"
#include "qapi/error.h"
#include "hw/pci/pci_device.h"
#include "internal.h"
#include "../common/monitor.h"
#include "../core/copy-engine.h"
#include "../trace.h"

/* ---- BOs ---- */

static void nv_vmbind_bo_free(gpointer data)
{
    nvvb_buffer_free(data);
}

static NvvbBuffer *nv_vmbind_bo_get(NvVmbindState *s, uint32_t id)
{
    return g_hash_table_lookup(s->bos, GUINT_TO_POINTER(id));
}

/* Reads a SYSMEM BO's scatter list from guest memory into @bo. */
static uint32_t nv_vmbind_sg_read(NvVmbindState *s, uint64_t addr,
                                  uint32_t nsg, NvvbBuffer *bo)
{
    uint32_t i;

    s->bind_ring.work += nsg;
    bo->nsg = nsg;
    bo->sg = g_new(NvvbSgEntry, nsg);
    for (i = 0; i < nsg; i++) {
        uint8_t e[NVVB_SG_ENTRY_SIZE];

        if (pci_dma_read(PCI_DEVICE(s), addr + (uint64_t)i * sizeof(e),
                         e, sizeof(e)) != MEMTX_OK) {
            return NVVB_STATUS_EFAULT;
        }
        bo->sg[i].addr = ldq_le_p(e + NVVB_SG_ADDR);
        bo->sg[i].len = ldq_le_p(e + NVVB_SG_LEN);
    }
    return NVVB_STATUS_OK;
}

/*
 * Reads a BO backing (BO_CREATE, BO_MOVE) into @bo and checks it
 * (nvvb_buffer_check(): only backings the tables can express).  The
 * scatter list is read from system memory once, here; it is bounded by
 * NVVB_MAX_SG_ENTRIES per BO and, with the @held entries the backing
 * replaces given back, by the device's max-sg-entries in total (ENOSPC).
 */
static uint32_t nv_vmbind_bo_parse(NvVmbindState *s, const uint8_t *d,
                                   NvvbBuffer *bo, uint32_t held)
{
    uint64_t addr = nv_vmbind_desc_u64(d, NVVB_BO_ADDR);
    uint32_t nsg = nv_vmbind_desc_u32(d, NVVB_BO_SG_COUNT);
    uint32_t st;

    bo->placement = nv_vmbind_desc_u32(d, NVVB_BO_PLACEMENT);
    bo->size = nv_vmbind_desc_u64(d, NVVB_BO_SIZE);
    bo->vram_addr = addr;
    if (!nvvb_buffer_shape_ok(bo, s->pt_pool_base)) {
        return NVVB_STATUS_EINVAL;
    }
    if (bo->placement == NVVB_BO_VRAM) {
        return NVVB_STATUS_OK;
    }
    bo->vram_addr = 0;
    if (!nsg || nsg > NVVB_MAX_SG_ENTRIES) {
        return NVVB_STATUS_EINVAL;
    }
    /* Host memory the guest can make the device hold: bounded. */
    if (nsg > s->max_sg_entries - (s->sg_entries - held)) {
        return NVVB_STATUS_ENOSPC;
    }
    st = nv_vmbind_sg_read(s, addr, nsg, bo);
    if (st != NVVB_STATUS_OK) {
        return st;
    }
    return nvvb_sg_check(bo->sg, nsg, bo->size) ? NVVB_STATUS_OK :
           NVVB_STATUS_EINVAL;
}

static uint32_t nv_vmbind_bo_create(NvVmbindState *s, const uint8_t *d)
{
    uint32_t id = nv_vmbind_desc_u32(d, NVVB_BO_ID);
    NvvbBuffer *bo;
    uint32_t st;

    if (!id || id > s->max_bos) {
        return NVVB_STATUS_EINVAL;
    }
    if (nv_vmbind_bo_get(s, id)) {
        return NVVB_STATUS_EEXIST;
    }
    bo = g_new0(NvvbBuffer, 1);
    st = nv_vmbind_bo_parse(s, d, bo, 0);
    if (st != NVVB_STATUS_OK) {
        nvvb_buffer_free(bo);
        return st;
    }
    nvvb_buffer_publish(bo, id);
    g_hash_table_insert(s->bos, GUINT_TO_POINTER(id), bo);
    s->sg_entries += bo->nsg;
    return NVVB_STATUS_OK;
}

static uint32_t nv_vmbind_bo_destroy(NvVmbindState *s, const uint8_t *d)
{
    NvvbBuffer *bo = nv_vmbind_bo_get(s, nv_vmbind_desc_u32(d, NVVB_BO_ID));

    if (!bo) {
        return NVVB_STATUS_ENOENT;
    }
    if (nvvb_bo_vm_bo_count(bo->core)) {
        return NVVB_STATUS_EBUSY;
    }
    s->sg_entries -= bo->nsg;
    g_hash_table_remove(s->bos, GUINT_TO_POINTER(bo->id));
    return NVVB_STATUS_OK;
}

/* ---- VMs ---- */

static NvvbVm *nv_vmbind_vm_get(NvVmbindState *s, uint32_t id)
{
    return id < s->max_vms ? s->vms[id] : NULL;
}

/* The core's invalidate callback: the VM's tables changed. */
static void nv_vmbind_vm_invalidate(void *opaque, NvvbVm *vm,
                                    const NvvbPtmResult *res)
{
    NvVmbindState *s = opaque;
    NvGmmuTlbInvalidate inv = {
        .pdb_addr = nvvb_ptm_pdb(vm->ptm),
        .all_va = true,
        .cache_level = nvvb_ptm_cache_level(res),
    };

    trace_nv_vmbind_vm_invalidate(vm->id, inv.pdb_addr, inv.cache_level);
    nv_gmmu_tlb_invalidate(s->tlb, &inv);
}

static int nv_vmbind_vm_create(NvVmbindState *s, uint32_t id, uint64_t kstart,
                               uint64_t krange)
{
    NvvbVm *vm;
    int ret;

    if (id >= s->max_vms) {
        return -EINVAL;
    }
    if (s->vms[id]) {
        return -EEXIST;
    }
    ret = nvvb_vm_new(&vm, &s->vm_env, id, kstart, krange,
                      NVVB_VM_TABLES_NEW);
    if (ret) {
        return ret;
    }
    s->vms[id] = vm;
    trace_nv_vmbind_vm_create(id, nvvb_ptm_pdb(vm->ptm));
    return 0;
}

static uint32_t nv_vmbind_errno_status(int ret)
{
    switch (-ret) {
    case 0:
        return NVVB_STATUS_OK;
    case ENOENT:
        return NVVB_STATUS_ENOENT;
    case E2BIG:
        return NVVB_STATUS_E2BIG;
    case EBUSY:
        return NVVB_STATUS_EBUSY;
    case EEXIST:
        return NVVB_STATUS_EEXIST;
    case ENOSPC:
        return NVVB_STATUS_ENOSPC;
    case ENODEV:
        return NVVB_STATUS_ENODEV;
    case EINVAL:
        return NVVB_STATUS_EINVAL;
    default:
        return NVVB_STATUS_EFAULT;
    }
}

static uint32_t nv_vmbind_vm_destroy(NvVmbindState *s, uint32_t id)
{
    NvvbVm *vm = nv_vmbind_vm_get(s, id);

    if (!vm) {
        return NVVB_STATUS_ENODEV;
    }
    s->bind_ring.work += nvvb_vm_teardown_work(vm);
    s->vms[id] = NULL;
    nvvb_vm_free(vm);
    return NVVB_STATUS_OK;
}

/*
 * Counts a bind or move the page tables could not follow (DIVERGENCES)
 * and reports it, rate-limited: a guest that found a way to trigger it
 * must not be able to flood the host log.  Reported are the 1st, 2nd,
 * 4th, 8th ... occurrence.
 */
static void nv_vmbind_divergence(NvVmbindState *s, const char *what,
                                 uint32_t id, const char *op, int err)
{
    s->divergences++;
    trace_nv_vmbind_divergence(what, id, op, err, s->divergences);
    if (!(s->divergences & (s->divergences - 1))) {
        error_report("nv-vmbind: %s %u: page tables could not follow a %s "
                     "(%s); divergence %u, further ones reported at powers "
                     "of two", what, id, op, strerror(-err), s->divergences);
    }
}

/* ---- MAP / UNMAP ---- */

static uint32_t nv_vmbind_map(NvVmbindState *s, const uint8_t *d,
                              uint32_t opcode)
{
    NvvbVm *vm = nv_vmbind_vm_get(s, nv_vmbind_desc_u32(d, NVVB_MAP_VM_ID));
    NvvbVmBindOp op = {
        .op = opcode,
        .flags = nv_vmbind_desc_u32(d, NVVB_MAP_FLAGS),
        .bo_id = nv_vmbind_desc_u32(d, NVVB_MAP_BO_ID),
        .va = nv_vmbind_desc_u64(d, NVVB_MAP_VA),
        .range = nv_vmbind_desc_u64(d, NVVB_MAP_RANGE),
        .bo_offset = nv_vmbind_desc_u64(d, NVVB_MAP_BO_OFFSET),
    };
    NvvbVmResult res;
    int ret;

    if (!vm) {
        return NVVB_STATUS_ENODEV;
    }
    op.bo = nv_vmbind_bo_get(s, op.bo_id);
    ret = nvvb_vm_bind(vm, &op, &res);
    s->bind_ring.work += res.work;
    if (res.diverged) {
        /* x-nv-vmbind-verify shows where. */
        nv_vmbind_divergence(s, "VM", vm->id, "bind", res.diverged);
    }
    return nv_vmbind_errno_status(ret);
}

/* ---- BO_MOVE ---- */

static uint32_t nv_vmbind_bo_move(NvVmbindState *s, const uint8_t *d)
{
    NvvbBuffer *bo = nv_vmbind_bo_get(s, nv_vmbind_desc_u32(d, NVVB_BO_ID));
    NvvbBuffer to = { 0 };
    NvvbVmResult res;
    uint32_t held, st;
    int ret;

    if (!bo) {
        return NVVB_STATUS_ENOENT;
    }
    held = bo->nsg;
    st = nv_vmbind_bo_parse(s, d, &to, held);
    if (st != NVVB_STATUS_OK) {
        g_free(to.sg);
        return st;
    }
    ret = nvvb_vm_move_buffer(&s->vm_env, s->vms, NVVB_MAX_VMS, bo, &to,
                              &res);
    g_free(to.sg);
    s->bind_ring.work += res.work;
    if (ret && !res.diverged) {
        return nv_vmbind_errno_status(ret);
    }
    /* The new backing is committed (even if a VM's tables diverged). */
    s->sg_entries += (uint64_t)bo->nsg - held;
    if (res.diverged) {
        nv_vmbind_divergence(s, "BO", bo->id, "move", res.diverged);
        return NVVB_STATUS_EFAULT;
    }
    return NVVB_STATUS_OK;
}

/* ---- Ring handlers ---- */

static uint32_t nv_vmbind_bind_exec(NvVmbindState *s, const uint8_t *d)
{
    uint16_t opcode = nv_vmbind_desc_u16(d, NVVB_DESC_OPCODE);

    switch (opcode) {
    case NVVB_OP_NOP:
        return NVVB_STATUS_OK;
    case NVVB_OP_VM_CREATE:
        return nv_vmbind_errno_status(
            nv_vmbind_vm_create(s, nv_vmbind_desc_u32(d, NVVB_VM_ID),
                                nv_vmbind_desc_u64(d, NVVB_VM_KERNEL_START),
                                nv_vmbind_desc_u64(d, NVVB_VM_KERNEL_RANGE)));
    case NVVB_OP_VM_DESTROY:
        return nv_vmbind_vm_destroy(s, nv_vmbind_desc_u32(d, NVVB_VM_ID));
    case NVVB_OP_BO_CREATE:
        return nv_vmbind_bo_create(s, d);
    case NVVB_OP_BO_DESTROY:
        return nv_vmbind_bo_destroy(s, d);
    case NVVB_OP_BO_MOVE:
        return nv_vmbind_bo_move(s, d);
    case NVVB_OP_MAP:
    case NVVB_OP_UNMAP:
        return nv_vmbind_map(s, d, opcode);
    default:
        qemu_log_mask(LOG_GUEST_ERROR, "nv-vmbind: bind queue: unknown "
                      "opcode 0x%x\n", opcode);
        return NVVB_STATUS_EOPNOTSUPP;
    }
}

static uint32_t nv_vmbind_ce_exec(NvVmbindState *s, const uint8_t *d)
{
    uint16_t opcode = nv_vmbind_desc_u16(d, NVVB_DESC_OPCODE);
    NvvbVm *vm = nv_vmbind_vm_get(s, nv_vmbind_desc_u32(d, NVVB_CE_VM_ID));
    uint64_t len = nv_vmbind_desc_u64(d, NVVB_CE_LENGTH);
    NvvbCeResult res = { 0 };
    NvGmmuPdb pdb;
    NvvbCeCtx ctx = { .mem = &s->gpu_mem.mem, .pdb = &pdb, .tlb = s->tlb };
    int ret;

    if (opcode != NVVB_OP_CE_COPY && opcode != NVVB_OP_CE_FILL &&
        opcode != NVVB_OP_CE_SEMAPHORE) {
        qemu_log_mask(LOG_GUEST_ERROR, "nv-vmbind: copy engine: unknown "
                      "opcode 0x%x\n", opcode);
        return NVVB_STATUS_EOPNOTSUPP;
    }
    if (!vm) {
        return NVVB_STATUS_ENODEV;
    }
    if (opcode != NVVB_OP_CE_SEMAPHORE &&
        (!len || len > NVVB_CE_LENGTH_MAX)) {
        return NVVB_STATUS_EINVAL;
    }
    nv_gmmu_pdb_init(&pdb, NV_GMMU_APER_VID, nvvb_ptm_pdb(vm->ptm));
    switch (opcode) {
    case NVVB_OP_CE_COPY:
        ret = nvvb_ce_copy(s->ce, &ctx, nv_vmbind_desc_u64(d, NVVB_CE_SRC_VA),
                           nv_vmbind_desc_u64(d, NVVB_CE_DST_VA), len, &res);
        break;
    case NVVB_OP_CE_FILL:
        ret = nvvb_ce_fill(s->ce, &ctx, nv_vmbind_desc_u64(d, NVVB_CE_DST_VA),
                           len, nv_vmbind_desc_u32(d, NVVB_CE_PATTERN), &res);
        break;
    default:
        ret = nvvb_ce_semaphore(s->ce, &ctx,
                                nv_vmbind_desc_u64(d, NVVB_CE_DST_VA),
                                nv_vmbind_desc_u64(d, NVVB_CE_SEM_VALUE),
                                &res);
        break;
    }
    trace_nv_vmbind_ce(vm->id, opcode, len, ret, res.done);
    if (res.fault) {
        nv_vmbind_fault_report(s, NV_GMMU_APER_VID, pdb.addr, res.fault_va,
                               res.fault_type, res.access_type,
                               NVVB_FAULT_ENGINE_COPY);
        return NVVB_STATUS_EFAULT;
    }
    if (res.mem_error) {
        return NVVB_STATUS_EFAULT;
    }
    return nv_vmbind_errno_status(ret);
}

/* ---- Registers ---- */

bool nv_vmbind_bind_read(NvVmbindState *s, hwaddr addr, uint32_t *val)
{
    NvvbVm *vm;

    if (addr >= NVVB_REG_BIND_RING && addr < NVVB_REG_BIND_RING + 0x20) {
        *val = nv_vmbind_ring_read(&s->bind_ring, addr - NVVB_REG_BIND_RING);
        return true;
    }
    if (addr >= NVVB_REG_CE_RING && addr < NVVB_REG_CE_RING + 0x20) {
        *val = nv_vmbind_ring_read(&s->ce_ring, addr - NVVB_REG_CE_RING);
        return true;
    }
    switch (addr) {
    case NVVB_REG_MAX_VMS:
        *val = s->max_vms;
        return true;
    case NVVB_REG_MAX_BOS:
        *val = s->max_bos;
        return true;
    case NVVB_REG_SG_MAX_ENTRIES:
        *val = s->max_sg_entries;
        return true;
    case NVVB_REG_SG_FREE_ENTRIES:
        *val = s->max_sg_entries - s->sg_entries;
        return true;
    case NVVB_REG_SG_MAX_PER_BO:
        *val = NVVB_MAX_SG_ENTRIES;
        return true;
    case NVVB_REG_BIND_WORK_BUDGET:
        *val = s->bind_work_budget;
        return true;
    case NVVB_REG_BIND_SLICES:
        *val = s->bind_ring.slices;
        return true;
    case NVVB_REG_DIVERGENCES:
        *val = s->divergences;
        return true;
    case NVVB_REG_QMP_MAX_ENTRIES:
        *val = s->qmp_max_entries;
        return true;
    case NVVB_REG_MAX_BIND_WORK:
        *val = s->max_bind_work;
        return true;
    case NVVB_REG_PT_POOL_BASE_LO:
        *val = (uint32_t)s->pt_pool_base;
        return true;
    case NVVB_REG_PT_POOL_BASE_HI:
        *val = s->pt_pool_base >> 32;
        return true;
    case NVVB_REG_PT_POOL_SIZE:
        *val = s->pt_pool_size;
        return true;
    case NVVB_REG_PT_POOL_FREE:
        *val = nvvb_pt_pool_free_bytes(s->pt_pool);
        return true;
    case NVVB_REG_VM_PDB_SELECT:
        *val = s->vm_pdb_select;
        return true;
    case NVVB_REG_VM_PDB_LO:
    case NVVB_REG_VM_PDB_HI:
        vm = nv_vmbind_vm_get(s, s->vm_pdb_select);
        *val = !vm ? 0 : addr == NVVB_REG_VM_PDB_LO ?
               (uint32_t)nvvb_ptm_pdb(vm->ptm) : nvvb_ptm_pdb(vm->ptm) >> 32;
        return true;
    default:
        return false;
    }
}

bool nv_vmbind_bind_write(NvVmbindState *s, hwaddr addr, uint32_t val)
{
    if (addr >= NVVB_REG_BIND_RING && addr < NVVB_REG_BIND_RING + 0x20) {
        nv_vmbind_ring_write(&s->bind_ring, addr - NVVB_REG_BIND_RING, val);
        return true;
    }
    if (addr >= NVVB_REG_CE_RING && addr < NVVB_REG_CE_RING + 0x20) {
        nv_vmbind_ring_write(&s->ce_ring, addr - NVVB_REG_CE_RING, val);
        return true;
    }
    if (addr == NVVB_REG_VM_PDB_SELECT) {
        s->vm_pdb_select = val;
        return true;
    }
    return false;
}

/* ---- Life cycle ---- */

bool nv_vmbind_bind_realize(NvVmbindState *s, Error **errp)
{
    if (!s->pt_pool_size) {
        s->pt_pool_size = MIN(NVVB_PT_POOL_DEFAULT, s->vram_size / 4);
    }
    if (s->pt_pool_size & (NVVB_PT_POOL_GRANULE - 1) ||
        s->pt_pool_size < 64 * KiB || s->pt_pool_size > s->vram_size / 2) {
        error_setg(errp, "nv-vmbind: property 'pt-pool-size' must be a "
                   "multiple of 4 KiB between 64 KiB and half of vram-size "
                   "(got %" PRIu64 ")", s->pt_pool_size);
        return false;
    }
    if (s->max_vms < 1 || s->max_vms > NVVB_MAX_VMS) {
        error_setg(errp, "nv-vmbind: property 'max-vms' must be between 1 "
                   "and %u (got %u)", NVVB_MAX_VMS, s->max_vms);
        return false;
    }
    if (s->max_bos < 1 || s->max_bos > NVVB_MAX_BOS - 1) {
        error_setg(errp, "nv-vmbind: property 'max-bos' must be between 1 "
                   "and %u (got %u)", NVVB_MAX_BOS - 1, s->max_bos);
        return false;
    }
    if (s->max_sg_entries < 1 || s->max_sg_entries > NVVB_SG_TOTAL_MAX) {
        error_setg(errp, "nv-vmbind: property 'max-sg-entries' must be "
                   "between 1 and %u (got %u)", NVVB_SG_TOTAL_MAX,
                   s->max_sg_entries);
        return false;
    }
    if (s->bind_work_budget < NVVB_BIND_WORK_MIN) {
        error_setg(errp, "nv-vmbind: property 'bind-work-budget' must be at "
                   "least %u (got %u)", NVVB_BIND_WORK_MIN,
                   s->bind_work_budget);
        return false;
    }
    if (s->max_bind_work < NVVB_BIND_WORK_MIN) {
        error_setg(errp, "nv-vmbind: property 'max-bind-work' must be at "
                   "least %u (got %u)", NVVB_BIND_WORK_MIN, s->max_bind_work);
        return false;
    }
    if (s->qmp_max_entries < 1 || s->qmp_max_entries > NVVB_QMP_ENTRIES_MAX) {
        error_setg(errp, "nv-vmbind: property 'max-qmp-entries' must be "
                   "between 1 and %u (got %u)", NVVB_QMP_ENTRIES_MAX,
                   s->qmp_max_entries);
        return false;
    }
    s->pt_pool_base = s->vram_size - s->pt_pool_size;
    s->pt_pool = nvvb_pt_pool_new(s->pt_pool_base, s->pt_pool_size);
    s->vm_env = (NvvbVmEnv) {
        .pool = s->pt_pool,
        .mem = s->gpu_mem.mem,
        .invalidate = nv_vmbind_vm_invalidate,
        .opaque = s,
        .max_work = s->max_bind_work,
        .fail_tables = s->x_fail_tables,
    };
    s->bos = g_hash_table_new_full(NULL, NULL, NULL, nv_vmbind_bo_free);
    s->ce = nvvb_ce_new();
    /*
     * Budgets per main-loop turn: up to 256 binds, and no more than
     * bind-work-budget page-table (and scatter) entries, since one MAP of a
     * large BO can write millions; a copy can move 64 MiB, so the copy
     * engine yields after each command.
     */
    nv_vmbind_ring_init(s, &s->bind_ring, "bind", nv_vmbind_bind_exec,
                        NVVB_INTR_BIND, 256);
    s->bind_ring.work_budget = s->bind_work_budget;
    nv_vmbind_ring_init(s, &s->ce_ring, "ce", nv_vmbind_ce_exec,
                        NVVB_INTR_COPY, 1);
    return true;
}

/* Drops every VM and BO; the pool is empty afterwards. */
void nv_vmbind_bind_clear(NvVmbindState *s)
{
    unsigned i;

    for (i = 0; i < NVVB_MAX_VMS; i++) {
        if (s->vms[i]) {
            nvvb_vm_free(s->vms[i]);
            s->vms[i] = NULL;
        }
    }
    g_hash_table_remove_all(s->bos);
    s->sg_entries = 0;
}

void nv_vmbind_bind_reset(NvVmbindState *s)
{
    nv_vmbind_ring_reset(&s->bind_ring);
    nv_vmbind_ring_reset(&s->ce_ring);
    nv_vmbind_bind_clear(s);
    s->vm_pdb_select = 0;
    s->divergences = 0;
}

void nv_vmbind_bind_unrealize(NvVmbindState *s)
{
    nv_vmbind_bind_clear(s);
    nv_vmbind_ring_fini(&s->bind_ring);
    nv_vmbind_ring_fini(&s->ce_ring);
    g_hash_table_destroy(s->bos);
    nvvb_ce_free(s->ce);
    nvvb_pt_pool_free(s->pt_pool);
}
