/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * qtests for nv-vmbind-gp107: the register model nouveau relies on, the
 * PROM VBIOS, the PRAMIN window, BAR3/BAR1 translation through page tables
 * built here (4 KiB, 64 KiB, 2 MiB; VRAM and system memory; 1/2/4/8-byte
 * accesses), TLB semantics, invalidates feeding the live-PDB set, QMP, and
 * the x-corrupt-pte test mode.  The qtest plays the driver, as in
 * iommu-testdev: tables are built in device memory through PRAMIN.
 *
 * The libqos node "nv-vmbind-gp107" is defined here: small BARs
 * (bar1-size/bar3-size 16 MiB, 32 MiB VRAM) so they fit the PC bus window.
 *
 * Copyright (c) 2026 The nv-vmbind authors
 */

#include "qemu/osdep.h"
#include "libqtest.h"
#include "qemu/module.h"
#include "qemu/bswap.h"
#include "qobject/qdict.h"
#include "qobject/qlist.h"
#include "libqos/qgraph.h"
#include "libqos/pci.h"
#include "standard-headers/linux/pci_regs.h"
#include "hw/display/nv-gp107.h"
#include "hw/display/nv-gmmu-ver2.h"
#include "nv-vmbind/gp107.h"
#include "nv-vmbind/gp107-tree.h"





/* ---- a small VER2 tree in VRAM ---- */

#define PAGE4K      0x200000    /* VA 0x0000 */
#define PAGE64K     0x300000    /* VA 0x10000 */
#define PAGE2M      0x400000    /* VA 0x200000 */

/*
 * VA 0x0000 -> VRAM PAGE4K, VA 0x1000 -> system memory @sys, VA 0x10000 ->
 * VRAM PAGE64K (64 KiB page), VA 0x200000 -> VRAM PAGE2M (2 MiB page);
 * everything else unmapped.
 */
static void tree_wr64(void *g, uint64_t addr, uint64_t val)
{
    vram_wr64(g, addr, val);
}

static void build_tree(QGp107 *g, uint64_t sys)
{
    uint64_t a;

    for (a = GP107_TREE_INST; a < GP107_TREE_END; a += 4) {
        vram_wr32(g, a, 0);
    }
    gp107_tree_build(tree_wr64, g, g->bar3_size - 1);
    /* GP107_TREE_PD0[1]: a 2 MiB PTE. */
    vram_wr64(g, GP107_TREE_PD0 + 16,
              nv_gmmu_pte_encode(NV_GMMU_APER_VID, PAGE2M, 0, 0));
    vram_wr64(g, GP107_TREE_SPT,
              nv_gmmu_pte_encode(NV_GMMU_APER_VID, PAGE4K, 0, 0));
    vram_wr64(g, GP107_TREE_SPT + 8,
              nv_gmmu_pte_encode(NV_GMMU_APER_SYS_COH, sys,
                                 NV_GMMU_PTE_VOL, 0));
    vram_wr64(g, GP107_TREE_LPT + 8,
              nv_gmmu_pte_encode(NV_GMMU_APER_VID, PAGE64K, 0, 0));
}

static void invalidate(QGp107 *g, uint64_t pdb, uint32_t type)
{
    g_assert_cmphex(rd(g, NV_PFB_MMU_CTRL) & 0x00ff0000, !=, 0);
    wr(g, NV_PFB_MMU_INVALIDATE_PDB, (uint32_t)((pdb >> 12) << 4));
    wr(g, NV_PFB_MMU_INVALIDATE_UPPER_PDB, (uint32_t)((pdb >> 12) >> 28));
    wr(g, NV_PFB_MMU_INVALIDATE, 0x80000000 | type);
    g_assert_cmphex(rd(g, NV_PFB_MMU_CTRL) & NV_PFB_MMU_CTRL_PRI_FIFO_EMPTY,
                    !=, 0);
}

static void bind_bar3(QGp107 *g)
{
    wr(g, NV_PBUS_BAR2_BLOCK,
       NV_PBUS_BLOCK_MODE_VIRTUAL | (GP107_TREE_INST >> 12));
    g_assert_cmphex(rd(g, NV_PBUS_BIND_STATUS), ==, 0);
}

static QDict *query_pdbs(QTestState *qts, bool mappings)
{
    QDict *rsp = qtest_qmp(qts, "{ 'execute': 'x-nv-vmbind-query-pdbs', "
                           "'arguments': { 'id': 'gp0', 'mappings': %i } }",
                           mappings);

    g_assert(qdict_haskey(rsp, "return"));
    return rsp;
}

/* ---- tests ---- */

static void test_ident(void *obj, void *data, QGuestAllocator *alloc)
{
    QGp107 *g = obj;

    g_assert_cmphex(qpci_config_readw(&g->dev, PCI_VENDOR_ID), ==, 0x10de);
    g_assert_cmphex(qpci_config_readw(&g->dev, PCI_DEVICE_ID), ==, 0x1c82);
    g_assert_cmphex(qpci_config_readw(&g->dev, PCI_CLASS_DEVICE), ==, 0x0302);
    g_assert_cmphex(qpci_config_readb(&g->dev, PCI_INTERRUPT_PIN), ==, 1);
    g_assert_cmphex(rd(g, NV_PMC_BOOT_0), ==, NV_PMC_BOOT_0_GP107);
    g_assert_cmphex(rd(g, NV_PMC_BOOT_1), ==, 0);
    g_assert_cmphex(rd(g, NV_PMC_ENABLE), ==, 0xffffffff);
    g_assert_cmphex(rd(g, NV_PTOP_SCRATCH1) & 2, ==, 2);
    g_assert_cmphex(rd(g, NV_PFIFO_REPLAY_FAULT_BUFFER_SIZE), ==, 0xc0);
    /* 32 MiB: LOWER_MAG 1, LOWER_SCALE 5 */
    g_assert_cmphex(rd(g, NV_PFB_MMU_LOCAL_MEMORY_RANGE), ==, 0x15);
    g_assert_cmphex(rd(g, NV_FUSE_DISP_DISABLE), ==, 1);
    g_assert_cmphex(rd(g, NV_PTOP_DEVICE_INFO(10)), ==, 0);
    /* The config mirror reads config space. */
    g_assert_cmphex(rd(g, NV_XVE_BASE), ==, 0x1c8210de);
    /* RW, RO and W1C behaviour. */
    wr(g, NV_PFB_NISO_FLUSH_SYSMEM_ADDR, 0x12345);
    g_assert_cmphex(rd(g, NV_PFB_NISO_FLUSH_SYSMEM_ADDR), ==, 0x12345);
    wr(g, NV_PMC_BOOT_0, 0);
    g_assert_cmphex(rd(g, NV_PMC_BOOT_0), ==, NV_PMC_BOOT_0_GP107);
    wr(g, NV_PMC_INTR_EN_SET(0), 0x5b342200);
    wr(g, NV_PMC_INTR_EN_CLEAR(0), 0x00000200);
    g_assert_cmphex(rd(g, NV_PMC_INTR_EN_SET(0)), ==, 0x5b342000);
    g_assert_cmphex(rd(g, NV_PMC_INTR(0)), ==, 0);
    /* MMU_CTRL: status bits fixed, config bits stored. */
    wr(g, NV_PFB_MMU_CTRL, 0x1801);
    g_assert_cmphex(rd(g, NV_PFB_MMU_CTRL), ==, 0x00209801);
    /* VGA CRTC: 8-bit index, data reads 0. */
    qpci_io_writeb(&g->dev, g->bar0, NV_PRMVIO_CRTC_INDEX, 0x1f);
    g_assert_cmphex(qpci_io_readb(&g->dev, g->bar0, NV_PRMVIO_CRTC_INDEX), ==,
                    0x1f);
    g_assert_cmphex(qpci_io_readb(&g->dev, g->bar0, NV_PRMVIO_CRTC_DATA), ==,
                    0);
}

/* PTIMER advances between any two reads and can be set. */
static void test_ptimer(void *obj, void *data, QGuestAllocator *alloc)
{
    QGp107 *g = obj;
    uint32_t a, b;
    uint64_t t;

    a = rd(g, NV_PTIMER_TIME_0);
    b = rd(g, NV_PTIMER_TIME_0);
    g_assert_cmpuint(a, !=, b);
    wr(g, NV_PTIMER_TIME_1, 0x12);
    wr(g, NV_PTIMER_TIME_0, 0x34000000);
    t = (uint64_t)rd(g, NV_PTIMER_TIME_1) << 32;
    t |= rd(g, NV_PTIMER_TIME_0);
    g_assert_cmphex(t, >=, 0x1234000000ULL);
    g_assert_cmphex(t, <, 0x1234000000ULL + 1000000000ULL);
}

/* Unknown registers read 0, ignore writes and are counted. */
static void test_unhandled(void *obj, void *data, QGuestAllocator *alloc)
{
    QGp107 *g = obj;
    QTestState *qts = g->dev.bus->qts;
    QDict *rsp = query_pdbs(qts, false);
    int64_t before = qdict_get_int(qdict_get_qdict(rsp, "return"),
                                   "unhandled");

    qobject_unref(rsp);
    g_assert_cmphex(rd(g, 0x10a040), ==, 0);      /* PMU falcon */
    wr(g, 0x10a040, 0x5000);
    g_assert_cmphex(rd(g, 0x10a040), ==, 0);
    g_assert_cmphex(rd(g, 0xfffffc), ==, 0);
    rsp = query_pdbs(qts, false);
    g_assert_cmpint(qdict_get_int(qdict_get_qdict(rsp, "return"),
                                  "unhandled"), ==, before + 4);
    qobject_unref(rsp);
}

/* PROM serves the generated VBIOS as nouveau reads it. */
static void test_prom(void *obj, void *data, QGuestAllocator *alloc)
{
    QGp107 *g = obj;
    uint8_t img[4096], sum = 0;
    unsigned i;

    for (i = 0; i < sizeof(img); i += 4) {
        uint32_t v = rd(g, NV_PROM_BASE + i);

        memcpy(img + i, &v, 4);
    }
    g_assert_cmphex(img[0] | img[1] << 8, ==, 0xaa55);
    g_assert_cmpmem(img + 0x40, 4, "PCIR", 4);
    g_assert_nonnull(memmem(img, sizeof(img), "\xff\xb8" "BIT", 5));
    for (i = 0; i < sizeof(img); i++) {
        sum += img[i];
    }
    g_assert_cmpuint(sum, ==, 0);
    g_assert_cmphex(rd(g, NV_PROM_BASE) , !=, 0x4947564e);   /* not IFR */
    g_assert_cmphex(rd(g, NV_PROM_BASE + 0x1000), ==, 0);
    g_assert_cmphex(qpci_io_readb(&g->dev, g->bar0, NV_PROM_BASE + 1), ==,
                    0xaa);
}

/* PRAMIN: the window base selects VRAM; beyond VRAM reads 0. */
static void test_pramin(void *obj, void *data, QGuestAllocator *alloc)
{
    QGp107 *g = obj;

    vram_wr32(g, 0x100010, 0xcafe0001);
    vram_wr32(g, 0x000010, 0xcafe0002);
    g_assert_cmphex(vram_rd32(g, 0x100010), ==, 0xcafe0001);
    g_assert_cmphex(vram_rd32(g, 0x000010), ==, 0xcafe0002);
    wr(g, NV_PBUS_BAR0_WINDOW, 0x10);
    g_assert_cmphex(rd(g, NV_PBUS_BAR0_WINDOW), ==, 0x10);
    g_assert_cmphex(rd(g, NV_PRAMIN_BASE + 0x10), ==, 0xcafe0001);
    /* 32 MiB of VRAM: 0x2000000 and up does not exist. */
    wr(g, NV_PBUS_BAR0_WINDOW, 0x200);
    wr(g, NV_PRAMIN_BASE, 0x1234);
    g_assert_cmphex(rd(g, NV_PRAMIN_BASE), ==, 0);
}

/* BAR3 through the instance block of 0x1714: every page size, sizes. */
static void test_bar3(void *obj, void *data, QGuestAllocator *alloc)
{
    QGp107 *g = obj;
    QTestState *qts = g->dev.bus->qts;
    uint64_t sys = ROUND_UP(guest_alloc(alloc, 0x2000), 0x1000);
    uint8_t buf[8];

    /* Unbound: reads 0, writes dropped. */
    g_assert_cmphex(qpci_io_readl(&g->dev, g->bar3, 0), ==, 0);
    build_tree(g, sys);
    vram_wr32(g, PAGE4K, 0x11111111);
    bind_bar3(g);
    g_assert_cmphex(rd(g, NV_PBUS_BAR2_BLOCK), ==,
                    NV_PBUS_BLOCK_MODE_VIRTUAL | (GP107_TREE_INST >> 12));
    g_assert_cmphex(qpci_io_readl(&g->dev, g->bar3, 0), ==, 0x11111111);

    /* 1, 2, 4, 8-byte accesses on a 4 KiB VRAM page. */
    qpci_io_writeb(&g->dev, g->bar3, 0x101, 0xab);
    qpci_io_writew(&g->dev, g->bar3, 0x102, 0xcdef);
    qpci_io_writel(&g->dev, g->bar3, 0x104, 0x01234567);
    qpci_io_writeq(&g->dev, g->bar3, 0x108, 0x8877665544332211ULL);
    g_assert_cmphex(vram_rd32(g, PAGE4K + 0x100), ==, 0xcdefab00);
    g_assert_cmphex(vram_rd32(g, PAGE4K + 0x104), ==, 0x01234567);
    g_assert_cmphex(vram_rd32(g, PAGE4K + 0x108), ==, 0x44332211);
    g_assert_cmphex(qpci_io_readq(&g->dev, g->bar3, 0x108), ==,
                    0x8877665544332211ULL);
    g_assert_cmphex(qpci_io_readw(&g->dev, g->bar3, 0x102), ==, 0xcdef);
    g_assert_cmphex(qpci_io_readb(&g->dev, g->bar3, 0x101), ==, 0xab);

    /* System memory page. */
    qpci_io_writel(&g->dev, g->bar3, 0x1010, 0x5a5a0001);
    qtest_memread(qts, sys + 0x10, buf, 4);
    g_assert_cmphex(ldl_le_p(buf), ==, 0x5a5a0001);
    stl_le_p(buf, 0x5a5a0002);
    qtest_memwrite(qts, sys + 0x20, buf, 4);
    g_assert_cmphex(qpci_io_readl(&g->dev, g->bar3, 0x1020), ==, 0x5a5a0002);

    /* 64 KiB page: VA 0x10000 + 0xfff0 is PAGE64K + 0xfff0. */
    qpci_io_writel(&g->dev, g->bar3, 0x1fff0, 0x64646464);
    g_assert_cmphex(vram_rd32(g, PAGE64K + 0xfff0), ==, 0x64646464);
    /* 2 MiB page: VA 0x200000 + 0x1ffff0. */
    qpci_io_writel(&g->dev, g->bar3, 0x3ffff0, 0x22222222);
    g_assert_cmphex(vram_rd32(g, PAGE2M + 0x1ffff0), ==, 0x22222222);

    /* Unmapped VA: reads 0, writes go nowhere. */
    qpci_io_writel(&g->dev, g->bar3, 0x3000, 0xdeadbeef);
    g_assert_cmphex(qpci_io_readl(&g->dev, g->bar3, 0x3000), ==, 0);
}

/* The TLB keeps a translation until an invalidate names its PDB. */
static void test_tlb_and_pdbs(void *obj, void *data, QGuestAllocator *alloc)
{
    QGp107 *g = obj;
    QTestState *qts = g->dev.bus->qts;
    uint64_t sys = ROUND_UP(guest_alloc(alloc, 0x2000), 0x1000);
    QDict *rsp, *ret;
    QList *pdbs;
    const QListEntry *e;
    bool seen_bar2 = false, seen_user = false;

    build_tree(g, sys);
    vram_wr32(g, PAGE4K, 0xaaaa0001);
    vram_wr32(g, PAGE64K, 0xaaaa0002);
    bind_bar3(g);
    g_assert_cmphex(qpci_io_readl(&g->dev, g->bar3, 0), ==, 0xaaaa0001);
    /* Point VA 0 at PAGE64K without invalidating: the TLB still hits. */
    vram_wr64(g, GP107_TREE_SPT,
              nv_gmmu_pte_encode(NV_GMMU_APER_VID, PAGE64K, 0, 0));
    g_assert_cmphex(qpci_io_readl(&g->dev, g->bar3, 0), ==, 0xaaaa0001);
    /* An invalidate of another PDB leaves it. */
    invalidate(g, 0x1f0000, 1);
    g_assert_cmphex(qpci_io_readl(&g->dev, g->bar3, 0), ==, 0xaaaa0001);
    invalidate(g, GP107_TREE_PD3, 5);
    g_assert_cmphex(qpci_io_readl(&g->dev, g->bar3, 0), ==, 0xaaaa0002);

    rsp = query_pdbs(qts, true);
    ret = qdict_get_qdict(rsp, "return");
    g_assert_cmpint(qdict_get_int(ret, "invalidates"), >=, 2);
    pdbs = qdict_get_qlist(ret, "pdbs");
    QLIST_FOREACH_ENTRY(pdbs, e) {
        QDict *p = qobject_to(QDict, qlist_entry_obj(e));
        const char *role = qdict_get_str(p, "role");

        if ((uint64_t)qdict_get_int(p, "pdb") == GP107_TREE_PD3) {
            g_assert_cmpstr(role, ==, "bar2");
            g_assert_nonnull(qdict_get_qlist(p, "mappings"));
            seen_bar2 = true;
        }
        if ((uint64_t)qdict_get_int(p, "pdb") == 0x1f0000) {
            g_assert_cmpstr(role, ==, "user");
            seen_user = true;
        }
    }
    g_assert_true(seen_bar2 && seen_user);
    qobject_unref(rsp);

    /* x-nv-vmbind-read through the BAR2 PDB, and a fault. */
    rsp = qtest_qmp(qts, "{ 'execute': 'x-nv-vmbind-read', 'arguments': "
                    "{ 'id': 'gp0', 'pdb': %u, 'va': 0, 'size': 4 } }",
                    GP107_TREE_PD3);
    g_assert_cmpstr(qdict_get_str(qdict_get_qdict(rsp, "return"), "data"),
                    ==, "AgCqqg==");    /* 02 00 aa aa */
    qobject_unref(rsp);
    rsp = qtest_qmp(qts, "{ 'execute': 'x-nv-vmbind-read', 'arguments': "
                    "{ 'id': 'gp0', 'pdb': %u, 'va': 12288, 'size': 4 } }",
                    GP107_TREE_PD3);
    g_assert(qdict_haskey(rsp, "error"));
    qobject_unref(rsp);
    rsp = qtest_qmp(qts, "{ 'execute': 'x-nv-vmbind-translate', 'arguments': "
                    "{ 'id': 'gp0', 'pdb': %u, 'va': 2097152 } }",
                    GP107_TREE_PD3);
    ret = qdict_get_qdict(rsp, "return");
    g_assert_cmpstr(qdict_get_str(ret, "status"), ==, "mapped");
    g_assert_cmpint(qdict_get_int(ret, "page-size"), ==, 2 * 1024 * 1024);
    qobject_unref(rsp);
}

/* x-corrupt-pte=1: the first PTE a user VMM writes through BAR3 moves. */
/*
 * The guest chooses the PDBs and what they map: the walks of all PDBs in
 * one query-pdbs answer share one bound (max-qmp-entries=1 here).
 */
static void test_qmp_bound(void *obj, void *data, QGuestAllocator *alloc)
{
    QGp107 *g = obj;
    QTestState *qts = g->dev.bus->qts;
    uint64_t sys = ROUND_UP(guest_alloc(alloc, 0x2000), 0x1000);
    QDict *rsp;
    QList *pdbs, *maps;
    const QListEntry *e, *m;
    int nmaps = 0, incomplete = 0;

    build_tree(g, sys);
    bind_bar3(g);
    invalidate(g, GP107_TREE_PD3, 5);
    /* build_tree maps several ranges: only the first fits the answer. */
    rsp = query_pdbs(qts, true);
    pdbs = qdict_get_qlist(qdict_get_qdict(rsp, "return"), "pdbs");
    QLIST_FOREACH_ENTRY(pdbs, e) {
        QDict *p = qobject_to(QDict, qlist_entry_obj(e));

        maps = qdict_get_qlist(p, "mappings");
        if (maps) {
            QLIST_FOREACH_ENTRY(maps, m) {
                nmaps++;
            }
        }
        if (qdict_haskey(p, "complete") && !qdict_get_bool(p, "complete")) {
            incomplete++;
        }
    }
    g_assert_cmpint(nmaps, ==, 1);
    g_assert_cmpint(incomplete, >=, 1);
    qobject_unref(rsp);
}

static void test_corrupt_pte(void *obj, void *data, QGuestAllocator *alloc)
{
    QGp107 *g = obj;
    QTestState *qts = g->dev.bus->qts;
    uint64_t sys = ROUND_UP(guest_alloc(alloc, 0x2000), 0x1000);
    uint64_t pte = nv_gmmu_pte_encode(NV_GMMU_APER_VID, 0x500000, 0, 0);
    QDict *rsp, *ret;

    build_tree(g, sys);
    bind_bar3(g);
    /*
     * A "user" page table at VRAM PAGE64K, written through BAR3 (VA
     * 0x10000 maps it), then an invalidate naming a user PDB.
     */
    qpci_io_writel(&g->dev, g->bar3, 0x10000 + 0x40, (uint32_t)pte);
    qpci_io_writel(&g->dev, g->bar3, 0x10000 + 0x44, pte >> 32);
    rsp = query_pdbs(qts, false);
    g_assert_false(qdict_haskey(qdict_get_qdict(rsp, "return"),
                                "corrupted-pte"));
    qobject_unref(rsp);
    invalidate(g, 0x1f0000, 1);
    g_assert_cmphex(vram_rd32(g, PAGE64K + 0x40), ==,
                    (uint32_t)pte ^ (1u << 8));
    rsp = query_pdbs(qts, false);
    ret = qdict_get_qdict(rsp, "return");
    g_assert_cmphex(qdict_get_int(ret, "corrupted-pte"), ==, PAGE64K + 0x40);
    g_assert_cmphex(qdict_get_int(ret, "corrupted-pdb"), ==, 0x1f0000);
    qobject_unref(rsp);
    /* Only one. */
    qpci_io_writel(&g->dev, g->bar3, 0x10000 + 0x48, (uint32_t)pte);
    invalidate(g, 0x1f0000, 1);
    g_assert_cmphex(vram_rd32(g, PAGE64K + 0x48), ==, (uint32_t)pte);
}

/* ---- libqos node ---- */

static void *gp107_get_driver(void *obj, const char *interface)
{
    QGp107 *g = obj;

    if (!g_strcmp0(interface, "pci-device")) {
        return &g->dev;
    }
    g_assert_not_reached();
}

static void gp107_start_hw(QOSGraphObject *obj)
{
    qpci_device_enable(&((QGp107 *)obj)->dev);
}

static void gp107_destructor(QOSGraphObject *obj)
{
    QGp107 *g = (QGp107 *)obj;

    qpci_iounmap(&g->dev, g->bar0);
    qpci_iounmap(&g->dev, g->bar1);
    qpci_iounmap(&g->dev, g->bar3);
}

static void *gp107_create(void *pci_bus, QGuestAllocator *alloc, void *addr)
{
    QGp107 *g = g_new0(QGp107, 1);

    qpci_device_init(&g->dev, pci_bus, addr);
    g->bar0 = qpci_iomap(&g->dev, NV_GP107_BAR_REGS, &g->bar0_size);
    g->bar1 = qpci_iomap(&g->dev, NV_GP107_BAR_FB, &g->bar1_size);
    g->bar3 = qpci_iomap(&g->dev, NV_GP107_BAR_INST, &g->bar3_size);
    g->obj.get_driver = gp107_get_driver;
    g->obj.start_hw = gp107_start_hw;
    g->obj.destructor = gp107_destructor;
    return &g->obj;
}

static void gp107_register_nodes(void)
{
    QPCIAddress addr = {
        .vendor_id = NV_GP107_PCI_VENDOR_ID,
        .device_id = NV_GP107_PCI_DEVICE_ID,
        .devfn = QPCI_DEVFN(5, 0),
    };
    QOSGraphEdgeOptions opts = {
        .extra_device_opts = "addr=05.0,id=gp0,vram-size=32M,"
                             "bar1-size=16M,bar3-size=16M",
    };

    add_qpci_address(&opts, &addr);
    qos_node_create_driver(TYPE_NV_GP107, gp107_create);
    qos_node_consumes(TYPE_NV_GP107, "pci-bus", &opts);
    qos_node_produces(TYPE_NV_GP107, "pci-device");
}
libqos_init(gp107_register_nodes);

static void register_tests(void)
{
    static QOSGraphTestOptions corrupt = {
        .edge.extra_device_opts = "x-corrupt-pte=1",
    };
    static QOSGraphTestOptions qmp_bound = {
        .edge.extra_device_opts = "max-qmp-entries=1",
    };

    qos_add_test("nv-vmbind/ident", TYPE_NV_GP107, test_ident, NULL);
    qos_add_test("nv-vmbind/ptimer", TYPE_NV_GP107, test_ptimer, NULL);
    qos_add_test("nv-vmbind/unhandled", TYPE_NV_GP107, test_unhandled, NULL);
    qos_add_test("nv-vmbind/prom", TYPE_NV_GP107, test_prom, NULL);
    qos_add_test("nv-vmbind/pramin", TYPE_NV_GP107, test_pramin, NULL);
    qos_add_test("nv-vmbind/bar3", TYPE_NV_GP107, test_bar3, NULL);
    qos_add_test("nv-vmbind/tlb-pdbs", TYPE_NV_GP107, test_tlb_and_pdbs,
                 NULL);
    qos_add_test("nv-vmbind/corrupt-pte", TYPE_NV_GP107, test_corrupt_pte,
                 &corrupt);
    qos_add_test("nv-vmbind/qmp-bound", TYPE_NV_GP107, test_qmp_bound,
                 &qmp_bound);
}
libqos_init(register_tests);
