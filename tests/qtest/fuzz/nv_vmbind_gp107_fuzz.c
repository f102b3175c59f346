/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * QEMU fuzz target "nv-vmbind-gp107-bar": the guest-facing memory paths of
 * nv-vmbind-gp107 (hw/display/nv-vmbind/gp107/: regs.c, fifo.c, mmu.c,
 * device.c) driven by a structured sequence of accesses instead of
 * generic-fuzz's raw ones, so that BAR1/BAR3 translations hit real tables.
 *
 * Each input starts from a fresh reset and zeroed VRAM (which outlives
 * resets, as on hardware) with a small VER2 tree written
 * through PRAMIN (instance block at 0x10000, VA 0-64 KiB in 4 KiB pages,
 * VA 64 KiB-128 KiB as one 64 KiB page) and BAR1 and BAR3 bound to it.
 * Then ops, opcode = byte % 10:
 *   0 BAR0 write32  u8 unit, u16 offset, u32 value (unit-biased offsets)
 *   1 BAR0 read32   u8 unit, u16 offset
 *   2/4 BAR1/BAR3 write   u24 offset, u8 size (1, 2, 4, 8), u64 value
 *   3/5 BAR1/BAR3 read    u24 offset, u8 size
 *   6 PRAMIN write  u16 window (0x1700), u16 offset, u32 value
 *   7 table write   u8 table, u16 index, u64 entry (through PRAMIN)
 *   8 invalidate    u32 PDB field, u32 INVALIDATE (trigger forced)
 *   9 check         u8 BAR, u24 offset
 * "check" rebinds the BAR to its own instance block (which drops the
 * TLB), reads 8 bytes through it and compares them with a walk by the
 * device's own translation (x-nv-vmbind-read of the instance block's
 * PDB): equal when the walk maps the VA, zero when it does not.  After
 * the ops, the monitor must answer (x-nv-vmbind-query-pdbs, called
 * directly: the in-process fuzzer has no QMP socket).  Hangs are what
 * libFuzzer's -timeout catches; sanitizer reports abort.
 */
#include "qemu/osdep.h"

#include "qemu/bswap.h"
#include "exec/memory.h"
#include "qom/object.h"
#include "qapi/error.h"
#include "qapi/qapi-commands-nv-vmbind.h"
#include "tests/qtest/libqtest.h"
#include "tests/qtest/libqos/pci-pc.h"
#include "hw/display/nv-gmmu-ver2.h"
#include "hw/display/nv-gp107.h"
#include "tests/qtest/nv-vmbind/gp107-tree.h"
#include "fuzz.h"

#define GP_DEVFN    QPCI_DEVFN(4, 0)
#define PAGES       0x200000
#define BAR_SIZE    (16u << 20)

/* Register units the offsets are biased to (regs.c, fifo.c, mmu.c). */
static const uint32_t units[] = {
    0x000000, 0x001000, 0x002000, 0x003000, 0x009000, 0x00d000,
    0x021000, 0x022000, 0x040000, 0x070000, 0x088000, 0x100000,
    0x10a000, 0x120000, 0x140000, 0x601000, 0x610000, 0x700000,
    0x800000, 0x9a0000,
};

static const uint32_t tables[] = {
    GP107_TREE_INST, GP107_TREE_PD3, GP107_TREE_PD2, GP107_TREE_PD1,
    GP107_TREE_PD0, GP107_TREE_SPT, GP107_TREE_LPT,
};

typedef struct Gp {
    QTestState *qts;
    QPCIBus *bus;
    QPCIDevice *dev;
    QPCIBar bar[3];             /* BAR0, BAR1, BAR3 */
    const uint8_t *p, *end;
} Gp;

static uint64_t take(Gp *g, unsigned n)
{
    uint64_t v = 0;
    unsigned i;

    for (i = 0; i < n && g->p < g->end; i++) {
        v |= (uint64_t)*g->p++ << (8 * i);
    }
    return v;
}

static uint32_t rd(Gp *g, uint32_t reg)
{
    return qpci_io_readl(g->dev, g->bar[0], reg);
}

static void wr(Gp *g, uint32_t reg, uint32_t val)
{
    qpci_io_writel(g->dev, g->bar[0], reg, val);
}

static void vram_wr64(Gp *g, uint64_t addr, uint64_t val)
{
    wr(g, NV_PBUS_BAR0_WINDOW, addr >> 16);
    wr(g, NV_PRAMIN_BASE + (addr & 0xffff), val);
    wr(g, NV_PRAMIN_BASE + (addr & 0xffff) + 4, val >> 32);
}

static uint32_t vram_rd32(Gp *g, uint64_t addr)
{
    wr(g, NV_PBUS_BAR0_WINDOW, addr >> 16);
    return rd(g, NV_PRAMIN_BASE + (addr & 0xffff));
}

static void tree_wr64(void *g, uint64_t addr, uint64_t val)
{
    vram_wr64(g, addr, val);
}

static void setup(Gp *g)
{
    unsigned i;

    gp107_tree_build(tree_wr64, g, BAR_SIZE - 1);
    for (i = 0; i < 16; i++) {
        vram_wr64(g, GP107_TREE_SPT + i * 8,
                  nv_gmmu_pte_encode(NV_GMMU_APER_VID, PAGES + i * 0x1000,
                                     0, 0));
    }
    vram_wr64(g, GP107_TREE_LPT + 8,
              nv_gmmu_pte_encode(NV_GMMU_APER_VID, PAGES + 0x10000, 0, 0));
    wr(g, NV_PBUS_BAR1_BLOCK,
       NV_PBUS_BLOCK_MODE_VIRTUAL | (GP107_TREE_INST >> 12));
    wr(g, NV_PBUS_BAR2_BLOCK,
       NV_PBUS_BLOCK_MODE_VIRTUAL | (GP107_TREE_INST >> 12));
}

static uint64_t bar_read(Gp *g, unsigned b, uint64_t off, unsigned size)
{
    switch (size) {
    case 1:
        return qpci_io_readb(g->dev, g->bar[b], off);
    case 2:
        return qpci_io_readw(g->dev, g->bar[b], off);
    case 4:
        return qpci_io_readl(g->dev, g->bar[b], off);
    default:
        return qpci_io_readq(g->dev, g->bar[b], off);
    }
}

static void bar_write(Gp *g, unsigned b, uint64_t off, unsigned size,
                      uint64_t val)
{
    switch (size) {
    case 1:
        qpci_io_writeb(g->dev, g->bar[b], off, val);
        break;
    case 2:
        qpci_io_writew(g->dev, g->bar[b], off, val);
        break;
    case 4:
        qpci_io_writel(g->dev, g->bar[b], off, val);
        break;
    default:
        qpci_io_writeq(g->dev, g->bar[b], off, val);
        break;
    }
}

/*
 * BAR @b (1: BAR1, 2: BAR3) read at @va against a fresh walk of the page
 * directory its instance block names.  Leaves the registers as they were.
 */
static void check(Gp *g, unsigned b, uint64_t va)
{
    uint32_t blk_reg = b == 1 ? NV_PBUS_BAR1_BLOCK : NV_PBUS_BAR2_BLOCK;
    uint32_t blk = rd(g, blk_reg), window = rd(g, NV_PBUS_BAR0_WINDOW);
    uint64_t inst = (uint64_t)(blk & NV_PBUS_BLOCK_PTR_MASK) << 12;
    uint32_t lo, hi;
    uint64_t limit, pdb, got, want = 0;

    va &= BAR_SIZE - 8;
    wr(g, blk_reg, blk);        /* a rebind: the TLB starts empty */
    lo = vram_rd32(g, inst + NV_GMMU_RAMIN_PDB_LO);
    hi = vram_rd32(g, inst + NV_GMMU_RAMIN_PDB_HI);
    limit = ((uint64_t)vram_rd32(g, inst + NV_GMMU_RAMIN_ADR_LIMIT_HI) << 32) |
            (vram_rd32(g, inst + NV_GMMU_RAMIN_ADR_LIMIT_LO) &
             NV_GMMU_RAMIN_ADR_LIMIT_LO_MASK) | 0xfff;
    wr(g, NV_PBUS_BAR0_WINDOW, window);
    got = bar_read(g, b, va, 8);

    if (!(blk & NV_PBUS_BLOCK_MODE_VIRTUAL)) {
        g_assert_cmphex(got, ==, 0);            /* physical mode: unbound */
        return;
    }
    if (blk >> NV_PBUS_BLOCK_TARGET_SHIFT & 3) {
        return;                 /* instance block in system memory */
    }
    /* What nv_gmmu_inst_decode() refuses (beyond VRAM reads as 0 too). */
    if ((lo & NV_GMMU_RAMIN_TARGET_MASK) == NV_GMMU_RAMIN_TARGET_INVALID ||
        !(lo & NV_GMMU_RAMIN_USE_VER2_PT_FORMAT) ||
        !(lo & NV_GMMU_RAMIN_BIG_PAGE_SIZE_64KB)) {
        g_assert_cmphex(got, ==, 0);
        return;
    }
    if (lo & NV_GMMU_RAMIN_TARGET_MASK) {
        return;                 /* page directory in system memory */
    }
    pdb = ((uint64_t)hi << 32) | (lo & NV_GMMU_RAMIN_PDB_LO_MASK);
    if (va + 7 <= limit) {
        NvVmbindBytes *bytes = qmp_x_nv_vmbind_read("gp0", false, 0, pdb, va,
                                                    8, NULL);

        if (bytes) {
            gsize n;
            g_autofree guchar *raw = g_base64_decode(bytes->data, &n);

            g_assert_cmpuint(n, ==, 8);
            want = ldq_le_p(raw);
            qapi_free_NvVmbindBytes(bytes);
        }
    }
    g_assert_cmphex(got, ==, want);
}

static MemoryRegion *vram;

static void gp107_bar_pre_fuzz(QTestState *s)
{
    Object *dev = object_resolve_path("/machine/peripheral/gp0", NULL);

    g_assert_nonnull(dev);
    vram = MEMORY_REGION(object_resolve_path_component(dev,
                                                       "nv-gp107-vram[0]"));
    g_assert_nonnull(vram);
}

static void gp107_bar_fuzz(QTestState *s, const unsigned char *data,
                           size_t size)
{
    static const unsigned sizes[] = { 1, 2, 4, 8 };
    Gp g = { .qts = s, .p = data, .end = data + size };
    unsigned ops = 0;
    NvVmbindPdbs *pdbs;

    g.bus = qpci_new_pc(s, NULL);
    g.dev = qpci_device_find(g.bus, GP_DEVFN);
    g_assert_nonnull(g.dev);
    qpci_device_enable(g.dev);
    g.bar[0] = qpci_iomap(g.dev, NV_GP107_BAR_REGS, NULL);
    g.bar[1] = qpci_iomap(g.dev, NV_GP107_BAR_FB, NULL);
    g.bar[2] = qpci_iomap(g.dev, NV_GP107_BAR_INST, NULL);
    /* VRAM outlives resets: start every input from zeroes (determinism). */
    memset(memory_region_get_ram_ptr(vram), 0, memory_region_size(vram));
    setup(&g);

    while (g.p < g.end && ops++ < 256) {
        unsigned op = take(&g, 1) % 10, b, sz;
        uint64_t off;

        switch (op) {
        case 0:
            off = units[take(&g, 1) % G_N_ELEMENTS(units)];
            off += take(&g, 2) & ~3u;
            wr(&g, off, take(&g, 4));
            break;
        case 1:
            off = units[take(&g, 1) % G_N_ELEMENTS(units)];
            rd(&g, off + (take(&g, 2) & ~3u));
            break;
        case 2:
        case 4:
            b = op == 2 ? 1 : 2;
            off = take(&g, 3) % BAR_SIZE;
            sz = sizes[take(&g, 1) & 3];
            bar_write(&g, b, off & ~(uint64_t)(sz - 1), sz, take(&g, 8));
            break;
        case 3:
        case 5:
            b = op == 3 ? 1 : 2;
            off = take(&g, 3) % BAR_SIZE;
            sz = sizes[take(&g, 1) & 3];
            bar_read(&g, b, off & ~(uint64_t)(sz - 1), sz);
            break;
        case 6:
            wr(&g, NV_PBUS_BAR0_WINDOW, take(&g, 2));
            wr(&g, NV_PRAMIN_BASE + (take(&g, 2) & ~3u), take(&g, 4));
            break;
        case 7:
            off = tables[take(&g, 1) % G_N_ELEMENTS(tables)];
            off += (take(&g, 2) % 512) * 8;
            vram_wr64(&g, off, take(&g, 8));
            break;
        case 8:
            wr(&g, NV_PFB_MMU_INVALIDATE_PDB, take(&g, 4));
            wr(&g, NV_PFB_MMU_INVALIDATE, take(&g, 4) | 0x80000000u);
            break;
        case 9:
            b = take(&g, 1) & 1 ? 2 : 1;
            check(&g, b, take(&g, 3));
            break;
        }
        flush_events(s);
    }

    /* The monitor's commands still answer (in-process: no QMP socket). */
    pdbs = qmp_x_nv_vmbind_query_pdbs("gp0", false, false, &error_abort);
    qapi_free_NvVmbindPdbs(pdbs);

    g_free(g.dev);
    qpci_free_pc(g.bus);
    fuzz_reset(s);
}

static GString *gp107_bar_cmdline(FuzzTarget *t)
{
    return g_string_new(TARGET_NAME " -machine q35,accel=qtest -m 64M "
                        "-display none "
                        "-device nv-vmbind-gp107,id=gp0,addr=04.0,"
                        "vram-size=32M,bar1-size=16M,bar3-size=16M");
}

static void register_nv_vmbind_gp107_fuzz(void)
{
    fuzz_add_target(&(FuzzTarget){
        .name = "nv-vmbind-gp107-bar",
        .description = "nv-vmbind-gp107: BAR0 registers, PRAMIN, BAR1 and "
                       "BAR3 through page tables, checked against walks",
        .get_init_cmdline = gp107_bar_cmdline,
        .pre_fuzz = gp107_bar_pre_fuzz,
        .fuzz = gp107_bar_fuzz,
    });
}

fuzz_target_init(register_nv_vmbind_gp107_fuzz);
