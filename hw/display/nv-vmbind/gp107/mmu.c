/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * nv-vmbind-gp107: memory paths.
 *
 * - the accessor the VER2 walker reads through (VRAM, or system memory by
 *   PCI DMA: sysmem PTEs hold bus addresses);
 * - the PRAMIN window (BAR0 0x700000, base in 0x1700);
 * - PCI BAR1 and BAR3: each access is translated through the instance
 *   block named by 0x1704 (BAR1) or 0x1714 (BAR3 = nouveau's "BAR2"), with
 *   the core TLB, which -- as on hardware -- keeps entries until an
 *   invalidate (0x100cbc) or a rebind drops them;
 * - invalidates: every one names a PDB, which goes into the live-PDB set,
 *   classified as BAR1, BAR2 or user;
 * - the x-corrupt-pte test mode.
 *
 * Guest-controlled values (window bases, instance blocks, page tables,
 * offsets) only ever select memory through bounds-checked accessors.
 *
 * Copyright (c) 2026 The nv-vmbind authors
 */

#include "qemu/osdep.h"
#include "qemu/log.h"
#include "hw/pci/pci.h"
#include "internal.h"
#include "fifo.h"
#include "../core/gmmu-fault.h"
#include "../trace.h"

static const char *const bar_name[] = { "BAR1", "BAR2" };

static const char *fault_name(uint8_t type)
{
    const char *n = nv_gmmu_fault_type_name(type);

    return n ? n : "?";
}

/* ---- PRAMIN ---- */

static uint64_t pramin_addr(uint32_t window, uint32_t off)
{
    return ((uint64_t)(window & NV_PBUS_BAR0_WINDOW_BASE_MASK) << 16) + off;
}

uint32_t nv_gp107_pramin_read(NvGp107State *s, uint32_t window, uint32_t off,
                              unsigned size)
{
    uint64_t pa = pramin_addr(window, off);
    uint64_t val = 0;

    if ((window >> 24) & 3) {
        /* TARGET other than VID: nouveau never does this. */
        qemu_log_mask(LOG_UNIMP, "nv-gp107: PRAMIN target %u unsupported\n",
                      (window >> 24) & 3);
        return 0;
    }
    if (!nvvb_gpu_mem_read(&s->gpu_mem, NV_GMMU_APER_VID, pa, &val, size)) {
        trace_nv_gp107_pramin_oob(pa, size);
        return 0;
    }
    return le64_to_cpu(val);
}

void nv_gp107_pramin_write(NvGp107State *s, uint32_t window, uint32_t off,
                           uint32_t val, unsigned size)
{
    uint64_t pa = pramin_addr(window, off);
    uint32_t le = cpu_to_le32(val);

    if ((window >> 24) & 3) {
        qemu_log_mask(LOG_UNIMP, "nv-gp107: PRAMIN target %u unsupported\n",
                      (window >> 24) & 3);
        return;
    }
    if (!nvvb_gpu_mem_write(&s->gpu_mem, NV_GMMU_APER_VID, pa, &le, size)) {
        trace_nv_gp107_pramin_oob(pa, size);
    }
}

/* ---- BAR binding ---- */

void nv_gp107_bar_bound(NvGp107State *s, NvGp107Bar bar, uint32_t reg)
{
    /* A (re)bind reloads the instance block: cached walks are stale. */
    nv_gmmu_tlb_flush_all(s->tlb);
    trace_nv_gp107_bar_bind(bar_name[bar], reg,
                            (uint64_t)(reg & NV_PBUS_BLOCK_PTR_MASK) << 12);
}

bool nv_gp107_bar_pdb(NvGp107State *s, NvGp107Bar bar, NvGmmuPdb *pdb)
{
    uint32_t reg = nv_gp107_bar_block(s, bar);
    NvGmmuAperture aper =
        nv_gmmu_target_aperture(reg >> NV_PBUS_BLOCK_TARGET_SHIFT);

    if (!(reg & NV_PBUS_BLOCK_MODE_VIRTUAL) || aper == NV_GMMU_APER_NONE) {
        return false;
    }
    return nv_gmmu_inst_decode(&s->gpu_mem.mem, aper,
                               (uint64_t)(reg & NV_PBUS_BLOCK_PTR_MASK) << 12,
                               pdb);
}

/* ---- BAR1 / BAR3 accesses ---- */

/*
 * Translate and perform one access of 1..8 bytes at @va (aligned to its
 * size, so it never crosses a 4 KiB page).  Untranslatable accesses read 0
 * and drop writes, like a BAR with nothing mapped.
 */
static void bar_access(NvGp107State *s, NvGp107Bar bar, uint64_t va,
                       uint64_t *val, unsigned size, bool write)
{
    NvGp107BarStats *st = &s->bar_stats[bar];
    NvGmmuAccess acc = {
        .type = write ? NV_GMMU_ACCESS_TYPE_VIRT_WRITE :
                        NV_GMMU_ACCESS_TYPE_VIRT_READ,
        .priv = true,
        .peer_unsupported = true,
    };
    NvGmmuWalkResult res;
    NvGmmuPdb pdb;
    uint64_t le;

    if (write) {
        st->writes++;
    } else {
        st->reads++;
        *val = 0;
    }
    if (!nv_gp107_bar_pdb(s, bar, &pdb)) {
        st->unbound++;
        trace_nv_gp107_bar_unbound(bar_name[bar], va, write);
        return;
    }
    nv_gmmu_tlb_translate(s->tlb, &s->gpu_mem.mem, &pdb, va, &acc, &res);
    if (res.status == NV_GMMU_WALK_SPARSE) {
        st->sparse++;
        trace_nv_gp107_bar_fault(bar_name[bar], va, write, "sparse");
        return;
    }
    if (res.status != NV_GMMU_WALK_OK) {
        st->faults++;
        trace_nv_gp107_bar_fault(bar_name[bar], va, write,
                                 fault_name(res.fault_type));
        return;
    }
    if (res.tr.aperture != NV_GMMU_APER_VID) {
        st->sysmem++;
    }
    if (write) {
        le = cpu_to_le64(*val);
        if (!nvvb_gpu_mem_write(&s->gpu_mem, res.tr.aperture, res.pa, &le,
                                size)) {
            st->faults++;
            trace_nv_gp107_bar_fault(bar_name[bar], va, write, "target");
            return;
        }
        /* x-corrupt-pte: remember writes that can be a PTE's low dword. */
        if (bar == NV_GP107_VBAR2 && s->corrupt_pte && !s->corrupted &&
            res.tr.aperture == NV_GMMU_APER_VID && size >= 4 &&
            !(res.pa & 7) && (*val & 1)) {
            if (s->wlog_n < NV_GP107_WLOG_SIZE) {
                s->wlog[s->wlog_n].pa = res.pa;
                s->wlog[s->wlog_n].val = *val;
                s->wlog[s->wlog_n].size = size;
                s->wlog_n++;
            } else {
                s->wlog_overflow = true;
            }
        }
    } else {
        le = 0;
        if (!nvvb_gpu_mem_read(&s->gpu_mem, res.tr.aperture, res.pa, &le,
                               size)) {
            st->faults++;
            trace_nv_gp107_bar_fault(bar_name[bar], va, write, "target");
            return;
        }
        *val = le64_to_cpu(le);
    }
    trace_nv_gp107_bar_access(bar_name[bar], va, size, write, res.pa, *val);
}

static uint64_t bar1_read(void *opaque, hwaddr addr, unsigned size)
{
    uint64_t val;

    bar_access(opaque, NV_GP107_VBAR1, addr, &val, size, false);
    return val;
}

static void bar1_write(void *opaque, hwaddr addr, uint64_t val,
                       unsigned size)
{
    bar_access(opaque, NV_GP107_VBAR1, addr, &val, size, true);
    /* GP_PUT written into a USERD: the channel runs now (fifo.c). */
    nv_gp107_fifo_bar1_written(opaque, addr, size);
}

static uint64_t bar3_read(void *opaque, hwaddr addr, unsigned size)
{
    uint64_t val;

    bar_access(opaque, NV_GP107_VBAR2, addr, &val, size, false);
    return val;
}

static void bar3_write(void *opaque, hwaddr addr, uint64_t val,
                       unsigned size)
{
    bar_access(opaque, NV_GP107_VBAR2, addr, &val, size, true);
}

/* 1-8 byte accesses; unaligned ones are split by the memory core. */
const MemoryRegionOps nv_gp107_bar1_ops = {
    .read = bar1_read,
    .write = bar1_write,
    .endianness = DEVICE_LITTLE_ENDIAN,
    .valid = { .min_access_size = 1, .max_access_size = 8 },
    .impl = { .min_access_size = 1, .max_access_size = 8 },
};

const MemoryRegionOps nv_gp107_bar3_ops = {
    .read = bar3_read,
    .write = bar3_write,
    .endianness = DEVICE_LITTLE_ENDIAN,
    .valid = { .min_access_size = 1, .max_access_size = 8 },
    .impl = { .min_access_size = 1, .max_access_size = 8 },
};

/* ---- x-corrupt-pte ---- */

/*
 * Called at an invalidate naming the user PDB @pdb: the BAR3 writes since
 * the previous invalidate are this VMM's page-table update.  A 32-bit
 * write of a low PTE dword (8-byte aligned, VALID, VID or SYS aperture)
 * is a PTE write; the Nth such write since reset has its address moved
 * by one 4 KiB page in VRAM before the MMU could use it -- what a bit
 * error on that write would leave behind.
 */
static void corrupt_pte_check(NvGp107State *s, uint64_t pdb)
{
    unsigned i;

    if (s->corrupted || s->wlog_overflow) {
        return;
    }
    for (i = 0; i < s->wlog_n; i++) {
        uint64_t pa = s->wlog[i].pa;
        uint32_t lo = s->wlog[i].val, bad;

        /* A whole low dword (or qword) of an entry, VALID, not PEER. */
        if (s->wlog[i].size < 4 || (pa & 7) || !(lo & 1) ||
            ((lo >> 1) & 3) == 1 || pa > s->vram_size - 4) {
            continue;
        }
        if (++s->pte_writes_seen != s->corrupt_pte) {
            continue;
        }
        bad = lo ^ (1u << 8);       /* PTE address bit 12 of the target */
        bad = cpu_to_le32(bad);
        nvvb_gpu_mem_write(&s->gpu_mem, NV_GMMU_APER_VID, pa, &bad, 4);
        s->corrupted = true;
        s->corrupt_vram_addr = pa;
        s->corrupt_pdb = pdb;
        s->corrupt_old = lo;
        s->corrupt_new = lo ^ (1u << 8);
        trace_nv_gp107_corrupt_pte(pa, lo, s->corrupt_new, pdb);
        return;
    }
}

/* ---- Invalidate ---- */

void nv_gp107_invalidate(NvGp107State *s, uint32_t val, uint32_t pdb,
                         uint32_t upper_pdb)
{
    NvGmmuTlbInvalidate inv;
    NvGmmuAperture aper;
    NvGmmuPdb bpdb;
    uint32_t tag = NV_GP107_PDB_USER;
    const NvGmmuPdbEntry *e;

    nv_gmmu_tlb_invalidate_decode(val, pdb, upper_pdb, 0, &inv);
    nv_gmmu_tlb_invalidate(s->tlb, &inv);
    s->inval_seq++;
    /* INVALIDATE_PDB APERTURE as nouveau writes it: 0 VID, 2 SYS, 3 NCOH */
    aper = nv_gmmu_target_aperture(pdb & 3);
    if (!inv.all_pdb && aper != NV_GMMU_APER_NONE) {
        if (nv_gp107_bar_pdb(s, NV_GP107_VBAR1, &bpdb) &&
            bpdb.aperture == aper && bpdb.addr == inv.pdb_addr) {
            tag = NV_GP107_PDB_BAR1;
        } else if (nv_gp107_bar_pdb(s, NV_GP107_VBAR2, &bpdb) &&
                   bpdb.aperture == aper && bpdb.addr == inv.pdb_addr) {
            tag = NV_GP107_PDB_BAR2;
        } else if (inv.hub_only) {
            /* A BAR VMM before its bind: BAR2 boots first, then BAR1. */
            tag = (nv_gp107_bar_block(s, NV_GP107_VBAR2) &
                   NV_PBUS_BLOCK_MODE_VIRTUAL) ?
                  NV_GP107_PDB_BAR1 : NV_GP107_PDB_BAR2;
        }
        e = nv_gmmu_pdbset_note(s->pdbs, aper, inv.pdb_addr, tag,
                                s->inval_seq);
        if (tag == NV_GP107_PDB_USER) {
            s->inval_user++;
            if (s->corrupt_pte) {
                corrupt_pte_check(s, inv.pdb_addr);
            }
        }
        trace_nv_gp107_invalidate(val, nv_gmmu_aperture_name(aper),
                                  inv.pdb_addr, tag, e ? e->count : 0);
    } else {
        trace_nv_gp107_invalidate(val, "all", 0, tag, 0);
    }
    s->wlog_n = 0;
    s->wlog_overflow = false;
}

/* ---- Life cycle ---- */

void nv_gp107_mmu_realize(NvGp107State *s)
{
    nvvb_gpu_mem_init(&s->gpu_mem, PCI_DEVICE(s), &s->vram_mr);
    s->tlb = nv_gmmu_tlb_new(0, 0);
    s->pdbs = nv_gmmu_pdbset_new(s->pdb_capacity);
}

void nv_gp107_mmu_unrealize(NvGp107State *s)
{
    nv_gmmu_tlb_free(s->tlb);
    s->tlb = NULL;
    nv_gmmu_pdbset_free(s->pdbs);
    s->pdbs = NULL;
}

void nv_gp107_mmu_reset(NvGp107State *s)
{
    nv_gmmu_tlb_flush_all(s->tlb);
    nv_gmmu_tlb_reset_stats(s->tlb);
    nv_gmmu_pdbset_clear(s->pdbs);
    s->inval_seq = s->inval_user = 0;
    memset(s->bar_stats, 0, sizeof(s->bar_stats));
    s->wlog_n = 0;
    s->wlog_overflow = false;
    s->pte_writes_seen = 0;
    s->corrupted = false;
    s->corrupt_vram_addr = s->corrupt_pdb = 0;
    s->corrupt_old = s->corrupt_new = 0;
}
