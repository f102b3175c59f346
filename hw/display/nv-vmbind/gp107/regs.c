/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * nv-vmbind-gp107: BAR0 registers, one table per unit.
 *
 * Each unit covers an address range and has a table of plain registers
 * (constant, storage, write-1-to-clear or read-as-zero) and optionally a
 * handler for registers with behaviour and for windows (PROM, PRAMIN,
 * the PCI config mirror).  What no unit handles reads as zero, drops
 * writes and hits the nv_gp107_unhandled_* trace points, so each register
 * a new driver path touches shows up.  The values and their reasons are in
 * docs/specs/nv-vmbind-gp107.rst; the driver functions using each register
 * are named beside it.
 *
 * Copyright (c) 2026 The nv-vmbind authors
 */

#include "qemu/osdep.h"
#include "qemu/timer.h"
#include "hw/pci/pci.h"
#include "hw/pci/msi.h"
#include "internal.h"
#include "../trace.h"

typedef enum NvGp107RegKind {
    REG_RO,         /* constant */
    REG_RW,         /* storage */
    REG_W1C,        /* write 1 to clear */
    REG_RAZWI,      /* known, reads 0, ignores writes */
} NvGp107RegKind;

typedef struct NvGp107Reg {
    uint32_t addr;
    const char *name;
    uint32_t reset;
    NvGp107RegKind kind;
} NvGp107Reg;

typedef struct NvGp107Unit NvGp107Unit;
struct NvGp107Unit {
    const char *name;
    uint32_t base, end;                 /* [base, end) */
    const NvGp107Reg *regs;
    unsigned nregs;
    /* Registers with behaviour and windows; return false if not handled. */
    bool (*read)(NvGp107State *s, uint32_t addr, unsigned size,
                 uint64_t *val);
    bool (*write)(NvGp107State *s, uint32_t addr, uint64_t val,
                  unsigned size);
    unsigned slot;                      /* first index in s->regs */
};


static uint32_t *reg_ptr(NvGp107State *s, uint32_t addr);

/* ---- PMC ---- */

static const NvGp107Reg pmc_regs[] = {
    /* nvkm_device_ctor: chipset 0x137 = GP107, revision a1 */
    { NV_PMC_BOOT_0, "PMC_BOOT_0", NV_PMC_BOOT_0_GP107, REG_RO },
    /* nvkm_device_endianness: 0 = little-endian, matching */
    { NV_PMC_BOOT_1, "PMC_BOOT_1", 0, REG_RO },
    /* nv04_mc_intr_pending: the model never raises an interrupt */
    { NV_PMC_INTR(0), "PMC_INTR_0", 0, REG_RO },
    { NV_PMC_INTR(1), "PMC_INTR_1", 0, REG_RO },
    { NV_PMC_ENABLE, "PMC_ENABLE", 0xffffffff, REG_RW },
};

/* gp100_mc_intr_allow/block/unarm/rearm: per-leaf enable masks. */
static bool pmc_read(NvGp107State *s, uint32_t addr, unsigned size,
                     uint64_t *val)
{
    switch (addr) {
    case NV_PMC_INTR_EN_SET(0):
    case NV_PMC_INTR_EN_SET(1):
        *val = s->intr_en[(addr - NV_PMC_INTR_EN_SET(0)) / 4];
        return true;
    case NV_PMC_INTR_EN_CLEAR(0):
    case NV_PMC_INTR_EN_CLEAR(1):
        *val = s->intr_en[(addr - NV_PMC_INTR_EN_CLEAR(0)) / 4];
        return true;
    }
    return false;
}

static bool pmc_write(NvGp107State *s, uint32_t addr, uint64_t val,
                      unsigned size)
{
    switch (addr) {
    case NV_PMC_INTR_EN_SET(0):
    case NV_PMC_INTR_EN_SET(1):
        s->intr_en[(addr - NV_PMC_INTR_EN_SET(0)) / 4] |= val;
        return true;
    case NV_PMC_INTR_EN_CLEAR(0):
    case NV_PMC_INTR_EN_CLEAR(1):
        s->intr_en[(addr - NV_PMC_INTR_EN_CLEAR(0)) / 4] &= ~val;
        return true;
    }
    return false;
}

/* ---- PBUS ---- */

static const NvGp107Reg pbus_regs[] = {
    { NV_PBUS_INTR_0, "BUS_INTR_0", 0, REG_W1C },           /* gf100_bus */
    { NV_PBUS_INTR_EN_0, "BUS_INTR_EN_0", 0, REG_RW },
    /* nv50_instobj_*_slow: PRAMIN window base (PRAMIN reads it) */
    { NV_PBUS_BAR0_WINDOW, "BUS_BAR0_WINDOW", 0, REG_RW },
    /* gm107_bar_bar{1,2}_wait: binds complete at once */
    { NV_PBUS_BIND_STATUS, "BUS_BIND_STATUS", 0, REG_RO },
};

static bool pbus_read(NvGp107State *s, uint32_t addr, unsigned size,
                      uint64_t *val)
{
    switch (addr) {
    case NV_PBUS_BAR1_BLOCK:
        *val = nv_gp107_bar_block(s, NV_GP107_VBAR1);
        return true;
    case NV_PBUS_BAR2_BLOCK:
        *val = nv_gp107_bar_block(s, NV_GP107_VBAR2);
        return true;
    }
    return false;
}

static bool pbus_write(NvGp107State *s, uint32_t addr, uint64_t val,
                       unsigned size)
{
    switch (addr) {
    case NV_PBUS_BAR1_BLOCK:    /* gf100_bar_bar1_init/fini */
        nv_gp107_bar_bound(s, NV_GP107_VBAR1, val);
        return true;
    case NV_PBUS_BAR2_BLOCK:    /* gf100_bar_bar2_init/fini */
        nv_gp107_bar_bound(s, NV_GP107_VBAR2, val);
        return true;
    }
    return false;
}

/* ---- PFIFO: only the replayable fault buffer ---- */

static const NvGp107Reg pfifo_regs[] = {
    /* gp100_fault_buffer_info: entries; 0 would fail the fault oneinit */
    { NV_PFIFO_REPLAY_FAULT_BUFFER_SIZE, "FIFO_REPLAY_FAULT_BUFFER_SIZE",
      NV_GP107_FAULT_BUFFER_ENTRIES, REG_RO },
    /* gp100_fault_buffer_init/fini (SVM builds only) */
    { NV_PFIFO_REPLAY_FAULT_BUFFER_LO, "FIFO_REPLAY_FAULT_BUFFER_LO", 0,
      REG_RW },
    { NV_PFIFO_REPLAY_FAULT_BUFFER_HI, "FIFO_REPLAY_FAULT_BUFFER_HI", 0,
      REG_RW },
    { NV_PFIFO_REPLAY_FAULT_BUFFER_GET, "FIFO_REPLAY_FAULT_BUFFER_GET", 0,
      REG_RW },
    { NV_PFIFO_REPLAY_FAULT_BUFFER_PUT, "FIFO_REPLAY_FAULT_BUFFER_PUT", 0,
      REG_RW },
};

/* ---- PTIMER ---- */

static const NvGp107Reg ptimer_regs[] = {
    { NV_PTIMER_INTR_0, "PTIMER_INTR_0", 0, REG_W1C },      /* nv04_timer */
    { NV_PTIMER_INTR_EN_0, "PTIMER_INTR_EN_0", 0, REG_RW },
    { NV_PTIMER_ALARM_0, "PTIMER_ALARM_0", 0, REG_RW },
};

/*
 * Nanoseconds of the virtual clock plus the offset the driver set, forced
 * to advance on every read: nvkm_timer_wait_test reports "stalled" after
 * 16 equal reads.
 */
uint64_t nv_gp107_ptimer_now(NvGp107State *s)
{
    uint64_t t = qemu_clock_get_ns(QEMU_CLOCK_VIRTUAL) + s->ptimer_offset;

    if (t <= s->ptimer_last) {
        t = s->ptimer_last + 1;
    }
    s->ptimer_last = t;
    return t;
}

static bool ptimer_read(NvGp107State *s, uint32_t addr, unsigned size,
                        uint64_t *val)
{
    switch (addr) {
    case NV_PTIMER_TIME_0:
        *val = (uint32_t)nv_gp107_ptimer_now(s);
        return true;
    case NV_PTIMER_TIME_1:
        *val = nv_gp107_ptimer_now(s) >> 32;
        return true;
    }
    return false;
}

/* nv04_timer_time: TIME_1 first (latched), then TIME_0 sets the time. */
static bool ptimer_write(NvGp107State *s, uint32_t addr, uint64_t val,
                         unsigned size)
{
    switch (addr) {
    case NV_PTIMER_TIME_1:
        s->ptimer_hi_latch = val;
        return true;
    case NV_PTIMER_TIME_0: {
        uint64_t t = ((uint64_t)s->ptimer_hi_latch << 32) | (uint32_t)val;

        s->ptimer_offset = t - qemu_clock_get_ns(QEMU_CLOCK_VIRTUAL);
        s->ptimer_last = 0;
        return true;
    }
    }
    return false;
}

/* ---- GPIO / I2C AUX interrupt registers (gk104_gpio, gk104_aux) ---- */

static const NvGp107Reg gpio_regs[] = {
    { 0x00dc00, "GPIO_INTR_STAT_0", 0, REG_W1C },
    { 0x00dc08, "GPIO_INTR_EN_0", 0, REG_RW },
    { 0x00dc60, "AUX_INTR_STAT", 0, REG_W1C },
    { 0x00dc68, "AUX_INTR_EN", 0, REG_RW },
    { 0x00dc80, "GPIO_INTR_STAT_1", 0, REG_W1C },
    { 0x00dc88, "GPIO_INTR_EN_1", 0, REG_RW },
};

/* ---- THERM, FUSE, PTOP ---- */

static const NvGp107Reg top_regs[] = {
    /* gp100_temp_get: bit 29 clear = no sensor, so no alarms are armed */
    { NV_THERM_TSENSOR, "THERM_TSENSOR", 0, REG_RO },
    /* gm107_devinit_disable: CE0/CE2 present, DISP fused off */
    { NV_FUSE_CE_DISABLE, "FUSE_CE_DISABLE", 0, REG_RO },
    { NV_FUSE_DISP_DISABLE, "FUSE_DISP_DISABLE", 1, REG_RO },
    /* gf100_devinit_preinit: DEVINIT_COMPLETED, so no PMU POST */
    { NV_PTOP_SCRATCH1, "PTOP_SCRATCH1", NV_PTOP_SCRATCH1_DEVINIT_COMPLETED,
      REG_RO },
};

/* gk104_top_parse: an all-zero device-info table (no engines). */
static bool top_read(NvGp107State *s, uint32_t addr, unsigned size,
                     uint64_t *val)
{
    if (addr >= NV_PTOP_DEVICE_INFO(0) && addr < NV_PTOP_DEVICE_INFO(64)) {
        *val = 0;
        return true;
    }
    return false;
}

/* ---- FLUSH ---- */

/* g84_bar_flush: write 1, poll bit 1 clear; completes at once. */
static const NvGp107Reg flush_regs[] = {
    { NV_UFLUSH_FB_FLUSH, "UFLUSH_FB_FLUSH", 0, REG_RAZWI },
};

/* ---- XVE: PCI config mirror ---- */

static const NvGp107Reg xve_regs[] = {
    /* nvkm_pci_rom_shadow: ROM shadow bit; PROM is served either way */
    { NV_XVE_ROM_CTRL, "XVE_ROM_CTRL", 0, REG_RW },
};

static bool xve_read(NvGp107State *s, uint32_t addr, unsigned size,
                     uint64_t *val)
{
    uint32_t off = addr - NV_XVE_BASE;

    if (addr == NV_XVE_ROM_CTRL) {
        return false;   /* the table's storage */
    }
    if (off + size <= PCIE_CONFIG_SPACE_SIZE &&
        off + size <= pci_config_size(PCI_DEVICE(s))) {
        *val = pci_default_read_config(PCI_DEVICE(s), off, size);
        return true;
    }
    return false;
}

static bool xve_write(NvGp107State *s, uint32_t addr, uint64_t val,
                      unsigned size)
{
    PCIDevice *pdev = PCI_DEVICE(s);

    if (addr == NV_XVE_MSI_REARM) {
        /* gp100_pci_msi_rearm: nothing is ever pending, nothing to send */
        trace_nv_gp107_msi_rearm(msi_enabled(pdev));
        return true;
    }
    return false;
}

/* ---- PFB / MMU ---- */

static const NvGp107Reg pfb_regs[] = {
    /* gf100_fb_sysmem_flush_page_init */
    { NV_PFB_NISO_FLUSH_SYSMEM_ADDR, "FB_NISO_FLUSH_SYSMEM_ADDR", 0, REG_RW },
    /* gp100_fb_init_remapper */
    { NV_PFB_REMAPPER, "FB_REMAPPER", 0, REG_RW },
    /* gm200_fb_init */
    { NV_PFB_MMU_DEBUG_CTRL, "FB_MMU_DEBUG_CTRL", 0, REG_RW },
    { NV_PFB_MMU_DEBUG_WR, "FB_MMU_DEBUG_WR", 0, REG_RW },
    { NV_PFB_MMU_DEBUG_RD, "FB_MMU_DEBUG_RD", 0, REG_RW },
    /* gp102_fb_vpr_scrub_required: bit 4 clear = VPR not locked */
    { NV_PFB_VPR_INFO, "FB_VPR_INFO", 0, REG_RAZWI },
    /* PEXTDEV strap: 27 MHz crystal, RAMCFG 0 (matches the M0203 entry) */
    { NV_PEXTDEV_BOOT_0, "PEXTDEV_BOOT_0", 0x00400000, REG_RO },
    /* gp100_ram_init writes it blindly */
    { NV_PFB_UNK_10ECC0, "FB_UNK_10ECC0", 0, REG_RAZWI },
    /* MMU_CTRL non-status bits (gm200_fb_init_page sets 11 and 12) */
    { NV_PFB_MMU_CTRL, "FB_MMU_CTRL", 0, REG_RW },
};

/* Encode @size as LOWER_MAG[9:4] << (LOWER_SCALE[3:0] + 20). */
static uint32_t pfb_local_memory_range(uint64_t size)
{
    unsigned scale = 0;
    uint64_t mag = size >> 20;

    while (mag > 0x3f || (!(mag & 1) && scale < 15 && mag > 1)) {
        mag >>= 1;
        scale++;
    }
    return (uint32_t)(mag << 4) | scale;
}

static bool pfb_read(NvGp107State *s, uint32_t addr, unsigned size,
                     uint64_t *val)
{
    switch (addr) {
    case NV_PFB_MMU_CTRL:
        /*
         * gf100_vmm_invalidate polls PRI_FIFO_SPACE != 0 before and
         * PRI_FIFO_EMPTY after: invalidates complete synchronously.
         */
        *val = *reg_ptr(s, NV_PFB_MMU_CTRL) |
               NV_PFB_MMU_CTRL_PRI_FIFO_EMPTY |
               (0x20u << NV_PFB_MMU_CTRL_PRI_FIFO_SPACE_SHIFT);
        return true;
    case NV_PFB_MMU_INVALIDATE_PDB:
        *val = s->inval_pdb;
        return true;
    case NV_PFB_MMU_INVALIDATE_UPPER_PDB:
        *val = s->inval_upper_pdb;
        return true;
    case NV_PFB_MMU_INVALIDATE:
        *val = 0;
        return true;
    case NV_PFB_MMU_LOCAL_MEMORY_RANGE:
        /* gp102_fb_vidmem_size */
        *val = pfb_local_memory_range(s->vram_size);
        return true;
    }
    return false;
}

static bool pfb_write(NvGp107State *s, uint32_t addr, uint64_t val,
                      unsigned size)
{
    switch (addr) {
    case NV_PFB_MMU_CTRL:
        *reg_ptr(s, NV_PFB_MMU_CTRL) =
            val & ~(0xffu << NV_PFB_MMU_CTRL_PRI_FIFO_SPACE_SHIFT |
                    NV_PFB_MMU_CTRL_PRI_FIFO_EMPTY);
        return true;
    case NV_PFB_MMU_INVALIDATE_PDB:
        s->inval_pdb = val;
        return true;
    case NV_PFB_MMU_INVALIDATE_UPPER_PDB:
        s->inval_upper_pdb = val;
        return true;
    case NV_PFB_MMU_INVALIDATE:
        if (val & NV_GMMU_INVAL_TRIGGER) {
            nv_gp107_invalidate(s, val);
        }
        return true;
    case NV_PFB_MMU_LOCAL_MEMORY_RANGE:
        return true;    /* read-only */
    }
    return false;
}

/* ---- priv ring, LTC (gp100_ltc_oneinit, ltc ZBC clears) ---- */

static const NvGp107Reg ltc_regs[] = {
    { NV_PRI_RINGMASTER_ENUM_LTC, "PRI_RINGMASTER_ENUM_LTC", 2, REG_RO },
    { 0x17e204, "LTCS_ZBC_STENCIL_CLEAR", 0, REG_RAZWI },
    { NV_PLTCG_LTCS_CBC_NUM_LTS, "LTCS_CBC_NUM_LTS", 0x20000000, REG_RO },
    { 0x17e338, "LTCS_ZBC_INDEX", 0, REG_RAZWI },
    { 0x17e33c, "LTCS_ZBC_COLOR_CLEAR_0", 0, REG_RAZWI },
    { 0x17e340, "LTCS_ZBC_COLOR_CLEAR_1", 0, REG_RAZWI },
    { 0x17e344, "LTCS_ZBC_COLOR_CLEAR_2", 0, REG_RAZWI },
    { 0x17e348, "LTCS_ZBC_COLOR_CLEAR_3", 0, REG_RAZWI },
    { 0x17e34c, "LTCS_ZBC_DEPTH_CLEAR", 0, REG_RAZWI },
};

/* ---- PROM: the VBIOS, little-endian, zero past the image ---- */

static bool prom_read(NvGp107State *s, uint32_t addr, unsigned size,
                      uint64_t *val)
{
    uint32_t off = addr - NV_PROM_BASE;
    unsigned i;

    *val = 0;
    for (i = 0; i < size; i++) {
        if (off + i < NV_GP107_VBIOS_SIZE) {
            *val |= (uint64_t)s->vbios[off + i] << (8 * i);
        }
    }
    return true;
}

static bool prom_write(NvGp107State *s, uint32_t addr, uint64_t val,
                       unsigned size)
{
    return false;   /* read-only: traced as unhandled */
}

/* ---- VGA CRTC (nvkm_lockvgac): an index and a read-as-zero data port ---- */

static bool vga_read(NvGp107State *s, uint32_t addr, unsigned size,
                     uint64_t *val)
{
    if (size != 1) {
        return false;
    }
    switch (addr) {
    case NV_PRMVIO_CRTC_INDEX:
        *val = s->crtc_index;
        return true;
    case NV_PRMVIO_CRTC_DATA:
        *val = 0;
        return true;
    }
    return false;
}

static bool vga_write(NvGp107State *s, uint32_t addr, uint64_t val,
                      unsigned size)
{
    if (size != 1) {
        return false;
    }
    switch (addr) {
    case NV_PRMVIO_CRTC_INDEX:
        s->crtc_index = val;
        return true;
    case NV_PRMVIO_CRTC_DATA:
        return true;
    }
    return false;
}

/* ---- DISP leftovers ---- */

static const NvGp107Reg disp_regs[] = {
    { 0x6100b0, "DISP_UNK_6100B0", 0, REG_RAZWI },  /* gf119_disp_fini */
    { 0x619f04, "DISP_UNK_619F04", 0, REG_RAZWI },  /* bios pramin_init */
};

/* ---- PRAMIN window ---- */

static bool pramin_read(NvGp107State *s, uint32_t addr, unsigned size,
                        uint64_t *val)
{
    *val = nv_gp107_pramin_read(s, *reg_ptr(s, NV_PBUS_BAR0_WINDOW),
                                addr - NV_PRAMIN_BASE, size);
    return true;
}

static bool pramin_write(NvGp107State *s, uint32_t addr, uint64_t val,
                         unsigned size)
{
    nv_gp107_pramin_write(s, *reg_ptr(s, NV_PBUS_BAR0_WINDOW),
                          addr - NV_PRAMIN_BASE, val, size);
    return true;
}

/* ---- FBPA broadcast (gp100_ram_init read-modify-writes) ---- */

static const NvGp107Reg fbpa_regs[] = {
    { 0x9a0160, "FBPA_UNK_9A0160", 0, REG_RW },
    { 0x9a0584, "FBPA_UNK_9A0584", 0, REG_RW },
    { 0x9a065c, "FBPA_UNK_9A065C", 0, REG_RW },
};

/* The units, in address order. */
static NvGp107Unit units[] = {
    { "PMC", 0x000000, 0x001000, pmc_regs, ARRAY_SIZE(pmc_regs),
      pmc_read, pmc_write },
    { "PBUS", 0x001000, 0x002000, pbus_regs, ARRAY_SIZE(pbus_regs),
      pbus_read, pbus_write },
    { "PFIFO", 0x002000, 0x004000, pfifo_regs, ARRAY_SIZE(pfifo_regs),
      NULL, NULL },
    { "PTIMER", 0x009000, 0x00a000, ptimer_regs, ARRAY_SIZE(ptimer_regs),
      ptimer_read, ptimer_write },
    { "GPIO", 0x00d000, 0x00e000, gpio_regs, ARRAY_SIZE(gpio_regs),
      NULL, NULL },
    { "TOP", 0x020000, 0x023000, top_regs, ARRAY_SIZE(top_regs),
      top_read, NULL },
    { "FLUSH", 0x070000, 0x071000, flush_regs, ARRAY_SIZE(flush_regs),
      NULL, NULL },
    { "XVE", 0x088000, 0x089000, xve_regs, ARRAY_SIZE(xve_regs),
      xve_read, xve_write },
    { "PFB", 0x100000, 0x110000, pfb_regs, ARRAY_SIZE(pfb_regs),
      pfb_read, pfb_write },
    { "LTC", 0x120000, 0x180000, ltc_regs, ARRAY_SIZE(ltc_regs), NULL, NULL },
    { "PROM", NV_PROM_BASE, NV_PROM_BASE + NV_PROM_SIZE, NULL, 0, prom_read,
      prom_write },
    { "VGA", 0x601000, 0x602000, NULL, 0, vga_read, vga_write },
    { "DISP", 0x610000, 0x620000, disp_regs, ARRAY_SIZE(disp_regs),
      NULL, NULL },
    { "PRAMIN", NV_PRAMIN_BASE, NV_PRAMIN_BASE + NV_PRAMIN_SIZE, NULL, 0,
      pramin_read, pramin_write },
    { "FBPA", 0x9a0000, 0x9a1000, fbpa_regs, ARRAY_SIZE(fbpa_regs),
      NULL, NULL },
};

static void units_init_once(void)
{
    static bool done;
    unsigned i, slot = 0;

    if (done) {
        return;
    }
    for (i = 0; i < ARRAY_SIZE(units); i++) {
        units[i].slot = slot;
        slot += units[i].nregs;
    }
    g_assert(slot <= NV_GP107_NREGS);
    done = true;
}

static NvGp107Unit *unit_of(uint32_t addr)
{
    unsigned i;

    for (i = 0; i < ARRAY_SIZE(units); i++) {
        if (addr >= units[i].base && addr < units[i].end) {
            return &units[i];
        }
    }
    return NULL;
}

/* Index in s->regs of the table register at @addr, or -1. */
static int reg_slot(const NvGp107Unit *u, uint32_t addr,
                    const NvGp107Reg **reg)
{
    unsigned i;

    for (i = 0; i < u->nregs; i++) {
        if (u->regs[i].addr == addr) {
            *reg = &u->regs[i];
            return u->slot + i;
        }
    }
    return -1;
}

/* Storage of a table register (which must exist). */
static uint32_t *reg_ptr(NvGp107State *s, uint32_t addr)
{
    const NvGp107Reg *reg;
    int slot = reg_slot(unit_of(addr), addr, &reg);

    g_assert(slot >= 0);
    return &s->regs[slot];
}

void nv_gp107_regs_reset(NvGp107State *s)
{
    unsigned i, j;

    units_init_once();
    memset(s->regs, 0, sizeof(s->regs));
    for (i = 0; i < ARRAY_SIZE(units); i++) {
        for (j = 0; j < units[i].nregs; j++) {
            s->regs[units[i].slot + j] = units[i].regs[j].reset;
        }
    }
    s->intr_en[0] = s->intr_en[1] = 0;
    s->crtc_index = 0;
    s->ptimer_offset = 0;
    s->ptimer_last = 0;
    s->ptimer_hi_latch = 0;
}

uint64_t nv_gp107_bar0_read(NvGp107State *s, uint32_t addr, unsigned size)
{
    NvGp107Unit *u = unit_of(addr);
    const NvGp107Reg *reg = NULL;
    uint64_t val = 0;
    int slot;

    if (!u) {
        goto unhandled;
    }
    if (u->read && u->read(s, addr, size, &val)) {
        trace_nv_gp107_bar0_read(u->name, addr, size, val);
        return val;
    }
    slot = reg_slot(u, addr & ~3u, &reg);
    if (slot < 0) {
        goto unhandled;
    }
    if (reg->kind != REG_RAZWI) {
        val = s->regs[slot];
    }
    if (size < 4) {
        val = (val >> ((addr & 3) * 8)) & MAKE_64BIT_MASK(0, size * 8);
    }
    trace_nv_gp107_bar0_read(reg->name, addr, size, val);
    return val;

unhandled:
    s->unhandled++;
    trace_nv_gp107_unhandled_read(u ? u->name : "none", addr, size);
    return 0;
}

void nv_gp107_bar0_write(NvGp107State *s, uint32_t addr, uint64_t val,
                         unsigned size)
{
    NvGp107Unit *u = unit_of(addr);
    const NvGp107Reg *reg = NULL;
    int slot;

    if (!u) {
        goto unhandled;
    }
    if (u->write && u->write(s, addr, val, size)) {
        trace_nv_gp107_bar0_write(u->name, addr, size, val);
        return;
    }
    slot = size == 4 ? reg_slot(u, addr, &reg) : -1;
    if (slot < 0) {
        goto unhandled;
    }
    switch (reg->kind) {
    case REG_RW:
        s->regs[slot] = val;
        break;
    case REG_W1C:
        s->regs[slot] &= ~val;
        break;
    case REG_RO:
    case REG_RAZWI:
        break;
    }
    trace_nv_gp107_bar0_write(reg->name, addr, size, val);
    return;

unhandled:
    s->unhandled++;
    trace_nv_gp107_unhandled_write(u ? u->name : "none", addr, size, val);
}
