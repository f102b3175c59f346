/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * nv-vmbind paravirtual GPU: GMMU registers.
 *
 * Glue between BAR0 and the QEMU-independent walker/TLB/fault core: the
 * memory accessor (VRAM and PCI DMA), the NVIDIA-layout invalidate
 * registers, the fault ring and the TRANSLATE/DMA probes.  Every
 * guest-controlled address and length is checked here or by the accessor.
 *
 * Copyright (c) 2026 The nv-vmbind authors
 */

#include "qemu/osdep.h"
#include "qemu/error-report.h"
#include "qemu/log.h"
#include "qemu/timer.h"
#include "hw/pci/pci.h"
#include "internal.h"
#include "../core/gmmu-fault.h"
#include "../trace.h"

/* ---- Fault ring ---- */

static uint32_t nv_vmbind_fault_entries(NvVmbindState *s)
{
    return NV_VMBIND_REG(s, NVVB_REG_FAULT_BUF_SIZE) &
           NVVB_FAULT_BUF_SIZE_VAL_MASK;
}

void nv_vmbind_fault_report(NvVmbindState *s, NvGmmuAperture inst_aperture,
                            uint64_t inst_addr, uint64_t va,
                            uint8_t fault_type, uint8_t access_type,
                            uint16_t engine_id)
{
    NvGmmuFaultInfo f = {
        .inst_aperture = inst_aperture,
        .inst_addr = inst_addr,
        .addr = va,
        .timestamp = qemu_clock_get_ns(QEMU_CLOCK_VIRTUAL),
        .engine_id = engine_id,
        .fault_type = fault_type,
        .access_type = access_type,
        .hub = true,
    };
    uint32_t entries = nv_vmbind_fault_entries(s);
    uint32_t size = NV_VMBIND_REG(s, NVVB_REG_FAULT_BUF_SIZE);
    uint32_t lo = NV_VMBIND_REG(s, NVVB_REG_FAULT_BUF_LO);
    uint32_t *get_reg = &NV_VMBIND_REG(s, NVVB_REG_FAULT_BUF_GET);
    uint32_t *dropped = &NV_VMBIND_REG(s, NVVB_REG_FAULT_DROPPED);
    uint32_t get = *get_reg & NVVB_FAULT_BUF_PTR_MASK;
    uint32_t put = NV_VMBIND_REG(s, NVVB_REG_FAULT_BUF_PUT) &
                   NVVB_FAULT_BUF_PTR_MASK;
    uint8_t rec[NVVB_FAULT_ENTRY_SIZE];
    NvGmmuAperture aper;
    uint64_t base;

    NV_VMBIND_REG(s, NVVB_REG_FAULT_COUNT)++;
    trace_nv_vmbind_fault(nv_gmmu_fault_type_name(fault_type), va,
                          access_type, inst_addr);

    if (!(size & NVVB_FAULT_BUF_SIZE_ENABLE) || entries < 2 ||
        !(lo & NVVB_FAULT_BUF_LO_ADDR_MODE_PHYS)) {
        /* No usable ring: the record is lost, as on hardware. */
        (*dropped)++;
        trace_nv_vmbind_fault_dropped("fault buffer disabled");
        return;
    }
    if (get >= entries || put >= entries) {
        *get_reg |= NVVB_FAULT_BUF_GETPTR_CORRUPTED;
        (*dropped)++;
        trace_nv_vmbind_fault_dropped("GET or PUT beyond SIZE");
        nv_vmbind_raise_intr(s, NVVB_INTR_FAULT);
        return;
    }
    if ((put + 1) % entries == get) {
        *get_reg |= NVVB_FAULT_BUF_OVERFLOW;
        (*dropped)++;
        trace_nv_vmbind_fault_dropped("ring full");
        if (size & NVVB_FAULT_BUF_SIZE_OVERFLOW_INTR) {
            nv_vmbind_raise_intr(s, NVVB_INTR_FAULT);
        }
        return;
    }

    aper = nv_gmmu_target_aperture((lo & NVVB_FAULT_BUF_LO_APERTURE_MASK) >>
                                   NVVB_FAULT_BUF_LO_APERTURE_SHIFT);
    base = deposit64(lo & NVVB_FAULT_BUF_LO_ADDR_MASK, 32, 32,
                     NV_VMBIND_REG(s, NVVB_REG_FAULT_BUF_HI));
    nv_gmmu_fault_entry_encode(&f, rec);
    /*
     * One write of the whole record: VALID sits in the last byte, so a
     * reader polling VALID never sees a torn record.
     */
    if (aper == NV_GMMU_APER_NONE ||
        !nvvb_gpu_mem_write(&s->gpu_mem, aper, base + (uint64_t)put *
                             NVVB_FAULT_ENTRY_SIZE, rec, sizeof(rec))) {
        (*dropped)++;
        trace_nv_vmbind_fault_dropped("fault buffer not writable");
        nv_vmbind_raise_intr(s, NVVB_INTR_FAULT);
        return;
    }
    NV_VMBIND_REG(s, NVVB_REG_FAULT_BUF_PUT) = (put + 1) % entries;
    nv_vmbind_raise_intr(s, NVVB_INTR_FAULT);
}

/* ---- Translation context ---- */

/*
 * Resolves the probe context.  Returns false with *fault_type set when the
 * context itself is unusable (UNBOUND_INST_BLOCK).
 */
static bool nv_vmbind_ctx_pdb(NvVmbindState *s, NvGmmuPdb *pdb,
                              NvGmmuAperture *inst_aper, uint64_t *inst_addr,
                              uint8_t *fault_type)
{
    uint32_t target = NV_VMBIND_REG(s, NVVB_REG_CTX_TARGET);
    NvGmmuAperture aper = nv_gmmu_target_aperture(target);
    uint64_t addr = nv_vmbind_reg64(s, NVVB_REG_CTX_ADDR_LO) & ~0xfffULL;

    *inst_aper = aper;
    *inst_addr = addr;
    if (aper == NV_GMMU_APER_NONE) {
        *fault_type = NV_GMMU_FAULT_TYPE_UNBOUND_INST_BLOCK;
        return false;
    }
    if (target & NVVB_CTX_MODE_INST) {
        if (!nv_gmmu_inst_decode(&s->gpu_mem.mem, aper, addr, pdb)) {
            *fault_type = NV_GMMU_FAULT_TYPE_UNBOUND_INST_BLOCK;
            return false;
        }
    } else {
        nv_gmmu_pdb_init(pdb, aper, addr);
    }
    return true;
}

/* ---- Invalidate ---- */

static void nv_vmbind_invalidate(NvVmbindState *s, uint32_t val)
{
    NvGmmuTlbInvalidate inv;
    uint64_t va = nv_vmbind_reg64(s, NVVB_REG_INVALIDATE_VADDR) << 12;

    nv_gmmu_tlb_invalidate_decode(val,
                                  NV_VMBIND_REG(s, NVVB_REG_INVALIDATE_PDB),
                                  NV_VMBIND_REG(s,
                                                NVVB_REG_INVALIDATE_UPPER_PDB),
                                  va, &inv);
    trace_nv_vmbind_invalidate(val, inv.all_pdb, inv.pdb_sys, inv.pdb_addr,
                               inv.all_va, inv.cache_level);
    nv_gmmu_tlb_invalidate(s->tlb, &inv);
    NV_VMBIND_REG(s, NVVB_REG_TLB_INVALIDATES)++;
}

/* ---- Probes ---- */

static void nv_vmbind_probe_result(NvVmbindState *s,
                                   const NvGmmuWalkResult *r,
                                   uint32_t result)
{
    unsigned level;
    uint64_t entry = 0;
    uint32_t status, info;

    level = r->status == NV_GMMU_WALK_FAULT ? r->fault_level : r->tr.level;
    if (r->nsteps) {
        entry = r->steps[r->nsteps - 1].addr;
    }
    status = result |
        ((level >= NV_GMMU_LEVEL_COUNT ? NVVB_LEVEL_NONE : level) <<
         NVVB_PROBE_STATUS_LEVEL_SHIFT) |
        (r->tlb_hit ? NVVB_PROBE_STATUS_TLB_HIT : 0);
    if (r->status == NV_GMMU_WALK_FAULT) {
        status |= ((uint32_t)r->fault_type <<
                   NVVB_PROBE_STATUS_FAULT_TYPE_SHIFT) &
                  NVVB_PROBE_STATUS_FAULT_TYPE_MASK;
    }
    info = (r->tr.aperture & NVVB_PROBE_INFO_APERTURE_MASK) |
           ((uint32_t)r->tr.page_shift << NVVB_PROBE_INFO_PAGE_SHIFT_SHIFT) |
           ((uint32_t)r->tr.kind << NVVB_PROBE_INFO_KIND_SHIFT) |
           ((uint32_t)(r->tr.pte & 0xff) << NVVB_PROBE_INFO_FLAGS_SHIFT);
    if (r->status == NV_GMMU_WALK_SPARSE) {
        info &= ~NVVB_PROBE_INFO_APERTURE_MASK;
    }
    NV_VMBIND_REG(s, NVVB_REG_PROBE_STATUS) = status;
    NV_VMBIND_REG(s, NVVB_REG_PROBE_INFO) = info;
    nv_vmbind_reg64_set(s, NVVB_REG_PROBE_PA_LO, r->pa);
    nv_vmbind_reg64_set(s, NVVB_REG_PROBE_PTE_LO, r->tr.pte);
    nv_vmbind_reg64_set(s, NVVB_REG_PROBE_ENTRY_LO, entry);
}

/*
 * Translates @va for the probe; on a fault, reports it.  Returns the walk
 * status; @res is always defined.
 */
static NvGmmuWalkStatus nv_vmbind_probe_walk(NvVmbindState *s, uint64_t va,
                                             const NvGmmuAccess *acc,
                                             NvGmmuWalkResult *res)
{
    NvGmmuAperture inst_aper;
    uint64_t inst_addr;
    uint8_t fault_type;
    NvGmmuPdb pdb;

    if (!nv_vmbind_ctx_pdb(s, &pdb, &inst_aper, &inst_addr, &fault_type)) {
        memset(res, 0, sizeof(*res));
        res->status = NV_GMMU_WALK_FAULT;
        res->va = va;
        res->fault_type = fault_type;
        res->fault_level = NV_GMMU_LEVEL_NONE;
        res->tr.level = NV_GMMU_LEVEL_NONE;
    } else {
        nv_gmmu_tlb_translate(s->tlb, &s->gpu_mem.mem, &pdb, va, acc, res);
    }
    trace_nv_vmbind_probe_walk(va, acc->type, res->status, res->pa,
                               res->fault_type, res->tlb_hit);
    if (res->status == NV_GMMU_WALK_FAULT) {
        nv_vmbind_fault_report(s, inst_aper == NV_GMMU_APER_NONE ?
                               NV_GMMU_APER_VID : inst_aper, inst_addr, va,
                               res->fault_type, acc->type,
                               NVVB_FAULT_ENGINE_PROBE);
    }
    return res->status;
}

static uint32_t nv_vmbind_walk_result(NvGmmuWalkStatus st)
{
    switch (st) {
    case NV_GMMU_WALK_OK:
        return NVVB_PROBE_RESULT_MAPPED;
    case NV_GMMU_WALK_SPARSE:
        return NVVB_PROBE_RESULT_SPARSE;
    default:
        return NVVB_PROBE_RESULT_FAULT;
    }
}

/*
 * DMA probe: moves dma_len bytes between system memory at dma_addr and the
 * GPU VA through the copy engine (the same translate-and-move path as the
 * copy ring, one side physical).  Stops at the first fault or DMA error;
 * PROBE_DMA_DONE says how far it got, the other result registers describe
 * the last translation.  Sparse pages read as zero and drop writes.
 */
static void nv_vmbind_probe_dma(NvVmbindState *s, bool to_sysmem,
                                const NvGmmuAccess *acc)
{
    uint64_t va = nv_vmbind_reg64(s, NVVB_REG_PROBE_VA_LO);
    uint64_t dma = nv_vmbind_reg64(s, NVVB_REG_PROBE_DMA_ADDR_LO);
    uint32_t len = NV_VMBIND_REG(s, NVVB_REG_PROBE_DMA_LEN);
    NvGmmuAperture inst_aper;
    uint64_t inst_addr;
    uint8_t fault_type;
    NvGmmuWalkResult last;
    NvvbCeResult res;
    NvGmmuPdb pdb;
    NvvbCeCtx ctx = {
        .mem = &s->gpu_mem.mem, .pdb = &pdb, .tlb = s->tlb,
        .priv = acc->priv, .host = &s->gpu_mem.ce_host,
    };
    uint32_t result;

    if (len == 0 || len > NVVB_PROBE_DMA_MAX || va + len < va ||
        dma + len < dma) {
        NV_VMBIND_REG(s, NVVB_REG_PROBE_STATUS) = NVVB_PROBE_RESULT_BAD_CMD;
        NV_VMBIND_REG(s, NVVB_REG_PROBE_DMA_DONE) = 0;
        return;
    }
    if (!nv_vmbind_ctx_pdb(s, &pdb, &inst_aper, &inst_addr, &fault_type)) {
        /* No usable context: the walk of the first byte says why. */
        nv_vmbind_probe_walk(s, va, acc, &last);
        nv_vmbind_probe_result(s, &last, NVVB_PROBE_RESULT_FAULT);
        NV_VMBIND_REG(s, NVVB_REG_PROBE_DMA_DONE) = 0;
        return;
    }
    nvvb_ce_dma(s->ce, &ctx, va, acc->type, NV_GMMU_APER_SYS_COH, dma, len,
                !to_sysmem, &res, &last);
    trace_nv_vmbind_probe_walk(last.va, acc->type, last.status, last.pa,
                               last.fault_type, last.tlb_hit);
    if (res.fault) {
        nv_vmbind_fault_report(s, inst_aper, inst_addr, res.fault_va,
                               res.fault_type, acc->type,
                               NVVB_FAULT_ENGINE_PROBE);
        result = NVVB_PROBE_RESULT_FAULT;
    } else if (res.mem_error) {
        result = NVVB_PROBE_RESULT_DMA_ERROR;
    } else {
        result = res.sparse ? NVVB_PROBE_RESULT_SPARSE :
                 NVVB_PROBE_RESULT_MAPPED;
    }
    nv_vmbind_probe_result(s, &last, result);
    NV_VMBIND_REG(s, NVVB_REG_PROBE_DMA_DONE) = res.done;
}

static bool nv_vmbind_access_valid(uint8_t type)
{
    switch (type) {
    case NV_GMMU_ACCESS_TYPE_VIRT_READ:
    case NV_GMMU_ACCESS_TYPE_VIRT_WRITE:
    case NV_GMMU_ACCESS_TYPE_VIRT_ATOMIC_STRONG:
    case NV_GMMU_ACCESS_TYPE_VIRT_PREFETCH:
    case NV_GMMU_ACCESS_TYPE_VIRT_ATOMIC_WEAK:
        return true;
    default:
        return false;
    }
}

static void nv_vmbind_probe_cmd(NvVmbindState *s, uint32_t cmd)
{
    uint64_t va = nv_vmbind_reg64(s, NVVB_REG_PROBE_VA_LO);
    uint32_t access = NV_VMBIND_REG(s, NVVB_REG_PROBE_ACCESS);
    NvGmmuAccess acc = {
        .type = access & NVVB_PROBE_ACCESS_TYPE_MASK,
        .priv = access & NVVB_PROBE_ACCESS_PRIV,
        .peer_unsupported = true,
    };
    NvGmmuWalkResult res;

    trace_nv_vmbind_probe_cmd(cmd, va, access);
    NV_VMBIND_REG(s, NVVB_REG_PROBE_DMA_DONE) = 0;
    if (!nv_vmbind_access_valid(acc.type)) {
        NV_VMBIND_REG(s, NVVB_REG_PROBE_STATUS) = NVVB_PROBE_RESULT_BAD_CMD;
        return;
    }
    switch (cmd) {
    case NVVB_PROBE_CMD_TRANSLATE:
        nv_vmbind_probe_walk(s, va, &acc, &res);
        nv_vmbind_probe_result(s, &res, nv_vmbind_walk_result(res.status));
        break;
    case NVVB_PROBE_CMD_DMA_READ:
    case NVVB_PROBE_CMD_DMA_WRITE:
        /* The access type follows the direction, whatever was programmed. */
        if (cmd == NVVB_PROBE_CMD_DMA_WRITE &&
            acc.type == NV_GMMU_ACCESS_TYPE_VIRT_READ) {
            acc.type = NV_GMMU_ACCESS_TYPE_VIRT_WRITE;
        }
        nv_vmbind_probe_dma(s, cmd == NVVB_PROBE_CMD_DMA_READ, &acc);
        break;
    default:
        qemu_log_mask(LOG_GUEST_ERROR, "nv-vmbind: unknown PROBE_CMD %u\n",
                      cmd);
        NV_VMBIND_REG(s, NVVB_REG_PROBE_STATUS) = NVVB_PROBE_RESULT_BAD_CMD;
        break;
    }
}

/* ---- Registers ---- */

/*
 * The GMMU registers whose reads are computed; the others read their
 * storage (device.c).
 */
bool nv_vmbind_gmmu_read(NvVmbindState *s, hwaddr addr, uint32_t *val)
{
    NvGmmuTlbStats st;

    switch (addr) {
    case NVVB_REG_MMU_CTRL:
        /* Invalidates complete synchronously: always empty, with space. */
        *val = NVVB_MMU_CTRL_PRI_FIFO_EMPTY |
               (32u << NVVB_MMU_CTRL_PRI_FIFO_SPACE_SHIFT);
        return true;
    case NVVB_REG_TLB_HITS:
    case NVVB_REG_TLB_MISSES:
    case NVVB_REG_TLB_CAPACITY:
        nv_gmmu_tlb_get_stats(s->tlb, &st);
        *val = addr == NVVB_REG_TLB_HITS ? (uint32_t)st.hits :
               addr == NVVB_REG_TLB_MISSES ? (uint32_t)(st.misses + st.bypass) :
               (st.enabled ? st.capacity : 0);
        return true;
    case NVVB_REG_FAULT_BUF_PUT:
        /* GET's flags show in PUT too. */
        *val = NV_VMBIND_REG(s, NVVB_REG_FAULT_BUF_PUT) |
               (NV_VMBIND_REG(s, NVVB_REG_FAULT_BUF_GET) &
                (NVVB_FAULT_BUF_OVERFLOW | NVVB_FAULT_BUF_GETPTR_CORRUPTED));
        return true;
    default:
        return false;
    }
}

/*
 * The side effects of GMMU register writes, and the writes a mask does not
 * describe; plain values are stored already (device.c).
 */
bool nv_vmbind_gmmu_write(NvVmbindState *s, hwaddr addr, uint32_t val)
{
    uint32_t *get = &NV_VMBIND_REG(s, NVVB_REG_FAULT_BUF_GET);

    switch (addr) {
    case NVVB_REG_INVALIDATE:
        if (val & NVVB_INVALIDATE_TRIGGER) {
            nv_vmbind_invalidate(s, val);
        }
        return true;
    case NVVB_REG_FAULT_BUF_GET:
        /* OVERFLOW and GETPTR_CORRUPTED are write-1-to-clear. */
        *get = (val & NVVB_FAULT_BUF_PTR_MASK) |
               (*get & ~val & (NVVB_FAULT_BUF_OVERFLOW |
                               NVVB_FAULT_BUF_GETPTR_CORRUPTED));
        if ((val & NVVB_FAULT_BUF_PTR_MASK) >= nv_vmbind_fault_entries(s)) {
            qemu_log_mask(LOG_GUEST_ERROR, "nv-vmbind: FAULT_BUF_GET %u "
                          "beyond SIZE %u\n", val & NVVB_FAULT_BUF_PTR_MASK,
                          nv_vmbind_fault_entries(s));
            *get |= NVVB_FAULT_BUF_GETPTR_CORRUPTED;
        }
        return true;
    case NVVB_REG_FAULT_BUF_SIZE:
        if (val & NVVB_FAULT_BUF_SIZE_SET_DEFAULT) {
            val = (val & ~NVVB_FAULT_BUF_SIZE_VAL_MASK) |
                  NVVB_FAULT_BUF_DEFAULT_ENTRIES;
        }
        NV_VMBIND_REG(s, NVVB_REG_FAULT_BUF_SIZE) =
            val & (NVVB_FAULT_BUF_SIZE_VAL_MASK |
                   NVVB_FAULT_BUF_SIZE_OVERFLOW_INTR |
                   NVVB_FAULT_BUF_SIZE_ENABLE);
        /* (Re)programming the ring restarts it. */
        NV_VMBIND_REG(s, NVVB_REG_FAULT_BUF_PUT) = 0;
        *get = 0;
        return true;
    case NVVB_REG_PROBE_CMD:
        nv_vmbind_probe_cmd(s, val);
        return true;
    default:
        return false;
    }
}

/* ---- Life cycle ---- */

void nv_vmbind_gmmu_realize(NvVmbindState *s)
{
    nvvb_gpu_mem_init(&s->gpu_mem, PCI_DEVICE(s), &s->vram);
    s->tlb = nv_gmmu_tlb_new(s->tlb_entries, NV_GMMU_TLB_DEFAULT_PDE_CAPACITY);
    nv_gmmu_tlb_set_enabled(s->tlb, s->tlb_enabled);
}

void nv_vmbind_gmmu_unrealize(NvVmbindState *s)
{
    nv_gmmu_tlb_free(s->tlb);
    s->tlb = NULL;
}

void nv_vmbind_gmmu_reset(NvVmbindState *s)
{
    /* The registers reset with the device's. */
    nv_gmmu_tlb_flush_all(s->tlb);
    nv_gmmu_tlb_reset_stats(s->tlb);
}

/*
 * The fault ring's pointers as the register path leaves them (each
 * register's bits are checked by device.c): PUT below SIZE (or 0), GET too
 * unless flagged GETPTR_CORRUPTED.
 */
int nv_vmbind_gmmu_post_load(NvVmbindState *s)
{
    uint32_t entries = nv_vmbind_fault_entries(s);
    uint32_t get_reg = NV_VMBIND_REG(s, NVVB_REG_FAULT_BUF_GET);
    uint32_t get = get_reg & NVVB_FAULT_BUF_PTR_MASK;
    uint32_t put = NV_VMBIND_REG(s, NVVB_REG_FAULT_BUF_PUT);

    if (!(get < entries || !get ||
          (get_reg & NVVB_FAULT_BUF_GETPTR_CORRUPTED)) ||
        !(put < entries || !put)) {
        error_report("nv-vmbind: fault ring: invalid state in the migration "
                     "stream (SIZE %u GET 0x%x PUT 0x%x)", entries, get_reg,
                     put);
        return -EINVAL;
    }
    /* The TLB is a cache: start empty on the destination. */
    nv_gmmu_tlb_flush_all(s->tlb);
    return 0;
}
