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
#include "migration/vmstate.h"
#include "internal.h"
#include "../core/gmmu-fault.h"
#include "../trace.h"

/* ---- Fault ring ---- */

static uint32_t nv_vmbind_fault_entries(NvVmbindState *s)
{
    return s->fault_size & NVVB_FAULT_BUF_SIZE_VAL_MASK;
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
    uint32_t get = s->fault_get & NVVB_FAULT_BUF_PTR_MASK;
    uint32_t put = s->fault_put & NVVB_FAULT_BUF_PTR_MASK;
    uint8_t rec[NVVB_FAULT_ENTRY_SIZE];
    NvGmmuAperture aper;
    uint64_t base;

    s->fault_count++;
    trace_nv_vmbind_fault(nv_gmmu_fault_type_name(fault_type), va,
                          access_type, inst_addr);

    if (!(s->fault_size & NVVB_FAULT_BUF_SIZE_ENABLE) || entries < 2 ||
        !(s->fault_buf_lo & NVVB_FAULT_BUF_LO_ADDR_MODE_PHYS)) {
        /* No usable ring: the record is lost, as on hardware. */
        s->fault_dropped++;
        trace_nv_vmbind_fault_dropped("fault buffer disabled");
        return;
    }
    if (get >= entries || put >= entries) {
        s->fault_get |= NVVB_FAULT_BUF_GETPTR_CORRUPTED;
        s->fault_dropped++;
        trace_nv_vmbind_fault_dropped("GET or PUT beyond SIZE");
        nv_vmbind_raise_intr(s, NVVB_INTR_FAULT);
        return;
    }
    if ((put + 1) % entries == get) {
        s->fault_get |= NVVB_FAULT_BUF_OVERFLOW;
        s->fault_dropped++;
        trace_nv_vmbind_fault_dropped("ring full");
        if (s->fault_size & NVVB_FAULT_BUF_SIZE_OVERFLOW_INTR) {
            nv_vmbind_raise_intr(s, NVVB_INTR_FAULT);
        }
        return;
    }

    aper = nv_gmmu_target_aperture((s->fault_buf_lo &
                                      NVVB_FAULT_BUF_LO_APERTURE_MASK) >>
                                     NVVB_FAULT_BUF_LO_APERTURE_SHIFT);
    base = ((uint64_t)s->fault_buf_hi << 32) |
           (s->fault_buf_lo & NVVB_FAULT_BUF_LO_ADDR_MASK);
    nv_gmmu_fault_entry_encode(&f, rec);
    /*
     * One write of the whole record: VALID sits in the last byte, so a
     * reader polling VALID never sees a torn record.
     */
    if (aper == NV_GMMU_APER_NONE ||
        !nvvb_gpu_mem_write(&s->gpu_mem, aper, base + (uint64_t)put *
                             NVVB_FAULT_ENTRY_SIZE, rec, sizeof(rec))) {
        s->fault_dropped++;
        trace_nv_vmbind_fault_dropped("fault buffer not writable");
        nv_vmbind_raise_intr(s, NVVB_INTR_FAULT);
        return;
    }
    s->fault_put = (put + 1) % entries;
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
    NvGmmuAperture aper = nv_gmmu_target_aperture(s->ctx_target);
    uint64_t addr = (((uint64_t)s->ctx_addr_hi << 32) | s->ctx_addr_lo) &
                    ~0xfffULL;

    *inst_aper = aper;
    *inst_addr = addr;
    if (aper == NV_GMMU_APER_NONE) {
        *fault_type = NV_GMMU_FAULT_TYPE_UNBOUND_INST_BLOCK;
        return false;
    }
    if (s->ctx_target & NVVB_CTX_MODE_INST) {
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
    uint64_t va = ((uint64_t)s->inval_upper_vaddr << 32 | s->inval_vaddr) <<
                  12;

    nv_gmmu_tlb_invalidate_decode(val, s->inval_pdb, s->inval_upper_pdb, va,
                                  &inv);
    trace_nv_vmbind_invalidate(val, inv.all_pdb, inv.pdb_sys, inv.pdb_addr,
                               inv.all_va, inv.cache_level);
    nv_gmmu_tlb_invalidate(s->tlb, &inv);
    s->inval_count++;
}

/* ---- Probes ---- */

static void nv_vmbind_probe_result(NvVmbindState *s,
                                   const NvGmmuWalkResult *r,
                                   uint32_t result)
{
    NvVmbindProbe *p = &s->probe;
    unsigned level;
    uint64_t entry = 0;

    level = r->status == NV_GMMU_WALK_FAULT ? r->fault_level : r->tr.level;
    if (r->nsteps) {
        entry = r->steps[r->nsteps - 1].addr;
    }
    p->status = result |
        ((level >= NV_GMMU_LEVEL_COUNT ? NVVB_LEVEL_NONE : level) <<
         NVVB_PROBE_STATUS_LEVEL_SHIFT) |
        (r->tlb_hit ? NVVB_PROBE_STATUS_TLB_HIT : 0);
    if (r->status == NV_GMMU_WALK_FAULT) {
        p->status |= ((uint32_t)r->fault_type <<
                      NVVB_PROBE_STATUS_FAULT_TYPE_SHIFT) &
                     NVVB_PROBE_STATUS_FAULT_TYPE_MASK;
    }
    p->pa_lo = (uint32_t)r->pa;
    p->pa_hi = r->pa >> 32;
    p->info = (r->tr.aperture & NVVB_PROBE_INFO_APERTURE_MASK) |
              ((uint32_t)r->tr.page_shift << NVVB_PROBE_INFO_PAGE_SHIFT_SHIFT) |
              ((uint32_t)r->tr.kind << NVVB_PROBE_INFO_KIND_SHIFT) |
              ((uint32_t)(r->tr.pte & 0xff) << NVVB_PROBE_INFO_FLAGS_SHIFT);
    if (r->status == NV_GMMU_WALK_SPARSE) {
        p->info &= ~NVVB_PROBE_INFO_APERTURE_MASK;
    }
    p->pte_lo = (uint32_t)r->tr.pte;
    p->pte_hi = r->tr.pte >> 32;
    p->entry_lo = (uint32_t)entry;
    p->entry_hi = entry >> 32;
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
    NvVmbindProbe *p = &s->probe;
    uint64_t va = ((uint64_t)p->va_hi << 32) | p->va_lo;
    uint64_t dma = ((uint64_t)p->dma_addr_hi << 32) | p->dma_addr_lo;
    uint32_t len = p->dma_len;
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
        p->status = NVVB_PROBE_RESULT_BAD_CMD;
        p->dma_done = 0;
        return;
    }
    if (!nv_vmbind_ctx_pdb(s, &pdb, &inst_aper, &inst_addr, &fault_type)) {
        /* No usable context: the walk of the first byte says why. */
        nv_vmbind_probe_walk(s, va, acc, &last);
        nv_vmbind_probe_result(s, &last, NVVB_PROBE_RESULT_FAULT);
        p->dma_done = 0;
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
    p->dma_done = res.done;
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
    NvVmbindProbe *p = &s->probe;
    NvGmmuAccess acc = {
        .type = p->access & NVVB_PROBE_ACCESS_TYPE_MASK,
        .priv = p->access & NVVB_PROBE_ACCESS_PRIV,
        .peer_unsupported = true,
    };
    NvGmmuWalkResult res;

    trace_nv_vmbind_probe_cmd(cmd, ((uint64_t)p->va_hi << 32) | p->va_lo,
                              p->access);
    p->dma_done = 0;
    if (!nv_vmbind_access_valid(acc.type)) {
        p->status = NVVB_PROBE_RESULT_BAD_CMD;
        return;
    }
    switch (cmd) {
    case NVVB_PROBE_CMD_TRANSLATE:
        nv_vmbind_probe_walk(s, ((uint64_t)p->va_hi << 32) | p->va_lo, &acc,
                             &res);
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
        p->status = NVVB_PROBE_RESULT_BAD_CMD;
        break;
    }
}

/* ---- Registers ---- */

bool nv_vmbind_gmmu_read(NvVmbindState *s, hwaddr addr, uint32_t *val)
{
    NvVmbindProbe *p = &s->probe;
    NvGmmuTlbStats st;
    uint32_t flags = s->fault_get & (NVVB_FAULT_BUF_OVERFLOW |
                                     NVVB_FAULT_BUF_GETPTR_CORRUPTED);

    switch (addr) {
    case NVVB_REG_MMU_CTRL:
        /* Invalidates complete synchronously: always empty, with space. */
        *val = NVVB_MMU_CTRL_PRI_FIFO_EMPTY |
               (32u << NVVB_MMU_CTRL_PRI_FIFO_SPACE_SHIFT);
        return true;
    case NVVB_REG_INVALIDATE_PDB:
        *val = s->inval_pdb;
        return true;
    case NVVB_REG_INVALIDATE_UPPER_PDB:
        *val = s->inval_upper_pdb;
        return true;
    case NVVB_REG_INVALIDATE:
        *val = s->inval & ~NVVB_INVALIDATE_TRIGGER;
        return true;
    case NVVB_REG_INVALIDATE_VADDR:
        *val = s->inval_vaddr;
        return true;
    case NVVB_REG_INVALIDATE_UPPER_VADDR:
        *val = s->inval_upper_vaddr;
        return true;
    case NVVB_REG_TLB_HITS:
    case NVVB_REG_TLB_MISSES:
    case NVVB_REG_TLB_CAPACITY:
        nv_gmmu_tlb_get_stats(s->tlb, &st);
        *val = addr == NVVB_REG_TLB_HITS ? (uint32_t)st.hits :
               addr == NVVB_REG_TLB_MISSES ? (uint32_t)(st.misses + st.bypass) :
               (st.enabled ? st.capacity : 0);
        return true;
    case NVVB_REG_TLB_INVALIDATES:
        *val = s->inval_count;
        return true;
    case NVVB_REG_CTX_TARGET:
        *val = s->ctx_target;
        return true;
    case NVVB_REG_CTX_ADDR_LO:
        *val = s->ctx_addr_lo;
        return true;
    case NVVB_REG_CTX_ADDR_HI:
        *val = s->ctx_addr_hi;
        return true;
    case NVVB_REG_FAULT_BUF_LO:
        *val = s->fault_buf_lo;
        return true;
    case NVVB_REG_FAULT_BUF_HI:
        *val = s->fault_buf_hi;
        return true;
    case NVVB_REG_FAULT_BUF_GET:
        *val = s->fault_get;
        return true;
    case NVVB_REG_FAULT_BUF_PUT:
        *val = s->fault_put | flags;
        return true;
    case NVVB_REG_FAULT_BUF_SIZE:
        *val = s->fault_size;
        return true;
    case NVVB_REG_FAULT_COUNT:
        *val = s->fault_count;
        return true;
    case NVVB_REG_FAULT_DROPPED:
        *val = s->fault_dropped;
        return true;
    case NVVB_REG_PROBE_VA_LO:
        *val = p->va_lo;
        return true;
    case NVVB_REG_PROBE_VA_HI:
        *val = p->va_hi;
        return true;
    case NVVB_REG_PROBE_ACCESS:
        *val = p->access;
        return true;
    case NVVB_REG_PROBE_DMA_ADDR_LO:
        *val = p->dma_addr_lo;
        return true;
    case NVVB_REG_PROBE_DMA_ADDR_HI:
        *val = p->dma_addr_hi;
        return true;
    case NVVB_REG_PROBE_DMA_LEN:
        *val = p->dma_len;
        return true;
    case NVVB_REG_PROBE_STATUS:
        *val = p->status;
        return true;
    case NVVB_REG_PROBE_PA_LO:
        *val = p->pa_lo;
        return true;
    case NVVB_REG_PROBE_PA_HI:
        *val = p->pa_hi;
        return true;
    case NVVB_REG_PROBE_INFO:
        *val = p->info;
        return true;
    case NVVB_REG_PROBE_PTE_LO:
        *val = p->pte_lo;
        return true;
    case NVVB_REG_PROBE_PTE_HI:
        *val = p->pte_hi;
        return true;
    case NVVB_REG_PROBE_ENTRY_LO:
        *val = p->entry_lo;
        return true;
    case NVVB_REG_PROBE_ENTRY_HI:
        *val = p->entry_hi;
        return true;
    case NVVB_REG_PROBE_DMA_DONE:
        *val = p->dma_done;
        return true;
    default:
        return false;
    }
}

bool nv_vmbind_gmmu_write(NvVmbindState *s, hwaddr addr, uint32_t val)
{
    NvVmbindProbe *p = &s->probe;

    switch (addr) {
    case NVVB_REG_INVALIDATE_PDB:
        s->inval_pdb = val;
        return true;
    case NVVB_REG_INVALIDATE_UPPER_PDB:
        s->inval_upper_pdb = val & NV_GMMU_INVAL_UPPER_PDB_MASK;
        return true;
    case NVVB_REG_INVALIDATE:
        s->inval = val;
        if (val & NVVB_INVALIDATE_TRIGGER) {
            nv_vmbind_invalidate(s, val);
        }
        return true;
    case NVVB_REG_INVALIDATE_VADDR:
        s->inval_vaddr = val;
        return true;
    case NVVB_REG_INVALIDATE_UPPER_VADDR:
        s->inval_upper_vaddr = val;
        return true;
    case NVVB_REG_CTX_TARGET:
        s->ctx_target = val & (NVVB_CTX_APERTURE_MASK | NVVB_CTX_MODE_INST);
        return true;
    case NVVB_REG_CTX_ADDR_LO:
        s->ctx_addr_lo = val & ~0xfffu;
        return true;
    case NVVB_REG_CTX_ADDR_HI:
        s->ctx_addr_hi = val;
        return true;
    case NVVB_REG_FAULT_BUF_LO:
        s->fault_buf_lo = val & (NVVB_FAULT_BUF_LO_ADDR_MODE_PHYS |
                                 NVVB_FAULT_BUF_LO_APERTURE_MASK |
                                 NVVB_FAULT_BUF_LO_ADDR_MASK);
        return true;
    case NVVB_REG_FAULT_BUF_HI:
        s->fault_buf_hi = val;
        return true;
    case NVVB_REG_FAULT_BUF_GET:
        /* OVERFLOW and GETPTR_CORRUPTED are write-1-to-clear. */
        s->fault_get = (val & NVVB_FAULT_BUF_PTR_MASK) |
                       (s->fault_get & ~val & (NVVB_FAULT_BUF_OVERFLOW |
                                    NVVB_FAULT_BUF_GETPTR_CORRUPTED));
        if ((val & NVVB_FAULT_BUF_PTR_MASK) >= nv_vmbind_fault_entries(s)) {
            qemu_log_mask(LOG_GUEST_ERROR, "nv-vmbind: FAULT_BUF_GET %u "
                          "beyond SIZE %u\n", val & NVVB_FAULT_BUF_PTR_MASK,
                          nv_vmbind_fault_entries(s));
            s->fault_get |= NVVB_FAULT_BUF_GETPTR_CORRUPTED;
        }
        return true;
    case NVVB_REG_FAULT_BUF_SIZE:
        if (val & NVVB_FAULT_BUF_SIZE_SET_DEFAULT) {
            val = (val & ~NVVB_FAULT_BUF_SIZE_VAL_MASK) |
                  NVVB_FAULT_BUF_DEFAULT_ENTRIES;
        }
        s->fault_size = val & (NVVB_FAULT_BUF_SIZE_VAL_MASK |
                               NVVB_FAULT_BUF_SIZE_OVERFLOW_INTR |
                               NVVB_FAULT_BUF_SIZE_ENABLE);
        /* (Re)programming the ring restarts it. */
        s->fault_put = 0;
        s->fault_get = 0;
        return true;
    case NVVB_REG_PROBE_VA_LO:
        p->va_lo = val;
        return true;
    case NVVB_REG_PROBE_VA_HI:
        p->va_hi = val;
        return true;
    case NVVB_REG_PROBE_ACCESS:
        p->access = val & (NVVB_PROBE_ACCESS_TYPE_MASK |
                           NVVB_PROBE_ACCESS_PRIV);
        return true;
    case NVVB_REG_PROBE_DMA_ADDR_LO:
        p->dma_addr_lo = val;
        return true;
    case NVVB_REG_PROBE_DMA_ADDR_HI:
        p->dma_addr_hi = val;
        return true;
    case NVVB_REG_PROBE_DMA_LEN:
        p->dma_len = val;
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
    nv_gmmu_tlb_flush_all(s->tlb);
    nv_gmmu_tlb_reset_stats(s->tlb);
    s->inval_pdb = s->inval_upper_pdb = s->inval = 0;
    s->inval_vaddr = s->inval_upper_vaddr = s->inval_count = 0;
    s->ctx_target = s->ctx_addr_lo = s->ctx_addr_hi = 0;
    s->fault_buf_lo = s->fault_buf_hi = 0;
    s->fault_get = s->fault_put = s->fault_size = 0;
    s->fault_count = s->fault_dropped = 0;
    memset(&s->probe, 0, sizeof(s->probe));
}

/*
 * Loaded GMMU registers must hold only what their register writes can
 * leave (the same masks); PUT is below SIZE (or 0), GET too unless flagged
 * GETPTR_CORRUPTED.  Returns false for a stream the device cannot produce.
 */
static bool nv_vmbind_gmmu_state_valid(NvVmbindState *s)
{
    uint32_t entries = nv_vmbind_fault_entries(s);
    uint32_t get = s->fault_get & NVVB_FAULT_BUF_PTR_MASK;

    return !(s->inval_upper_pdb & ~NV_GMMU_INVAL_UPPER_PDB_MASK) &&
           !(s->ctx_target & ~(NVVB_CTX_APERTURE_MASK | NVVB_CTX_MODE_INST)) &&
           !(s->ctx_addr_lo & 0xfffu) &&
           !(s->fault_buf_lo & ~(NVVB_FAULT_BUF_LO_ADDR_MODE_PHYS |
                                 NVVB_FAULT_BUF_LO_APERTURE_MASK |
                                 NVVB_FAULT_BUF_LO_ADDR_MASK)) &&
           !(s->fault_size & ~(NVVB_FAULT_BUF_SIZE_VAL_MASK |
                               NVVB_FAULT_BUF_SIZE_OVERFLOW_INTR |
                               NVVB_FAULT_BUF_SIZE_ENABLE)) &&
           !(s->fault_get & ~(NVVB_FAULT_BUF_PTR_MASK |
                              NVVB_FAULT_BUF_OVERFLOW |
                              NVVB_FAULT_BUF_GETPTR_CORRUPTED)) &&
           (get < entries || !get ||
            (s->fault_get & NVVB_FAULT_BUF_GETPTR_CORRUPTED)) &&
           !(s->fault_put & ~NVVB_FAULT_BUF_PTR_MASK) &&
           (s->fault_put < entries || !s->fault_put) &&
           !(s->probe.access & ~(NVVB_PROBE_ACCESS_TYPE_MASK |
                                 NVVB_PROBE_ACCESS_PRIV));
}

int nv_vmbind_gmmu_post_load(NvVmbindState *s)
{
    if (!nv_vmbind_gmmu_state_valid(s)) {
        error_report("nv-vmbind: invalid GMMU register state in the "
                     "migration stream");
        return -EINVAL;
    }
    /* The TLB is a cache: start empty on the destination. */
    nv_gmmu_tlb_flush_all(s->tlb);
    return 0;
}

const VMStateDescription vmstate_nv_vmbind_gmmu = {
    .name = "nv-vmbind/gmmu",
    .version_id = 1,
    .minimum_version_id = 1,
    .fields = (const VMStateField[]) {
        VMSTATE_UINT32(inval_pdb, NvVmbindState),
        VMSTATE_UINT32(inval_upper_pdb, NvVmbindState),
        VMSTATE_UINT32(inval, NvVmbindState),
        VMSTATE_UINT32(inval_vaddr, NvVmbindState),
        VMSTATE_UINT32(inval_upper_vaddr, NvVmbindState),
        VMSTATE_UINT32(inval_count, NvVmbindState),
        VMSTATE_UINT32(ctx_target, NvVmbindState),
        VMSTATE_UINT32(ctx_addr_lo, NvVmbindState),
        VMSTATE_UINT32(ctx_addr_hi, NvVmbindState),
        VMSTATE_UINT32(fault_buf_lo, NvVmbindState),
        VMSTATE_UINT32(fault_buf_hi, NvVmbindState),
        VMSTATE_UINT32(fault_get, NvVmbindState),
        VMSTATE_UINT32(fault_put, NvVmbindState),
        VMSTATE_UINT32(fault_size, NvVmbindState),
        VMSTATE_UINT32(fault_count, NvVmbindState),
        VMSTATE_UINT32(fault_dropped, NvVmbindState),
        VMSTATE_UINT32(probe.va_lo, NvVmbindState),
        VMSTATE_UINT32(probe.va_hi, NvVmbindState),
        VMSTATE_UINT32(probe.access, NvVmbindState),
        VMSTATE_UINT32(probe.dma_addr_lo, NvVmbindState),
        VMSTATE_UINT32(probe.dma_addr_hi, NvVmbindState),
        VMSTATE_UINT32(probe.dma_len, NvVmbindState),
        VMSTATE_UINT32(probe.status, NvVmbindState),
        VMSTATE_UINT32(probe.pa_lo, NvVmbindState),
        VMSTATE_UINT32(probe.pa_hi, NvVmbindState),
        VMSTATE_UINT32(probe.info, NvVmbindState),
        VMSTATE_UINT32(probe.pte_lo, NvVmbindState),
        VMSTATE_UINT32(probe.pte_hi, NvVmbindState),
        VMSTATE_UINT32(probe.entry_lo, NvVmbindState),
        VMSTATE_UINT32(probe.entry_hi, NvVmbindState),
        VMSTATE_UINT32(probe.dma_done, NvVmbindState),
        VMSTATE_END_OF_LIST()
    },
};
