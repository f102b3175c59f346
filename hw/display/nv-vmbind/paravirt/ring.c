/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * nv-vmbind paravirtual GPU: descriptor rings (bind queue, copy engine).
 *
 * A TAIL write only schedules the bottom half, so a doorbell costs the vCPU
 * nothing and a storm of doorbells collapses into one run.  One run executes
 * at most the ring's budget of descriptors, and stops early once their cost
 * (r->work, added by exec) reaches work_budget, then reschedules itself for
 * the rest, so the main loop (monitor, other devices) runs in between
 * however much work a guest queues.  Descriptors are never split: the exec
 * handlers bound the cost of one.
 *
 * Copyright (c) 2026 The nv-vmbind authors
 */

#include "qemu/osdep.h"
#include "qemu/bswap.h"
#include "qemu/error-report.h"
#include "qemu/log.h"
#include "qemu/main-loop.h"
#include "hw/pci/pci_device.h"
#include "migration/vmstate.h"
#include "internal.h"
#include "ring.h"
#include "../trace.h"

static uint64_t nv_vmbind_ring_base(NvVmbindRing *r)
{
    return ((uint64_t)r->base_hi << 32) | r->base_lo;
}

static bool nv_vmbind_ring_valid(NvVmbindRing *r)
{
    return r->size && r->size <= NVVB_RING_SIZE_MAX &&
           is_power_of_2(r->size) && !(r->base_lo & (NVVB_DESC_SIZE - 1));
}

static void nv_vmbind_ring_process(void *opaque)
{
    NvVmbindRing *r = opaque;
    NvVmbindState *s = r->dev;
    PCIDevice *pdev = PCI_DEVICE(s);
    bool notify = false;
    uint32_t budget = r->budget;

    if (!nv_vmbind_ring_valid(r)) {
        return;
    }
    r->work = 0;
    if (r->head != r->tail) {
        r->slices++;
    }
    while (r->head != r->tail && budget-- &&
           (!r->work_budget || r->work < r->work_budget)) {
        uint64_t addr = nv_vmbind_ring_base(r) +
                        (uint64_t)r->head * NVVB_DESC_SIZE;
        uint8_t desc[NVVB_DESC_SIZE];
        uint32_t status, flags;
        uint8_t le[8];

        if (pci_dma_read(pdev, addr, desc, sizeof(desc)) != MEMTX_OK) {
            /* Nothing can be completed: stop until the ring is fixed. */
            r->status |= NVVB_RING_STATUS_DMA_ERROR;
            trace_nv_vmbind_ring_error(r->name, "descriptor unreadable",
                                       r->head);
            notify = true;
            break;
        }
        flags = nv_vmbind_desc_u16(desc, NVVB_DESC_FLAGS);
        status = r->exec(s, desc);
        trace_nv_vmbind_ring_desc(r->name, r->head,
                                  nv_vmbind_desc_u16(desc, NVVB_DESC_OPCODE),
                                  status);

        stl_le_p(le, status);
        if (pci_dma_write(pdev, addr + NVVB_DESC_STATUS, le, 4) != MEMTX_OK) {
            r->status |= NVVB_RING_STATUS_DMA_ERROR;
        }
        if (flags & NVVB_DESC_F_FENCE) {
            stq_le_p(le, nv_vmbind_desc_u64(desc, NVVB_DESC_FENCE_VALUE));
            if (pci_dma_write(pdev,
                              nv_vmbind_desc_u64(desc, NVVB_DESC_FENCE_ADDR),
                              le, 8) != MEMTX_OK) {
                trace_nv_vmbind_ring_error(r->name, "fence unwritable",
                                           r->head);
            }
        }
        if (flags & (NVVB_DESC_F_FENCE | NVVB_DESC_F_INTR)) {
            notify = true;
        }
        r->completed++;
        if (status != NVVB_STATUS_OK) {
            r->errors++;
        }
        r->head = (r->head + 1) & (r->size - 1);
    }
    if (notify) {
        nv_vmbind_raise_intr(s, r->intr);
    }
    if (r->head != r->tail && !(r->status & NVVB_RING_STATUS_DMA_ERROR)) {
        qemu_bh_schedule(r->bh);
    }
}

void nv_vmbind_ring_init(NvVmbindState *s, NvVmbindRing *r, const char *name,
                         NvVmbindRingExec exec, uint32_t intr,
                         uint32_t budget)
{
    r->dev = s;
    r->budget = budget;
    r->name = name;
    r->exec = exec;
    r->intr = intr;
    r->bh = qemu_bh_new_guarded(nv_vmbind_ring_process, r,
                                &DEVICE(s)->mem_reentrancy_guard);
}

void nv_vmbind_ring_fini(NvVmbindRing *r)
{
    qemu_bh_delete(r->bh);
    r->bh = NULL;
}

void nv_vmbind_ring_reset(NvVmbindRing *r)
{
    qemu_bh_cancel(r->bh);
    r->base_lo = r->base_hi = r->size = 0;
    r->head = r->tail = r->status = 0;
    r->completed = r->errors = 0;
    r->slices = 0;
}

uint32_t nv_vmbind_ring_read(NvVmbindRing *r, hwaddr off)
{
    switch (off) {
    case NVVB_RING_BASE_LO:
        return r->base_lo;
    case NVVB_RING_BASE_HI:
        return r->base_hi;
    case NVVB_RING_SIZE:
        return r->size;
    case NVVB_RING_HEAD:
        return r->head;
    case NVVB_RING_TAIL:
        return r->tail;
    case NVVB_RING_STATUS:
        return r->status;
    case NVVB_RING_COMPLETED:
        return r->completed;
    case NVVB_RING_ERRORS:
        return r->errors;
    default:
        return 0;
    }
}

void nv_vmbind_ring_write(NvVmbindRing *r, hwaddr off, uint32_t val)
{
    switch (off) {
    case NVVB_RING_BASE_LO:
    case NVVB_RING_BASE_HI:
    case NVVB_RING_SIZE:
        if (off == NVVB_RING_BASE_LO) {
            r->base_lo = val;
        } else if (off == NVVB_RING_BASE_HI) {
            r->base_hi = val;
        } else {
            r->size = val;
        }
        /* Reprogramming restarts the ring and clears its error bits. */
        qemu_bh_cancel(r->bh);
        r->head = r->tail = 0;
        r->status = 0;
        if (r->size && !nv_vmbind_ring_valid(r)) {
            r->status |= NVVB_RING_STATUS_BAD_RING;
            qemu_log_mask(LOG_GUEST_ERROR, "nv-vmbind: %s ring: SIZE %u must "
                          "be a power of two <= %u and BASE 64-byte aligned\n",
                          r->name, r->size, NVVB_RING_SIZE_MAX);
        }
        break;
    case NVVB_RING_TAIL:
        if (!nv_vmbind_ring_valid(r) || val >= r->size) {
            r->status |= NVVB_RING_STATUS_BAD_TAIL;
            qemu_log_mask(LOG_GUEST_ERROR, "nv-vmbind: %s ring: TAIL %u "
                          "beyond SIZE %u ignored\n", r->name, val, r->size);
            break;
        }
        r->tail = val;
        qemu_bh_schedule(r->bh);
        break;
    default:
        qemu_log_mask(LOG_GUEST_ERROR, "nv-vmbind: %s ring: write to "
                      "read-only register 0x%" HWADDR_PRIx "\n", r->name, off);
        break;
    }
}

/*
 * A loaded ring must be one the register path can produce: SIZE 0 (off) or
 * valid with HEAD and TAIL below SIZE, or an invalid BASE/SIZE flagged
 * BAD_RING with HEAD = TAIL = 0; STATUS holds only defined bits.  Anything
 * else (TAIL >= SIZE would make the bottom half chase a TAIL that HEAD,
 * wrapping modulo SIZE, never reaches) fails the migration.
 */
int nv_vmbind_ring_post_load(NvVmbindRing *r)
{
    bool ok;

    if (r->status & ~(NVVB_RING_STATUS_BAD_TAIL | NVVB_RING_STATUS_BAD_RING |
                      NVVB_RING_STATUS_DMA_ERROR)) {
        ok = false;
    } else if (!r->size || !nv_vmbind_ring_valid(r)) {
        ok = !r->head && !r->tail &&
             (!r->size || (r->status & NVVB_RING_STATUS_BAD_RING));
    } else {
        ok = r->head < r->size && r->tail < r->size;
    }
    if (!ok) {
        error_report("nv-vmbind: %s ring: invalid state in the migration "
                     "stream (SIZE %u HEAD %u TAIL %u STATUS 0x%x)", r->name,
                     r->size, r->head, r->tail, r->status);
        return -EINVAL;
    }
    if (r->head != r->tail) {
        qemu_bh_schedule(r->bh);
    }
    return 0;
}

const VMStateDescription vmstate_nv_vmbind_ring = {
    .name = "nv-vmbind/ring",
    .version_id = 1,
    .minimum_version_id = 1,
    .fields = (const VMStateField[]) {
        VMSTATE_UINT32(base_lo, NvVmbindRing),
        VMSTATE_UINT32(base_hi, NvVmbindRing),
        VMSTATE_UINT32(size, NvVmbindRing),
        VMSTATE_UINT32(head, NvVmbindRing),
        VMSTATE_UINT32(tail, NvVmbindRing),
        VMSTATE_UINT32(status, NvVmbindRing),
        VMSTATE_UINT32(completed, NvVmbindRing),
        VMSTATE_UINT32(errors, NvVmbindRing),
        VMSTATE_END_OF_LIST()
    },
};
