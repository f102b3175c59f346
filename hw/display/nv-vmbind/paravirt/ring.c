/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * nv-vmbind paravirtual GPU: descriptor rings (bind queue, copy engine).
 *
 * A TAIL write schedules the bottom half, so a storm of doorbells collapses
 * into one run.  One run executes at most the ring's budget of descriptors,
 * and stops early once their cost (r->work, added by exec) reaches
 * work_budget, then reschedules itself for the rest, so the main loop
 * (monitor, other devices) runs in between however much work a guest
 * queues.  Descriptors are never split: the exec handlers bound the cost of
 * one.
 *
 * A doorbell that leaves only a few descriptors pending on a ring whose exec
 * reports its work runs them in the TAIL write itself, within smaller bounds
 * than a slice (NVVB_RING_INLINE_DESCS descriptors, stopping at
 * NVVB_RING_INLINE_WORK units), and leaves anything else to the bottom half.
 * A small synchronous bind then completes before the write returns instead
 * of waiting for the main loop to wake up and run the bottom half, which
 * under emulation costs more than the bind itself.  A descriptor with
 * F_QUIET that completes inside the TAIL write that made it pending raises
 * no interrupt: its driver reads the fence when the write returns, which
 * saves the guest an interrupt and its acknowledgement per small bind.
 *
 * Copyright (c) 2026 The nv-vmbind authors
 */

#include "qemu/osdep.h"
#include "qemu/bswap.h"
#include "qemu/error-report.h"
#include "qemu/log.h"
#include "qemu/main-loop.h"
#include "hw/pci/pci_device.h"
#include "internal.h"
#include "ring.h"
#include "../trace.h"

#define NVVB_RING_INLINE_DESCS  4
#define NVVB_RING_INLINE_WORK   512

/* A ring register (NVVB_RING_*), as an lvalue. */
#define RING_REG(r, off)    ((r)->regs[(off) / 4])

static uint64_t nv_vmbind_ring_base(NvVmbindRing *r)
{
    return deposit64(RING_REG(r, NVVB_RING_BASE_LO), 32, 32,
                     RING_REG(r, NVVB_RING_BASE_HI));
}

static bool nv_vmbind_ring_valid(NvVmbindRing *r)
{
    uint32_t size = RING_REG(r, NVVB_RING_SIZE);

    return size && size <= NVVB_RING_SIZE_MAX && is_power_of_2(size) &&
           !(RING_REG(r, NVVB_RING_BASE_LO) & (NVVB_DESC_SIZE - 1));
}

/*
 * Executes at most @budget descriptors, stopping once their work reaches
 * @work_budget (0: no limit); schedules the bottom half for what is left.
 * Descriptors in [@quiet_from, @quiet_to) (the ones the current TAIL write
 * made pending; an empty range outside one) honour F_QUIET.
 */
static void nv_vmbind_ring_run(NvVmbindRing *r, uint32_t budget,
                               uint64_t work_budget, uint32_t quiet_from,
                               uint32_t quiet_to)
{
    NvVmbindState *s = r->dev;
    PCIDevice *pdev = PCI_DEVICE(s);
    bool notify = false;
    uint32_t *head = &RING_REG(r, NVVB_RING_HEAD);
    uint32_t *tail = &RING_REG(r, NVVB_RING_TAIL);
    uint32_t *status_reg = &RING_REG(r, NVVB_RING_STATUS);
    uint32_t mask = RING_REG(r, NVVB_RING_SIZE) - 1;

    if (!nv_vmbind_ring_valid(r)) {
        return;
    }
    r->work = 0;
    if (*head != *tail) {
        r->slices++;
    }
    while (*head != *tail && budget-- &&
           (!work_budget || r->work < work_budget)) {
        uint64_t addr = nv_vmbind_ring_base(r) +
                        (uint64_t)*head * NVVB_DESC_SIZE;
        uint8_t desc[NVVB_DESC_SIZE];
        uint32_t status, flags;
        bool written_back, quiet;
        uint8_t le[8];

        if (pci_dma_read(pdev, addr, desc, sizeof(desc)) != MEMTX_OK) {
            /* Nothing can be completed: stop until the ring is fixed. */
            *status_reg |= NVVB_RING_STATUS_DMA_ERROR;
            trace_nv_vmbind_ring_error(r->name, "descriptor unreadable",
                                       *head);
            notify = true;
            break;
        }
        flags = nv_vmbind_desc_u16(desc, NVVB_DESC_FLAGS);
        status = r->exec(s, desc);
        trace_nv_vmbind_ring_desc(r->name, *head,
                                  nv_vmbind_desc_u16(desc, NVVB_DESC_OPCODE),
                                  status);

        stl_le_p(le, status);
        written_back = pci_dma_write(pdev, addr + NVVB_DESC_STATUS, le,
                                     4) == MEMTX_OK;
        if (!written_back) {
            *status_reg |= NVVB_RING_STATUS_DMA_ERROR;
        }
        if (flags & NVVB_DESC_F_FENCE) {
            stq_le_p(le, nv_vmbind_desc_u64(desc, NVVB_DESC_FENCE_VALUE));
            if (pci_dma_write(pdev,
                              nv_vmbind_desc_u64(desc, NVVB_DESC_FENCE_ADDR),
                              le, 8) != MEMTX_OK) {
                trace_nv_vmbind_ring_error(r->name, "fence unwritable",
                                           *head);
                /* the driver will not see it complete: interrupt */
                written_back = false;
            }
        }
        quiet = (flags & NVVB_DESC_F_QUIET) && written_back &&
                ((*head - quiet_from) & mask) <
                ((quiet_to - quiet_from) & mask);
        if ((flags & (NVVB_DESC_F_FENCE | NVVB_DESC_F_INTR)) && !quiet) {
            notify = true;
        }
        RING_REG(r, NVVB_RING_COMPLETED)++;
        if (status != NVVB_STATUS_OK) {
            RING_REG(r, NVVB_RING_ERRORS)++;
        }
        *head = (*head + 1) & (RING_REG(r, NVVB_RING_SIZE) - 1);
    }
    if (notify) {
        nv_vmbind_raise_intr(s, r->intr);
    }
    if (*head != *tail && !(*status_reg & NVVB_RING_STATUS_DMA_ERROR)) {
        qemu_bh_schedule(r->bh);
    }
}

static void nv_vmbind_ring_process(void *opaque)
{
    NvVmbindRing *r = opaque;

    nv_vmbind_ring_run(r, r->budget, r->work_budget, 0, 0);
}

/*
 * The doorbell: run a small batch now, anything larger in the bottom half.
 * @old_tail: TAIL before this write.
 */
static void nv_vmbind_ring_doorbell(NvVmbindRing *r, uint32_t old_tail)
{
    uint32_t pending = (RING_REG(r, NVVB_RING_TAIL) -
                        RING_REG(r, NVVB_RING_HEAD)) &
                       (RING_REG(r, NVVB_RING_SIZE) - 1);

    if (r->work_budget && pending <= NVVB_RING_INLINE_DESCS &&
        !(RING_REG(r, NVVB_RING_STATUS) & NVVB_RING_STATUS_DMA_ERROR)) {
        nv_vmbind_ring_run(r, NVVB_RING_INLINE_DESCS,
                           MIN(r->work_budget, NVVB_RING_INLINE_WORK),
                           old_tail, r->dev->quiet_inline ?
                           RING_REG(r, NVVB_RING_TAIL) : old_tail);
    } else {
        qemu_bh_schedule(r->bh);
    }
}

void nv_vmbind_ring_init(NvVmbindState *s, NvVmbindRing *r, const char *name,
                         hwaddr regs, NvVmbindRingExec exec, uint32_t intr,
                         uint32_t budget)
{
    r->dev = s;
    r->regs = &NV_VMBIND_REG(s, regs);
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
    /* The registers reset with the device's. */
    qemu_bh_cancel(r->bh);
    r->slices = 0;
}

void nv_vmbind_ring_write(NvVmbindRing *r, hwaddr off, uint32_t val)
{
    uint32_t size = RING_REG(r, NVVB_RING_SIZE), old;

    switch (off) {
    case NVVB_RING_BASE_LO:
    case NVVB_RING_BASE_HI:
    case NVVB_RING_SIZE:
        /* Reprogramming restarts the ring and clears its error bits. */
        qemu_bh_cancel(r->bh);
        RING_REG(r, NVVB_RING_HEAD) = RING_REG(r, NVVB_RING_TAIL) = 0;
        RING_REG(r, NVVB_RING_STATUS) = 0;
        if (size && !nv_vmbind_ring_valid(r)) {
            RING_REG(r, NVVB_RING_STATUS) |= NVVB_RING_STATUS_BAD_RING;
            qemu_log_mask(LOG_GUEST_ERROR, "nv-vmbind: %s ring: SIZE %u must "
                          "be a power of two <= %u and BASE 64-byte aligned\n",
                          r->name, size, NVVB_RING_SIZE_MAX);
        }
        break;
    case NVVB_RING_TAIL:
        if (!nv_vmbind_ring_valid(r) || val >= size) {
            RING_REG(r, NVVB_RING_STATUS) |= NVVB_RING_STATUS_BAD_TAIL;
            qemu_log_mask(LOG_GUEST_ERROR, "nv-vmbind: %s ring: TAIL %u "
                          "beyond SIZE %u ignored\n", r->name, val, size);
            break;
        }
        old = RING_REG(r, NVVB_RING_TAIL);
        RING_REG(r, NVVB_RING_TAIL) = val;
        nv_vmbind_ring_doorbell(r, old);
        break;
    default:
        qemu_log_mask(LOG_GUEST_ERROR, "nv-vmbind: %s ring: write to "
                      "read-only register 0x%" HWADDR_PRIx "\n", r->name, off);
        break;
    }
}

uint32_t nv_vmbind_ring_pending(NvVmbindRing *r)
{
    return nv_vmbind_ring_valid(r) ?
           (RING_REG(r, NVVB_RING_TAIL) - RING_REG(r, NVVB_RING_HEAD)) &
           (RING_REG(r, NVVB_RING_SIZE) - 1) : 0;
}

/*
 * A loaded ring must be one the register path can produce: SIZE 0 (off) or
 * valid with HEAD and TAIL below SIZE, or an invalid BASE/SIZE flagged
 * BAD_RING with HEAD = TAIL = 0 (device.c checks each register's bits on
 * their own).  Anything else (TAIL >= SIZE would make the bottom half
 * chase a TAIL that HEAD, wrapping modulo SIZE, never reaches) fails the
 * migration.
 */
int nv_vmbind_ring_post_load(NvVmbindRing *r)
{
    uint32_t size = RING_REG(r, NVVB_RING_SIZE);
    uint32_t head = RING_REG(r, NVVB_RING_HEAD);
    uint32_t tail = RING_REG(r, NVVB_RING_TAIL);
    uint32_t status = RING_REG(r, NVVB_RING_STATUS);
    bool ok;

    if (!size || !nv_vmbind_ring_valid(r)) {
        ok = !head && !tail && (!size || (status & NVVB_RING_STATUS_BAD_RING));
    } else {
        ok = head < size && tail < size;
    }
    if (!ok) {
        error_report("nv-vmbind: %s ring: invalid state in the migration "
                     "stream (SIZE %u HEAD %u TAIL %u STATUS 0x%x)", r->name,
                     size, head, tail, status);
        return -EINVAL;
    }
    if (head != tail) {
        qemu_bh_schedule(r->bh);
    }
    return 0;
}
