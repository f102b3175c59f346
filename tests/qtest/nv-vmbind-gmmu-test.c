/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * qtests for the nv-vmbind GMMU: the test acts as a bare-metal driver.  It
 * builds VER2 page tables itself (libqos/nv-vmbind.c, in VRAM through BAR 2
 * or in guest RAM), then translates and moves data through the device's
 * walker with the TRANSLATE and DMA probes and checks both the data and the
 * entries the walker reports.  Faults are checked in the fault ring, field
 * by field, decoded here from NVIDIA's NV_MMU_FAULT_BUF_ENTRY layout.
 */

#include "qemu/osdep.h"
#include "qemu/bswap.h"
#include "qemu/cutils.h"
#include "libqtest.h"
#include "libqos/qgraph.h"
#include "libqos/pci.h"
#include "libqos/libqos-malloc.h"
#include "libqos/nv-vmbind.h"
#include "qobject/qdict.h"
#include "qobject/qlist.h"

#define TABLES_VRAM     0x00100000ULL   /* VRAM bump area for tables */
#define DATA_VRAM       0x01000000ULL   /* 16 MiB: 2 MiB-aligned data pages */

#define RD      NV_GMMU_ACCESS_TYPE_VIRT_READ
#define WR      NV_GMMU_ACCESS_TYPE_VIRT_WRITE
#define ATOM    NV_GMMU_ACCESS_TYPE_VIRT_ATOMIC_STRONG

typedef struct Ctx {
    QNvVmbind *d;
    QTestState *qts;
    QGuestAllocator *alloc;
    QNvGmmu g;
    QNvFaultRing fr;
} Ctx;

typedef QNvFault FaultRec;

static uint32_t result(uint32_t status)
{
    return status & NVVB_PROBE_STATUS_RESULT_MASK;
}

static unsigned fault_type(uint32_t status)
{
    return (status & NVVB_PROBE_STATUS_FAULT_TYPE_MASK) >>
           NVVB_PROBE_STATUS_FAULT_TYPE_SHIFT;
}

static unsigned status_level(uint32_t status)
{
    return (status & NVVB_PROBE_STATUS_LEVEL_MASK) >>
           NVVB_PROBE_STATUS_LEVEL_SHIFT;
}

static void ring_init(Ctx *c, uint32_t entries)
{
    qnvvb_fault_ring_init(&c->fr, c->d, c->alloc, entries);
}

static bool ring_pop(Ctx *c, FaultRec *r)
{
    return qnvvb_fault_pop(&c->fr, r);
}

static void ctx_init(Ctx *c, void *obj, QGuestAllocator *alloc,
                     NvGmmuAperture tables)
{
    c->d = obj;
    c->qts = c->d->dev.bus->qts;
    c->alloc = alloc;
    /* Every test starts from a reset device: no TLB entries, no ring. */
    qnvvb_writel(c->d, NVVB_REG_RESET, NVVB_RESET_VALUE);
    qnvgmmu_init(&c->g, c->d, alloc, tables, TABLES_VRAM);
    qnvvb_ctx_pdb(c->d, tables, c->g.pd3);
    ring_init(c, 16);
}

static void expect_fault(Ctx *c, uint64_t va, unsigned access,
                         unsigned type, uint64_t inst)
{
    uint32_t st = qnvvb_translate(c->d, va, access);
    FaultRec r;

    g_assert_cmpuint(result(st), ==, NVVB_PROBE_RESULT_FAULT);
    g_assert_cmphex(fault_type(st), ==, type);
    g_assert_true(ring_pop(c, &r));
    g_assert_true(r.valid);
    g_assert_cmphex(r.type, ==, type);
    g_assert_cmphex(r.addr, ==, va & ~0xfffULL);
    g_assert_cmphex(r.access, ==, access);
    g_assert_cmphex(r.inst, ==, inst);
    g_assert_cmpuint(r.engine, ==, NVVB_FAULT_ENGINE_PROBE);
    g_assert_true(r.hub);
    g_assert_false(ring_pop(c, &r));
}

/* Translation of every page size and aperture, tables in @tables. */
static void check_translations(Ctx *c)
{
    static const struct {
        uint64_t va;
        unsigned shift;
        NvGmmuAperture aper;
        uint64_t pa;
        uint64_t flags;
        uint8_t kind;
    } maps[] = {
        { 0x0000100000ULL, 12, NV_GMMU_APER_VID, DATA_VRAM, 0, 0x00 },
        { 0x0000201000ULL, 12, NV_GMMU_APER_VID, DATA_VRAM + 0x3000,
          NV_GMMU_PTE_READ_ONLY, 0x06 },
        { 0x0000410000ULL, 16, NV_GMMU_APER_VID, DATA_VRAM + 0x10000,
          NV_GMMU_PTE_ATOMIC_DISABLE, 0xfe },
        { 0x0000800000ULL, 21, NV_GMMU_APER_VID, DATA_VRAM + 0x200000,
          NV_GMMU_PTE_VOL, 0x11 },
        { 0x1234567000ULL, 12, NV_GMMU_APER_SYS_COH, 0x123456000ULL, 0, 0 },
        { 0x1fff80000000ULL, 16, NV_GMMU_APER_SYS_NCOH, 0x7fff0000ULL,
          NV_GMMU_PTE_PRIVILEGE, 0x70 },
        { 0x1ffffffff000ULL, 12, NV_GMMU_APER_VID, DATA_VRAM + 0x5000, 0, 0 },
    };
    size_t i;

    for (i = 0; i < G_N_ELEMENTS(maps); i++) {
        uint64_t pte = nv_gmmu_pte_encode(maps[i].aper, maps[i].pa,
                                          maps[i].flags, maps[i].kind);
        uint64_t entry = qnvgmmu_map(&c->g, maps[i].va, maps[i].shift, pte);
        uint64_t off = 0x123 & ((1ULL << maps[i].shift) - 1);
        uint32_t st, info;

        st = qnvvb_translate(c->d, maps[i].va + off,
                             RD | NVVB_PROBE_ACCESS_PRIV);
        g_assert_cmpuint(result(st), ==, NVVB_PROBE_RESULT_MAPPED);
        g_assert_cmphex(qnvvb_probe_pa(c->d), ==, maps[i].pa + off);
        info = qnvvb_readl(c->d, NVVB_REG_PROBE_INFO);
        g_assert_cmpuint(info & NVVB_PROBE_INFO_APERTURE_MASK, ==,
                         maps[i].aper);
        g_assert_cmpuint((info & NVVB_PROBE_INFO_PAGE_SHIFT_MASK) >>
                         NVVB_PROBE_INFO_PAGE_SHIFT_SHIFT, ==, maps[i].shift);
        g_assert_cmphex((info & NVVB_PROBE_INFO_KIND_MASK) >>
                        NVVB_PROBE_INFO_KIND_SHIFT, ==, maps[i].kind);
        g_assert_cmphex(info >> NVVB_PROBE_INFO_FLAGS_SHIFT, ==, pte & 0xff);
        g_assert_cmphex(qnvvb_readl(c->d, NVVB_REG_PROBE_PTE_LO), ==,
                        (uint32_t)pte);
        g_assert_cmphex(qnvvb_readl(c->d, NVVB_REG_PROBE_PTE_HI), ==,
                        pte >> 32);
        /* The walker read the leaf exactly where the builder wrote it. */
        g_assert_cmphex(((uint64_t)qnvvb_readl(c->d, NVVB_REG_PROBE_ENTRY_HI)
                         << 32) | qnvvb_readl(c->d, NVVB_REG_PROBE_ENTRY_LO),
                        ==, entry);
        g_assert_cmpuint(status_level(st), ==,
                         maps[i].shift == 21 ? NVVB_LEVEL_PD0 :
                         maps[i].shift == 16 ? NVVB_LEVEL_PT_BIG :
                         NVVB_LEVEL_PT_SMALL);
    }
    g_assert_cmpuint(qnvvb_readl(c->d, NVVB_REG_FAULT_COUNT), ==, 0);
}

static void test_translate_vram(void *obj, void *data, QGuestAllocator *alloc)
{
    Ctx c;

    ctx_init(&c, obj, alloc, NV_GMMU_APER_VID);
    check_translations(&c);
}

static void test_translate_sysmem(void *obj, void *data,
                                  QGuestAllocator *alloc)
{
    Ctx c;

    ctx_init(&c, obj, alloc, NV_GMMU_APER_SYS_COH);
    check_translations(&c);
}

static void test_instance_block(void *obj, void *data, QGuestAllocator *alloc)
{
    Ctx c;
    uint64_t inst, bad;
    uint32_t st;

    ctx_init(&c, obj, alloc, NV_GMMU_APER_VID);
    qnvgmmu_map(&c.g, 0x40000000, 12,
                nv_gmmu_pte_encode(NV_GMMU_APER_VID, DATA_VRAM, 0, 0));

    /* Instance blocks in VRAM and in system memory reach the same PD3. */
    inst = qnvgmmu_inst(&c.g, NV_GMMU_APER_VID, 0, NV_GMMU_VA_LIMIT - 1);
    qnvvb_ctx_inst(c.d, NV_GMMU_APER_VID, inst);
    st = qnvvb_translate(c.d, 0x40000010, RD);
    g_assert_cmpuint(result(st), ==, NVVB_PROBE_RESULT_MAPPED);
    g_assert_cmphex(qnvvb_probe_pa(c.d), ==, DATA_VRAM + 0x10);

    inst = qnvgmmu_inst(&c.g, NV_GMMU_APER_SYS_COH, 0, NV_GMMU_VA_LIMIT - 1);
    qnvvb_ctx_inst(c.d, NV_GMMU_APER_SYS_COH, inst);
    st = qnvvb_translate(c.d, 0x40000010, RD);
    g_assert_cmpuint(result(st), ==, NVVB_PROBE_RESULT_MAPPED);

    /* ADR_LIMIT: beyond it is a VA_LIMIT_VIOLATION. */
    inst = qnvgmmu_inst(&c.g, NV_GMMU_APER_VID, 0, 0x3fffffffULL);
    qnvvb_ctx_inst(c.d, NV_GMMU_APER_VID, inst);
    expect_fault(&c, 0x40000000, RD, NV_GMMU_FAULT_TYPE_VA_LIMIT_VIOLATION,
                 inst);

    /* The old page-table format and 128 KiB big pages do not bind. */
    bad = qnvgmmu_alloc(&c.g, NV_GMMU_APER_VID, 0x1000);
    qnvgmmu_write64(&c.g, NV_GMMU_APER_VID, bad + NV_GMMU_RAMIN_PDB_LO,
                    nv_gmmu_ramin_pdb_encode(0, c.g.pd3,
                                             NV_GMMU_RAMIN_BIG_PAGE_SIZE_64KB));
    qnvvb_ctx_inst(c.d, NV_GMMU_APER_VID, bad);
    expect_fault(&c, 0x40000000, RD, NV_GMMU_FAULT_TYPE_UNBOUND_INST_BLOCK,
                 bad);
    qnvgmmu_write64(&c.g, NV_GMMU_APER_VID, bad + NV_GMMU_RAMIN_PDB_LO,
                    nv_gmmu_ramin_pdb_encode(0, c.g.pd3,
                                    NV_GMMU_RAMIN_USE_VER2_PT_FORMAT));
    expect_fault(&c, 0x40000000, WR, NV_GMMU_FAULT_TYPE_UNBOUND_INST_BLOCK,
                 bad);
    /* Target INVALID. */
    qnvgmmu_write64(&c.g, NV_GMMU_APER_VID, bad + NV_GMMU_RAMIN_PDB_LO,
                    nv_gmmu_ramin_pdb_encode(NV_GMMU_RAMIN_TARGET_INVALID,
                                    c.g.pd3,
                                    NV_GMMU_RAMIN_USE_VER2_PT_FORMAT |
                                    NV_GMMU_RAMIN_BIG_PAGE_SIZE_64KB));
    expect_fault(&c, 0x40000000, RD, NV_GMMU_FAULT_TYPE_UNBOUND_INST_BLOCK,
                 bad);
    /* An instance block beyond VRAM. */
    qnvvb_ctx_inst(c.d, NV_GMMU_APER_VID, c.d->vram_size);
    expect_fault(&c, 0x40000000, RD, NV_GMMU_FAULT_TYPE_UNBOUND_INST_BLOCK,
                 c.d->vram_size);
}

static void fill(uint8_t *buf, size_t len, unsigned seed)
{
    size_t i;

    for (i = 0; i < len; i++) {
        buf[i] = (uint8_t)(seed * 131 + i * 7 + (i >> 8));
    }
}

static void test_dma(void *obj, void *data, QGuestAllocator *alloc)
{
    const uint32_t len = 3 * 0x1000 + 0x321;
    g_autofree uint8_t *src = g_malloc(len), *back = g_malloc(len);
    g_autofree uint8_t *part = g_malloc(len);
    uint64_t sysbuf, syspage, va;
    Ctx c;
    uint32_t st;

    ctx_init(&c, obj, alloc, NV_GMMU_APER_VID);
    sysbuf = ROUND_UP(guest_alloc(alloc, len + 0x1000), 0x1000);
    syspage = ROUND_UP(guest_alloc(alloc, 0x2000), 0x1000);

    /*
     * Four 4 KiB pages, physically scattered and in both apertures: data
     * crossing page boundaries must land in each page's own backing.
     */
    va = 0x10000000;
    qnvgmmu_map(&c.g, va, 12,
                nv_gmmu_pte_encode(NV_GMMU_APER_VID, DATA_VRAM + 0x7000, 0, 0));
    qnvgmmu_map(&c.g, va + 0x1000, 12,
                nv_gmmu_pte_encode(NV_GMMU_APER_SYS_COH, syspage, 0, 0));
    qnvgmmu_map(&c.g, va + 0x2000, 12,
                nv_gmmu_pte_encode(NV_GMMU_APER_VID, DATA_VRAM + 0x2000, 0, 0));
    qnvgmmu_map(&c.g, va + 0x3000, 12,
                nv_gmmu_pte_encode(NV_GMMU_APER_VID, DATA_VRAM + 0x9000, 0, 0));

    fill(src, len, 1);
    qtest_memwrite(c.qts, sysbuf, src, len);
    st = qnvvb_dma(c.d, NVVB_PROBE_CMD_DMA_WRITE, va, sysbuf, len, WR);
    g_assert_cmpuint(result(st), ==, NVVB_PROBE_RESULT_MAPPED);
    g_assert_cmpuint(qnvvb_readl(c.d, NVVB_REG_PROBE_DMA_DONE), ==, len);

    /* Check each backing page directly. */
    qnvgmmu_memread(&c.g, NV_GMMU_APER_VID, DATA_VRAM + 0x7000, part, 0x1000);
    g_assert_cmpmem(part, 0x1000, src, 0x1000);
    qtest_memread(c.qts, syspage, part, 0x1000);
    g_assert_cmpmem(part, 0x1000, src + 0x1000, 0x1000);
    qnvgmmu_memread(&c.g, NV_GMMU_APER_VID, DATA_VRAM + 0x2000, part, 0x1000);
    g_assert_cmpmem(part, 0x1000, src + 0x2000, 0x1000);
    qnvgmmu_memread(&c.g, NV_GMMU_APER_VID, DATA_VRAM + 0x9000, part, 0x321);
    g_assert_cmpmem(part, 0x321, src + 0x3000, 0x321);

    /* And read it all back through the VA. */
    qtest_memset(c.qts, sysbuf, 0, len);
    st = qnvvb_dma(c.d, NVVB_PROBE_CMD_DMA_READ, va, sysbuf, len, RD);
    g_assert_cmpuint(result(st), ==, NVVB_PROBE_RESULT_MAPPED);
    qtest_memread(c.qts, sysbuf, back, len);
    g_assert_cmpmem(back, len, src, len);

    /* 64 KiB and 2 MiB pages: an unaligned span inside each. */
    qnvgmmu_map(&c.g, 0x20010000, 16,
                nv_gmmu_pte_encode(NV_GMMU_APER_VID, DATA_VRAM + 0x40000,
                                   0, 0));
    qnvgmmu_map(&c.g, 0x20200000, 21,
                nv_gmmu_pte_encode(NV_GMMU_APER_VID, DATA_VRAM + 0x400000, 0,
                                   0));
    fill(src, len, 2);
    qtest_memwrite(c.qts, sysbuf, src, len);
    st = qnvvb_dma(c.d, NVVB_PROBE_CMD_DMA_WRITE, 0x20010000 + 0x8123, sysbuf,
                   len, WR);
    g_assert_cmpuint(result(st), ==, NVVB_PROBE_RESULT_MAPPED);
    qnvgmmu_memread(&c.g, NV_GMMU_APER_VID, DATA_VRAM + 0x48123, part, len);
    g_assert_cmpmem(part, len, src, len);
    st = qnvvb_dma(c.d, NVVB_PROBE_CMD_DMA_WRITE, 0x20200000 + 0x1ff000,
                   sysbuf, 0x1000, WR);
    g_assert_cmpuint(result(st), ==, NVVB_PROBE_RESULT_MAPPED);
    qnvgmmu_memread(&c.g, NV_GMMU_APER_VID, DATA_VRAM + 0x5ff000, part,
                    0x1000);
    g_assert_cmpmem(part, 0x1000, src, 0x1000);

    /* A DMA running into an unmapped page stops there and faults. */
    st = qnvvb_dma(c.d, NVVB_PROBE_CMD_DMA_READ, va + 0x3000, sysbuf, 0x2000,
                   RD);
    g_assert_cmpuint(result(st), ==, NVVB_PROBE_RESULT_FAULT);
    g_assert_cmpuint(qnvvb_readl(c.d, NVVB_REG_PROBE_DMA_DONE), ==, 0x1000);
}

static void test_faults(void *obj, void *data, QGuestAllocator *alloc)
{
    FaultRec r;
    Ctx c;
    uint64_t pd3;
    uint32_t st;

    ctx_init(&c, obj, alloc, NV_GMMU_APER_VID);
    pd3 = c.g.pd3;
    qnvvb_writel(c.d, NVVB_REG_INTR_ENABLE, NVVB_INTR_FAULT);
    qpci_msix_enable(&c.d->dev);
    g_assert_false(qpci_msix_pending(&c.d->dev, NVVB_MSIX_VEC_FAULT));

    /* PDE: nothing mapped at all (invalid PD3 entry). */
    expect_fault(&c, 0x100000000000ULL, RD, NV_GMMU_FAULT_TYPE_PDE, pd3);
    g_assert_true(qnvvb_readl(c.d, NVVB_REG_INTR_STATUS) & NVVB_INTR_FAULT);
    g_assert_true(qpci_msix_pending(&c.d->dev, NVVB_MSIX_VEC_FAULT));
    qnvvb_writel(c.d, NVVB_REG_INTR_STATUS, NVVB_INTR_FAULT);
    g_assert_false(qnvvb_readl(c.d, NVVB_REG_INTR_STATUS) & NVVB_INTR_FAULT);

    /* PTE: the tables exist, the PTE is invalid. */
    qnvgmmu_map(&c.g, 0x1000, 12,
                nv_gmmu_pte_encode(NV_GMMU_APER_VID, DATA_VRAM, 0, 0));
    expect_fault(&c, 0x2000, WR, NV_GMMU_FAULT_TYPE_PTE, pd3);

    /* VA_LIMIT_VIOLATION: beyond 49 bits. */
    expect_fault(&c, 1ULL << 49, RD, NV_GMMU_FAULT_TYPE_VA_LIMIT_VIOLATION,
                 pd3);

    /* PRIV_VIOLATION: a privileged page, unprivileged access. */
    qnvgmmu_map(&c.g, 0x3000, 12,
                nv_gmmu_pte_encode(NV_GMMU_APER_VID, DATA_VRAM,
                                   NV_GMMU_PTE_PRIVILEGE, 0));
    expect_fault(&c, 0x3000, RD, NV_GMMU_FAULT_TYPE_PRIV_VIOLATION, pd3);
    st = qnvvb_translate(c.d, 0x3000, RD | NVVB_PROBE_ACCESS_PRIV);
    g_assert_cmpuint(result(st), ==, NVVB_PROBE_RESULT_MAPPED);

    /* RO_VIOLATION: write and atomic to a read-only page; read is fine. */
    qnvgmmu_map(&c.g, 0x4000, 12,
                nv_gmmu_pte_encode(NV_GMMU_APER_VID, DATA_VRAM,
                                   NV_GMMU_PTE_READ_ONLY, 0));
    expect_fault(&c, 0x4000, WR, NV_GMMU_FAULT_TYPE_RO_VIOLATION, pd3);
    expect_fault(&c, 0x4000, ATOM, NV_GMMU_FAULT_TYPE_RO_VIOLATION, pd3);
    g_assert_cmpuint(result(qnvvb_translate(c.d, 0x4000, RD)), ==,
                     NVVB_PROBE_RESULT_MAPPED);

    /* ATOMIC_VIOLATION: atomics disabled; plain writes are fine. */
    qnvgmmu_map(&c.g, 0x5000, 12,
                nv_gmmu_pte_encode(NV_GMMU_APER_VID, DATA_VRAM,
                                   NV_GMMU_PTE_ATOMIC_DISABLE, 0));
    expect_fault(&c, 0x5000, ATOM, NV_GMMU_FAULT_TYPE_ATOMIC_VIOLATION, pd3);
    g_assert_cmpuint(result(qnvvb_translate(c.d, 0x5000, WR)), ==,
                     NVVB_PROBE_RESULT_MAPPED);

    /* UNSUPPORTED_APERTURE: a peer page; this device has no peers. */
    qnvgmmu_map(&c.g, 0x6000, 12,
                nv_gmmu_pte_encode(NV_GMMU_APER_PEER, 0x1000, 0, 0));
    expect_fault(&c, 0x6000, RD, NV_GMMU_FAULT_TYPE_UNSUPPORTED_APERTURE,
                 pd3);

    /* UNBOUND_INST_BLOCK: a context with the INVALID target. */
    qnvvb_writel(c.d, NVVB_REG_CTX_TARGET, 1);
    st = qnvvb_translate(c.d, 0x1000, RD);
    g_assert_cmpuint(result(st), ==, NVVB_PROBE_RESULT_FAULT);
    g_assert_cmphex(fault_type(st), ==, NV_GMMU_FAULT_TYPE_UNBOUND_INST_BLOCK);
    g_assert_true(ring_pop(&c, &r));
    g_assert_cmphex(r.type, ==, NV_GMMU_FAULT_TYPE_UNBOUND_INST_BLOCK);
    qnvvb_ctx_pdb(c.d, NV_GMMU_APER_VID, pd3);

    g_assert_cmpuint(qnvvb_readl(c.d, NVVB_REG_FAULT_COUNT), ==, 9);
    g_assert_cmpuint(qnvvb_readl(c.d, NVVB_REG_FAULT_DROPPED), ==, 0);
    qpci_msix_disable(&c.d->dev);
}

static void test_sparse(void *obj, void *data, QGuestAllocator *alloc)
{
    uint64_t sysbuf;
    uint8_t buf[256];
    uint64_t e;
    Ctx c;
    uint32_t st;

    ctx_init(&c, obj, alloc, NV_GMMU_APER_VID);
    sysbuf = ROUND_UP(guest_alloc(alloc, 0x2000), 0x1000);

    /* Sparse 4 KiB PTE, 64 KiB PTE, 2 MiB PD0 entry, PD1 and PD2 entries. */
    qnvgmmu_map(&c.g, 0x1000, 12, nv_gmmu_pte_sparse());
    qnvgmmu_map(&c.g, 0x100000, 16, nv_gmmu_pte_sparse());
    e = qnvgmmu_entry(&c.g, NV_GMMU_LEVEL_PD0, 0x40000000);
    qnvgmmu_write64(&c.g, NV_GMMU_APER_VID, e, nv_gmmu_pd0_sparse().lo);
    e = qnvgmmu_entry(&c.g, NV_GMMU_LEVEL_PD1, 0x4000000000ULL);
    qnvgmmu_write64(&c.g, NV_GMMU_APER_VID, e, nv_gmmu_pde_sparse());
    e = qnvgmmu_entry(&c.g, NV_GMMU_LEVEL_PD2, 0x800000000000ULL);
    qnvgmmu_write64(&c.g, NV_GMMU_APER_VID, e, nv_gmmu_pde_sparse());

    st = qnvvb_translate(c.d, 0x1000, RD);
    g_assert_cmpuint(result(st), ==, NVVB_PROBE_RESULT_SPARSE);
    g_assert_cmpuint(status_level(st), ==, NVVB_LEVEL_PT_SMALL);
    st = qnvvb_translate(c.d, 0x10fff0, WR);
    g_assert_cmpuint(result(st), ==, NVVB_PROBE_RESULT_SPARSE);
    g_assert_cmpuint(status_level(st), ==, NVVB_LEVEL_PT_BIG);
    st = qnvvb_translate(c.d, 0x401f0000, ATOM);
    g_assert_cmpuint(result(st), ==, NVVB_PROBE_RESULT_SPARSE);
    g_assert_cmpuint(status_level(st), ==, NVVB_LEVEL_PD0);
    st = qnvvb_translate(c.d, 0x4012345000ULL, RD);
    g_assert_cmpuint(result(st), ==, NVVB_PROBE_RESULT_SPARSE);
    g_assert_cmpuint(status_level(st), ==, NVVB_LEVEL_PD1);
    st = qnvvb_translate(c.d, 0x801234567000ULL, RD);
    g_assert_cmpuint(result(st), ==, NVVB_PROBE_RESULT_SPARSE);
    g_assert_cmpuint(status_level(st), ==, NVVB_LEVEL_PD2);

    /* Sparse reads return zeros; writes vanish without a fault. */
    memset(buf, 0xaa, sizeof(buf));
    qtest_memwrite(c.qts, sysbuf, buf, sizeof(buf));
    st = qnvvb_dma(c.d, NVVB_PROBE_CMD_DMA_READ, 0x1010, sysbuf, sizeof(buf),
                   RD);
    g_assert_cmpuint(result(st), ==, NVVB_PROBE_RESULT_SPARSE);
    qtest_memread(c.qts, sysbuf, buf, sizeof(buf));
    g_assert_true(buffer_is_zero(buf, sizeof(buf)));
    st = qnvvb_dma(c.d, NVVB_PROBE_CMD_DMA_WRITE, 0x1010, sysbuf, sizeof(buf),
                   WR);
    g_assert_cmpuint(result(st), ==, NVVB_PROBE_RESULT_SPARSE);
    g_assert_cmpuint(qnvvb_readl(c.d, NVVB_REG_PROBE_DMA_DONE), ==,
                     sizeof(buf));
    g_assert_cmpuint(qnvvb_readl(c.d, NVVB_REG_FAULT_COUNT), ==, 0);
}

/* Stale until invalidated, as on hardware; with tlb=off, never stale. */
static void check_tlb(void *obj, QGuestAllocator *alloc, bool tlb_on)
{
    Ctx c;
    uint64_t e;
    uint32_t st;

    ctx_init(&c, obj, alloc, NV_GMMU_APER_VID);
    g_assert_cmpuint(!!(qnvvb_readl(c.d, NVVB_REG_CAPS) & NVVB_CAP_TLB), ==,
                     tlb_on);
    g_assert_cmpuint(!!qnvvb_readl(c.d, NVVB_REG_TLB_CAPACITY), ==, tlb_on);

    e = qnvgmmu_map(&c.g, 0x7000, 12,
                    nv_gmmu_pte_encode(NV_GMMU_APER_VID, DATA_VRAM, 0, 0));
    st = qnvvb_translate(c.d, 0x7000, RD);
    g_assert_cmpuint(result(st), ==, NVVB_PROBE_RESULT_MAPPED);
    g_assert_false(st & NVVB_PROBE_STATUS_TLB_HIT);
    st = qnvvb_translate(c.d, 0x7000, RD);
    g_assert_cmpuint(!!(st & NVVB_PROBE_STATUS_TLB_HIT), ==, tlb_on);

    /* Remap without invalidating. */
    qnvgmmu_write64(&c.g, NV_GMMU_APER_VID, e,
                    nv_gmmu_pte_encode(NV_GMMU_APER_VID, DATA_VRAM + 0x1000,
                                       0, 0));
    st = qnvvb_translate(c.d, 0x7000, RD);
    g_assert_cmphex(qnvvb_probe_pa(c.d), ==,
                    tlb_on ? DATA_VRAM : DATA_VRAM + 0x1000);

    /* Invalidate another PDB: still stale. */
    qnvvb_writel(c.d, NVVB_REG_INVALIDATE_PDB,
                 ((c.g.pd3 + 0x1000) >> 12) << NVVB_INVALIDATE_PDB_ADDR_SHIFT);
    qnvvb_writel(c.d, NVVB_REG_INVALIDATE_UPPER_PDB, 0);
    qnvvb_writel(c.d, NVVB_REG_INVALIDATE, NVVB_INVALIDATE_TRIGGER |
                 NVVB_INVALIDATE_ALL_VA);
    st = qnvvb_translate(c.d, 0x7000, RD);
    g_assert_cmphex(qnvvb_probe_pa(c.d), ==,
                    tlb_on ? DATA_VRAM : DATA_VRAM + 0x1000);

    /* Invalidate this PDB, as nouveau's gp100_vmm_flush does: fresh. */
    qnvvb_writel(c.d, NVVB_REG_INVALIDATE_PDB,
                 (c.g.pd3 >> 12) << NVVB_INVALIDATE_PDB_ADDR_SHIFT);
    qnvvb_writel(c.d, NVVB_REG_INVALIDATE_UPPER_PDB, 0);
    qnvvb_writel(c.d, NVVB_REG_INVALIDATE, NVVB_INVALIDATE_TRIGGER |
                 (1u << NVVB_INVALIDATE_CACHE_LEVEL_SHIFT) |
                 NVVB_INVALIDATE_ALL_VA);
    g_assert_true(qnvvb_readl(c.d, NVVB_REG_MMU_CTRL) &
                  NVVB_MMU_CTRL_PRI_FIFO_EMPTY);
    st = qnvvb_translate(c.d, 0x7000, RD);
    g_assert_cmpuint(result(st), ==, NVVB_PROBE_RESULT_MAPPED);
    g_assert_cmphex(qnvvb_probe_pa(c.d), ==, DATA_VRAM + 0x1000);

    /* A permission change is seen only after the invalidate, too. */
    qnvgmmu_write64(&c.g, NV_GMMU_APER_VID, e,
                    nv_gmmu_pte_encode(NV_GMMU_APER_VID, DATA_VRAM + 0x1000,
                                       NV_GMMU_PTE_READ_ONLY, 0));
    st = qnvvb_translate(c.d, 0x7000, WR);
    g_assert_cmpuint(result(st), ==, tlb_on ? NVVB_PROBE_RESULT_MAPPED :
                     NVVB_PROBE_RESULT_FAULT);
    qnvvb_invalidate_all(c.d);
    st = qnvvb_translate(c.d, 0x7000, WR);
    g_assert_cmpuint(result(st), ==, NVVB_PROBE_RESULT_FAULT);
    g_assert_cmphex(fault_type(st), ==, NV_GMMU_FAULT_TYPE_RO_VIOLATION);
    g_assert_cmpuint(qnvvb_readl(c.d, NVVB_REG_TLB_INVALIDATES), ==, 3);
}

static void test_tlb(void *obj, void *data, QGuestAllocator *alloc)
{
    check_tlb(obj, alloc, true);
}

static void test_tlb_off(void *obj, void *data, QGuestAllocator *alloc)
{
    check_tlb(obj, alloc, false);
}

static void test_malformed(void *obj, void *data, QGuestAllocator *alloc)
{
    g_autoptr(GRand) rand = g_rand_new_with_seed(0x6e76);
    uint64_t e, sysbuf;
    Ctx c;
    uint32_t st;
    int i, j;

    ctx_init(&c, obj, alloc, NV_GMMU_APER_VID);
    sysbuf = ROUND_UP(guest_alloc(alloc, 0x2000), 0x1000);

    /* A PD2 entry pointing beyond VRAM: PDE fault at the next level. */
    e = qnvgmmu_entry(&c.g, NV_GMMU_LEVEL_PD3, 0x0);
    qnvgmmu_write64(&c.g, NV_GMMU_APER_VID, e,
                    nv_gmmu_pde_encode(NV_GMMU_APER_VID, c.d->vram_size, 0));
    expect_fault(&c, 0x1000, RD, NV_GMMU_FAULT_TYPE_PDE, c.g.pd3);
    /* A table in system memory above RAM: the DMA read fails, PDE fault. */
    qnvgmmu_write64(&c.g, NV_GMMU_APER_VID, e,
                    nv_gmmu_pde_encode(NV_GMMU_APER_SYS_COH,
                                       0x3ffffff000000ULL, 0));
    qnvvb_invalidate_all(c.d);
    expect_fault(&c, 0x1000, RD, NV_GMMU_FAULT_TYPE_PDE, c.g.pd3);

    /* A valid PTE beyond VRAM translates, but moving data fails cleanly. */
    qnvgmmu_write64(&c.g, NV_GMMU_APER_VID, e, 0);
    qnvgmmu_map(&c.g, 0x9000, 12,
                nv_gmmu_pte_encode(NV_GMMU_APER_VID, c.d->vram_size, 0, 0));
    qnvvb_invalidate_all(c.d);
    st = qnvvb_translate(c.d, 0x9000, RD);
    g_assert_cmpuint(result(st), ==, NVVB_PROBE_RESULT_MAPPED);
    st = qnvvb_dma(c.d, NVVB_PROBE_CMD_DMA_READ, 0x9000, sysbuf, 64, RD);
    g_assert_cmpuint(result(st), ==, NVVB_PROBE_RESULT_DMA_ERROR);
    g_assert_cmpuint(qnvvb_readl(c.d, NVVB_REG_PROBE_DMA_DONE), ==, 0);

    /*
     * Garbage in every field: fill a whole chain of tables with random
     * qwords and walk random VAs.  The device must answer each probe with a
     * defined result and keep working.
     */
    for (i = 0; i < 8; i++) {
        uint64_t t = qnvgmmu_alloc(&c.g, NV_GMMU_APER_VID, 0x1000);
        uint64_t words[512];

        for (j = 0; j < 512; j++) {
            /* Keep some entries pointing back into this VRAM area. */
            words[j] = ((uint64_t)g_rand_int(rand) << 32) | g_rand_int(rand);
            if (j & 1) {
                words[j] = (words[j] & ~NV_GMMU_PDE_ADDRESS_VID_MASK) |
                           (((TABLES_VRAM + (g_rand_int(rand) % 64) * 0x1000)
                             >> 4) & NV_GMMU_PDE_ADDRESS_VID_MASK);
            }
            words[j] = cpu_to_le64(words[j]);
        }
        qnvgmmu_memwrite(&c.g, NV_GMMU_APER_VID, t, words, sizeof(words));
        if (i == 0) {
            qnvvb_ctx_pdb(c.d, NV_GMMU_APER_VID, t);
        }
    }
    qnvvb_invalidate_all(c.d);
    for (i = 0; i < 300; i++) {
        uint64_t va = (((uint64_t)g_rand_int(rand) << 32) |
                       g_rand_int(rand)) & (NV_GMMU_VA_LIMIT - 1);
        uint32_t access = g_rand_int_range(rand, 0, 5);

        st = qnvvb_translate(c.d, va, access);
        g_assert_cmpuint(result(st), >=, NVVB_PROBE_RESULT_MAPPED);
        g_assert_cmpuint(result(st), <=, NVVB_PROBE_RESULT_FAULT);
        if (i % 10 == 0) {
            st = qnvvb_dma(c.d, NVVB_PROBE_CMD_DMA_READ, va, sysbuf, 0x1800,
                           RD);
            g_assert_cmpuint(result(st), >=, NVVB_PROBE_RESULT_MAPPED);
            g_assert_cmpuint(result(st), <=, NVVB_PROBE_RESULT_DMA_ERROR);
        }
    }
    g_assert_cmphex(qnvvb_readl(c.d, NVVB_REG_MAGIC), ==, NVVB_MAGIC_VALUE);
}

static void test_ring(void *obj, void *data, QGuestAllocator *alloc)
{
    Ctx c;
    FaultRec r;
    int i;

    ctx_init(&c, obj, alloc, NV_GMMU_APER_VID);
    ring_init(&c, 4);

    /* A ring of 4 holds 3 records; the 4th and 5th are dropped. */
    for (i = 0; i < 5; i++) {
        qnvvb_translate(c.d, 0x1000 * (i + 1), RD);
    }
    g_assert_cmpuint(qnvvb_readl(c.d, NVVB_REG_FAULT_COUNT), ==, 5);
    g_assert_cmpuint(qnvvb_readl(c.d, NVVB_REG_FAULT_DROPPED), ==, 2);
    g_assert_true(qnvvb_readl(c.d, NVVB_REG_FAULT_BUF_GET) &
                  NVVB_FAULT_BUF_OVERFLOW);
    g_assert_true(qnvvb_readl(c.d, NVVB_REG_FAULT_BUF_PUT) &
                  NVVB_FAULT_BUF_OVERFLOW);
    for (i = 0; i < 3; i++) {
        g_assert_true(ring_pop(&c, &r));
        g_assert_cmphex(r.addr, ==, 0x1000 * (i + 1));
    }
    g_assert_false(ring_pop(&c, &r));
    /* OVERFLOW stays until written 1 to GET. */
    g_assert_true(qnvvb_readl(c.d, NVVB_REG_FAULT_BUF_GET) &
                  NVVB_FAULT_BUF_OVERFLOW);
    qnvvb_writel(c.d, NVVB_REG_FAULT_BUF_GET,
                 qnvvb_readl(c.d, NVVB_REG_FAULT_BUF_GET));
    g_assert_false(qnvvb_readl(c.d, NVVB_REG_FAULT_BUF_GET) &
                   NVVB_FAULT_BUF_OVERFLOW);

    /* Wrap around: records keep coming in order. */
    for (i = 0; i < 6; i++) {
        qnvvb_translate(c.d, 0x100000 + 0x1000 * i, WR);
        g_assert_true(ring_pop(&c, &r));
        g_assert_cmphex(r.addr, ==, 0x100000 + 0x1000 * i);
        g_assert_cmpuint(r.access, ==, WR);
    }

    /* GET beyond SIZE: GETPTR_CORRUPTED, records dropped, device alive. */
    qnvvb_writel(c.d, NVVB_REG_FAULT_BUF_GET, 1000);
    g_assert_true(qnvvb_readl(c.d, NVVB_REG_FAULT_BUF_GET) &
                  NVVB_FAULT_BUF_GETPTR_CORRUPTED);
    i = qnvvb_readl(c.d, NVVB_REG_FAULT_DROPPED);
    qnvvb_translate(c.d, 0x1000, RD);
    g_assert_cmpuint(qnvvb_readl(c.d, NVVB_REG_FAULT_DROPPED), ==, i + 1);

    /* A ring outside guest RAM: the record is dropped, nothing breaks. */
    qnvvb_writel(c.d, NVVB_REG_FAULT_BUF_HI, 0x7fff);
    qnvvb_writel(c.d, NVVB_REG_FAULT_BUF_SIZE, 4 | NVVB_FAULT_BUF_SIZE_ENABLE);
    qnvvb_translate(c.d, 0x1000, RD);
    g_assert_cmpuint(qnvvb_readl(c.d, NVVB_REG_FAULT_DROPPED), ==, i + 2);
    g_assert_cmpuint(qnvvb_readl(c.d, NVVB_REG_FAULT_BUF_PUT) &
                     NVVB_FAULT_BUF_PTR_MASK, ==, 0);

    /* Disabled ring: dropped. SET_DEFAULT gives a usable size. */
    qnvvb_writel(c.d, NVVB_REG_FAULT_BUF_SIZE, 0);
    qnvvb_translate(c.d, 0x1000, RD);
    g_assert_cmpuint(qnvvb_readl(c.d, NVVB_REG_FAULT_DROPPED), ==, i + 3);
    qnvvb_writel(c.d, NVVB_REG_FAULT_BUF_SIZE, NVVB_FAULT_BUF_SIZE_SET_DEFAULT);
    g_assert_cmpuint(qnvvb_readl(c.d, NVVB_REG_FAULT_BUF_SIZE) &
                     NVVB_FAULT_BUF_SIZE_VAL_MASK, ==,
                     NVVB_FAULT_BUF_DEFAULT_ENTRIES);
}

static void test_bad_probe(void *obj, void *data, QGuestAllocator *alloc)
{
    uint64_t sysbuf;
    Ctx c;
    uint32_t st;

    ctx_init(&c, obj, alloc, NV_GMMU_APER_VID);
    sysbuf = ROUND_UP(guest_alloc(alloc, 0x2000), 0x1000);
    qnvgmmu_map(&c.g, 0x1000, 12,
                nv_gmmu_pte_encode(NV_GMMU_APER_VID, DATA_VRAM, 0, 0));

    st = qnvvb_dma(c.d, NVVB_PROBE_CMD_DMA_READ, 0x1000, sysbuf, 0, RD);
    g_assert_cmpuint(result(st), ==, NVVB_PROBE_RESULT_BAD_CMD);
    st = qnvvb_dma(c.d, NVVB_PROBE_CMD_DMA_READ, 0x1000, sysbuf,
                   NVVB_PROBE_DMA_MAX + 1, RD);
    g_assert_cmpuint(result(st), ==, NVVB_PROBE_RESULT_BAD_CMD);
    st = qnvvb_dma(c.d, 0x77, 0x1000, sysbuf, 16, RD);
    g_assert_cmpuint(result(st), ==, NVVB_PROBE_RESULT_BAD_CMD);
    st = qnvvb_translate(c.d, 0x1000, 0xe);     /* no such access type */
    g_assert_cmpuint(result(st), ==, NVVB_PROBE_RESULT_BAD_CMD);
    /* VA range wrapping around 2^64. */
    st = qnvvb_dma(c.d, NVVB_PROBE_CMD_DMA_READ, UINT64_MAX - 8, sysbuf, 64,
                   RD);
    g_assert_cmpuint(result(st), ==, NVVB_PROBE_RESULT_BAD_CMD);
    /* System memory that does not exist. */
    st = qnvvb_dma(c.d, NVVB_PROBE_CMD_DMA_READ, 0x1000, 0x7fff00000000ULL,
                   64, RD);
    g_assert_cmpuint(result(st), ==, NVVB_PROBE_RESULT_DMA_ERROR);
    st = qnvvb_dma(c.d, NVVB_PROBE_CMD_DMA_WRITE, 0x1000, 0x7fff00000000ULL,
                   64, WR);
    g_assert_cmpuint(result(st), ==, NVVB_PROBE_RESULT_DMA_ERROR);
    /* None of that faulted the GMMU. */
    g_assert_cmpuint(qnvvb_readl(c.d, NVVB_REG_FAULT_COUNT), ==, 0);
    st = qnvvb_translate(c.d, 0x1000, RD);
    g_assert_cmpuint(result(st), ==, NVVB_PROBE_RESULT_MAPPED);
}

static void test_monitor(void *obj, void *data, QGuestAllocator *alloc)
{
    Ctx c;
    QDict *rsp, *ret, *m;
    QList *list, *steps;
    g_autofree char *hmp = NULL;
    g_autofree char *cmd = NULL;

    ctx_init(&c, obj, alloc, NV_GMMU_APER_VID);
    /* Two adjacent 4 KiB pages, physically contiguous: one range. */
    qnvgmmu_map(&c.g, 0x200000, 12,
                nv_gmmu_pte_encode(NV_GMMU_APER_VID, DATA_VRAM, 0, 5));
    qnvgmmu_map(&c.g, 0x201000, 12,
                nv_gmmu_pte_encode(NV_GMMU_APER_VID, DATA_VRAM + 0x1000, 0, 5));
    qnvgmmu_map(&c.g, 0x400000, 21,
                nv_gmmu_pte_encode(NV_GMMU_APER_SYS_COH, 0x40000000,
                                   NV_GMMU_PTE_READ_ONLY, 0));
    qnvgmmu_map(&c.g, 0x800000, 12, nv_gmmu_pte_sparse());

    rsp = qtest_qmp(c.qts, "{ 'execute': 'x-nv-vmbind-translate', "
                    "'arguments': { 'id': 'gpu0', 'pdb': %" PRIu64 ", "
                    "'va': %" PRIu64 ", 'access': 'write' } }",
                    c.g.pd3, (uint64_t)0x201abc);
    ret = qdict_get_qdict(rsp, "return");
    g_assert_nonnull(ret);
    g_assert_cmpstr(qdict_get_str(ret, "status"), ==, "mapped");
    g_assert_cmpstr(qdict_get_str(ret, "aperture"), ==, "vid");
    g_assert_cmphex(qdict_get_int(ret, "address"), ==, DATA_VRAM + 0x1abc);
    g_assert_cmpuint(qdict_get_int(ret, "page-size"), ==, 0x1000);
    g_assert_cmpuint(qdict_get_int(ret, "kind"), ==, 5);
    steps = qdict_get_qlist(ret, "steps");
    g_assert_cmpuint(qlist_size(steps), ==, 5);  /* PD3 PD2 PD1 PD0 PT */
    qobject_unref(rsp);

    rsp = qtest_qmp(c.qts, "{ 'execute': 'x-nv-vmbind-translate', "
                    "'arguments': { 'id': 'gpu0', 'pdb': %" PRIu64 ", "
                    "'va': %" PRIu64 ", 'access': 'write' } }",
                    c.g.pd3, (uint64_t)0x400000);
    ret = qdict_get_qdict(rsp, "return");
    g_assert_cmpstr(qdict_get_str(ret, "status"), ==, "fault");
    g_assert_cmpstr(qdict_get_str(ret, "fault"), ==, "RO_VIOLATION");
    qobject_unref(rsp);
    /* Introspection raises no fault records. */
    g_assert_cmpuint(qnvvb_readl(c.d, NVVB_REG_FAULT_COUNT), ==, 0);

    rsp = qtest_qmp(c.qts, "{ 'execute': 'x-nv-vmbind-query-mappings', "
                    "'arguments': { 'id': 'gpu0', 'pdb': %" PRIu64 " } }",
                    c.g.pd3);
    ret = qdict_get_qdict(rsp, "return");
    g_assert_true(qdict_get_bool(ret, "complete"));
    list = qdict_get_qlist(ret, "mappings");
    g_assert_cmpuint(qlist_size(list), ==, 3);
    m = qobject_to(QDict, qlist_pop(list));
    g_assert_cmphex(qdict_get_int(m, "va"), ==, 0x200000);
    g_assert_cmphex(qdict_get_int(m, "size"), ==, 0x2000);
    g_assert_cmphex(qdict_get_int(m, "address"), ==, DATA_VRAM);
    qobject_unref(m);
    m = qobject_to(QDict, qlist_pop(list));
    g_assert_cmphex(qdict_get_int(m, "va"), ==, 0x400000);
    g_assert_cmphex(qdict_get_int(m, "size"), ==, 0x200000);
    g_assert_cmpstr(qdict_get_str(m, "aperture"), ==, "sys");
    qobject_unref(m);
    m = qobject_to(QDict, qlist_pop(list));
    g_assert_true(qdict_get_bool(m, "sparse"));
    qobject_unref(m);
    qobject_unref(rsp);

    /* Errors are errors, not crashes. */
    rsp = qtest_qmp(c.qts, "{ 'execute': 'x-nv-vmbind-translate', "
                    "'arguments': { 'id': 'nope', 'pdb': 0, 'va': 0 } }");
    g_assert_true(qdict_haskey(rsp, "error"));
    qobject_unref(rsp);
    rsp = qtest_qmp(c.qts, "{ 'execute': 'x-nv-vmbind-translate', "
                    "'arguments': { 'id': 'gpu0', 'pdb': 4095, 'va': 0 } }");
    g_assert_true(qdict_haskey(rsp, "error"));
    qobject_unref(rsp);

    cmd = g_strdup_printf("info nv-vmbind gpu0 vid:0x%" PRIx64, c.g.pd3);
    hmp = qtest_hmp(c.qts, "%s", cmd);
    g_assert_nonnull(strstr(hmp, "0x000000200000-0x000000201fff vid 0x1000000 "
                            "4k kind=0x05"));
    g_assert_nonnull(strstr(hmp, "0x000000800000-0x000000800fff sparse"));
}

static void nv_vmbind_gmmu_register_tests(void)
{
    QOSGraphTestOptions tlb_off = {
        .edge.extra_device_opts = "tlb=off",
    };

    qos_add_test("gmmu/translate-vram-tables", "nv-vmbind",
                 test_translate_vram, NULL);
    qos_add_test("gmmu/translate-sysmem-tables", "nv-vmbind",
                 test_translate_sysmem, NULL);
    qos_add_test("gmmu/instance-block", "nv-vmbind", test_instance_block,
                 NULL);
    qos_add_test("gmmu/dma", "nv-vmbind", test_dma, NULL);
    qos_add_test("gmmu/faults", "nv-vmbind", test_faults, NULL);
    qos_add_test("gmmu/sparse", "nv-vmbind", test_sparse, NULL);
    qos_add_test("gmmu/tlb-stale-until-invalidate", "nv-vmbind", test_tlb,
                 NULL);
    qos_add_test("gmmu/tlb-off", "nv-vmbind", test_tlb_off, &tlb_off);
    qos_add_test("gmmu/malformed-tables", "nv-vmbind", test_malformed, NULL);
    qos_add_test("gmmu/fault-ring", "nv-vmbind", test_ring, NULL);
    qos_add_test("gmmu/bad-probe", "nv-vmbind", test_bad_probe, NULL);
    qos_add_test("gmmu/monitor", "nv-vmbind", test_monitor, NULL);
}

libqos_init(nv_vmbind_gmmu_register_tests);
