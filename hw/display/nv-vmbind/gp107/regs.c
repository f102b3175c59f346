/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * nv-vmbind-gp107: BAR0 registers, with QEMU's register API.
 *
 * BAR0 is a container holding one MemoryRegion per unit (PMC, PBUS, ...;
 * "info mtree" lists them).  A unit's registers are a const
 * RegisterAccessInfo table -- reset value, read-only and write-1-to-clear
 * masks, and hooks for the registers with behaviour -- behind one
 * RegisterInfoArray, mapped inside the unit from its first register on.
 * What the tables do not hold (the PROM, PRAMIN and PCI config windows,
 * PTOP's device-info list, the 8-bit VGA ports) is the unit's own read or
 * write function.  An access nothing handles reads as zero, drops writes,
 * is logged (-d unimp), counted and traced (nv_gp107_unhandled_*), so each
 * register a new driver path touches shows up.  Values and their reasons
 * are in docs/specs/nv-vmbind-gp107.rst; the nouveau function using each
 * register is named beside it.
 *
 * The offsets are those of include/hw/display/nv-gp107.h, the one list of
 * BAR0 offsets (plain constants: qtests and guest tools share it).  The
 * REG32/FIELD definitions here derive from it because the register API
 * wants offsets relative to each unit's register block: A_X is that
 * offset and R_X the register's index in the unit's slice of s->regs.
 *
 * Copyright (c) 2026 The nv-vmbind authors
 */

#include "qemu/osdep.h"
#include "qemu/log.h"
#include "qemu/timer.h"
#include "hw/pci/pci.h"
#include "hw/pci/msi.h"
#include "hw/register.h"
#include "internal.h"
#include "../trace.h"

/*
 * REG32/FIELD of the header's NV_<reg> and NV_<reg>_<field>_SHIFT/_LENGTH,
 * the register relative to its unit's register block, which starts at
 * <unit>_REGS.  <unit>_NREGS counts the block's slots (last register + 1).
 */
#define UNIT_REG32(unit, reg)   REG32(reg, NV_##reg - unit##_REGS)
/* ... of NV_<reg>(i), named <reg>_<i> */
#define UNIT_REG32_I(unit, reg, i) \
    REG32(reg##_##i, NV_##reg(i) - unit##_REGS)
#define UNIT_FIELD(reg, field) \
    FIELD(reg, field, NV_##reg##_##field##_SHIFT, NV_##reg##_##field##_LENGTH)

#define PMC_REGS            NV_PMC_BOOT_0
UNIT_REG32(PMC, PMC_BOOT_0)
UNIT_REG32(PMC, PMC_BOOT_1)
UNIT_REG32_I(PMC, PMC_INTR, 0)
UNIT_REG32_I(PMC, PMC_INTR, 1)
UNIT_REG32_I(PMC, PMC_INTR_EN_SET, 0)
UNIT_REG32_I(PMC, PMC_INTR_EN_SET, 1)
UNIT_REG32_I(PMC, PMC_INTR_EN_CLEAR, 0)
UNIT_REG32_I(PMC, PMC_INTR_EN_CLEAR, 1)
UNIT_REG32(PMC, PMC_ENABLE)
#define PMC_NREGS           (R_PMC_ENABLE + 1)

#define PBUS_REGS           NV_PBUS_INTR_0
UNIT_REG32(PBUS, PBUS_INTR_0)
UNIT_REG32(PBUS, PBUS_INTR_EN_0)
UNIT_REG32(PBUS, PBUS_BAR0_WINDOW)
UNIT_REG32(PBUS, PBUS_BAR1_BLOCK)
UNIT_REG32(PBUS, PBUS_BIND_STATUS)
UNIT_REG32(PBUS, PBUS_BAR2_BLOCK)
#define PBUS_NREGS          (R_PBUS_BAR2_BLOCK + 1)

#define PFIFO_REGS          NV_PFIFO_REPLAY_FAULT_BUFFER_LO
UNIT_REG32(PFIFO, PFIFO_REPLAY_FAULT_BUFFER_LO)
UNIT_REG32(PFIFO, PFIFO_REPLAY_FAULT_BUFFER_HI)
UNIT_REG32(PFIFO, PFIFO_REPLAY_FAULT_BUFFER_SIZE)
UNIT_REG32(PFIFO, PFIFO_REPLAY_FAULT_BUFFER_GET)
UNIT_REG32(PFIFO, PFIFO_REPLAY_FAULT_BUFFER_PUT)
#define PFIFO_NREGS         (R_PFIFO_REPLAY_FAULT_BUFFER_PUT + 1)

#define PTIMER_REGS         NV_PTIMER_INTR_0
UNIT_REG32(PTIMER, PTIMER_INTR_0)
UNIT_REG32(PTIMER, PTIMER_INTR_EN_0)
UNIT_REG32(PTIMER, PTIMER_TIME_0)
UNIT_REG32(PTIMER, PTIMER_TIME_1)
UNIT_REG32(PTIMER, PTIMER_ALARM_0)
#define PTIMER_NREGS        (R_PTIMER_ALARM_0 + 1)

#define GPIO_REGS           NV_GPIO_INTR_STAT_0
UNIT_REG32(GPIO, GPIO_INTR_STAT_0)
UNIT_REG32(GPIO, GPIO_INTR_EN_0)
UNIT_REG32(GPIO, AUX_INTR_STAT)
UNIT_REG32(GPIO, AUX_INTR_EN)
UNIT_REG32(GPIO, GPIO_INTR_STAT_1)
UNIT_REG32(GPIO, GPIO_INTR_EN_1)
#define GPIO_NREGS          (R_GPIO_INTR_EN_1 + 1)

#define THERM_REGS          NV_THERM_TSENSOR
UNIT_REG32(THERM, THERM_TSENSOR)
#define THERM_NREGS         (R_THERM_TSENSOR + 1)

#define FUSE_REGS           NV_FUSE_CE_DISABLE
UNIT_REG32(FUSE, FUSE_CE_DISABLE)
UNIT_REG32(FUSE, FUSE_DISP_DISABLE)
#define FUSE_NREGS          (R_FUSE_DISP_DISABLE + 1)

#define PTOP_REGS           NV_PTOP_SCRATCH1
UNIT_REG32(PTOP, PTOP_SCRATCH1)
#define PTOP_NREGS          (R_PTOP_SCRATCH1 + 1)

#define FLUSH_REGS          NV_UFLUSH_FB_FLUSH
UNIT_REG32(FLUSH, UFLUSH_FB_FLUSH)
#define FLUSH_NREGS         (R_UFLUSH_FB_FLUSH + 1)

#define XVE_REGS            NV_XVE_ROM_CTRL
UNIT_REG32(XVE, XVE_ROM_CTRL)
#define XVE_NREGS           (R_XVE_ROM_CTRL + 1)

#define PFB_REGS            NV_PFB_NISO_FLUSH_SYSMEM_ADDR
UNIT_REG32(PFB, PFB_NISO_FLUSH_SYSMEM_ADDR)
UNIT_REG32(PFB, PFB_REMAPPER)
UNIT_REG32(PFB, PFB_MMU_CTRL)
    UNIT_FIELD(PFB_MMU_CTRL, PRI_FIFO_EMPTY)
    UNIT_FIELD(PFB_MMU_CTRL, PRI_FIFO_SPACE)
UNIT_REG32(PFB, PFB_MMU_INVALIDATE_PDB)
UNIT_REG32(PFB, PFB_MMU_INVALIDATE)
    UNIT_FIELD(PFB_MMU_INVALIDATE, TRIGGER)
UNIT_REG32(PFB, PFB_MMU_DEBUG_CTRL)
UNIT_REG32(PFB, PFB_MMU_DEBUG_WR)
UNIT_REG32(PFB, PFB_MMU_DEBUG_RD)
UNIT_REG32(PFB, PFB_VPR_INFO)
UNIT_REG32(PFB, PFB_MMU_LOCAL_MEMORY_RANGE)
    UNIT_FIELD(PFB_MMU_LOCAL_MEMORY_RANGE, LOWER_SCALE)
    UNIT_FIELD(PFB_MMU_LOCAL_MEMORY_RANGE, LOWER_MAG)
UNIT_REG32(PFB, PFB_MMU_INVALIDATE_UPPER_PDB)
#define PFB_NREGS           (R_PFB_MMU_INVALIDATE_UPPER_PDB + 1)

#define PEXTDEV_REGS        NV_PEXTDEV_BOOT_0
UNIT_REG32(PEXTDEV, PEXTDEV_BOOT_0)
#define PEXTDEV_NREGS       (R_PEXTDEV_BOOT_0 + 1)

#define FBRAM_REGS          NV_PFB_UNK_10ECC0
UNIT_REG32(FBRAM, PFB_UNK_10ECC0)
#define FBRAM_NREGS         (R_PFB_UNK_10ECC0 + 1)

#define PRI_REGS            NV_PRI_RINGMASTER_ENUM_LTC
UNIT_REG32(PRI, PRI_RINGMASTER_ENUM_LTC)
#define PRI_NREGS           (R_PRI_RINGMASTER_ENUM_LTC + 1)

#define LTC_REGS            NV_PLTCG_LTCS_ZBC_STENCIL_CLEAR
UNIT_REG32(LTC, PLTCG_LTCS_ZBC_STENCIL_CLEAR)
UNIT_REG32(LTC, PLTCG_LTCS_CBC_NUM_LTS)
UNIT_REG32(LTC, PLTCG_LTCS_ZBC_INDEX)
UNIT_REG32(LTC, PLTCG_LTCS_ZBC_COLOR_CLEAR_0)
UNIT_REG32(LTC, PLTCG_LTCS_ZBC_COLOR_CLEAR_1)
UNIT_REG32(LTC, PLTCG_LTCS_ZBC_COLOR_CLEAR_2)
UNIT_REG32(LTC, PLTCG_LTCS_ZBC_COLOR_CLEAR_3)
UNIT_REG32(LTC, PLTCG_LTCS_ZBC_DEPTH_CLEAR)
#define LTC_NREGS           (R_PLTCG_LTCS_ZBC_DEPTH_CLEAR + 1)

#define FECS_REGS           NV_PGRAPH_FECS_FALCON_HWCFG
UNIT_REG32(FECS, PGRAPH_FECS_FALCON_HWCFG)
UNIT_REG32(FECS, PGRAPH_FECS_FALCON_HWCFG1)
#define FECS_NREGS          (R_PGRAPH_FECS_FALCON_HWCFG1 + 1)

#define GPCCS_REGS          NV_PGRAPH_GPCCS_FALCON_HWCFG
UNIT_REG32(GPCCS, PGRAPH_GPCCS_FALCON_HWCFG)
UNIT_REG32(GPCCS, PGRAPH_GPCCS_FALCON_HWCFG1)
#define GPCCS_NREGS         (R_PGRAPH_GPCCS_FALCON_HWCFG1 + 1)

#define DISP_REGS           NV_PDISP_UNK_6100B0
UNIT_REG32(DISP, PDISP_UNK_6100B0)
#define DISP_NREGS          (R_PDISP_UNK_6100B0 + 1)

#define DISP2_REGS          NV_PDISP_UNK_619F04
UNIT_REG32(DISP2, PDISP_UNK_619F04)
#define DISP2_NREGS         (R_PDISP_UNK_619F04 + 1)

#define FBPA_REGS           NV_PFBPA_UNK_9A0160
UNIT_REG32(FBPA, PFBPA_UNK_9A0160)
UNIT_REG32(FBPA, PFBPA_UNK_9A0584)
UNIT_REG32(FBPA, PFBPA_UNK_9A065C)
#define FBPA_NREGS          (R_PFBPA_UNK_9A065C + 1)

/* Where each unit's registers start in s->regs (and s->regs_info). */
enum {
    PMC_SLOT = 0,
    PBUS_SLOT = PMC_SLOT + PMC_NREGS,
    PFIFO_SLOT = PBUS_SLOT + PBUS_NREGS,
    PTIMER_SLOT = PFIFO_SLOT + PFIFO_NREGS,
    GPIO_SLOT = PTIMER_SLOT + PTIMER_NREGS,
    THERM_SLOT = GPIO_SLOT + GPIO_NREGS,
    FUSE_SLOT = THERM_SLOT + THERM_NREGS,
    PTOP_SLOT = FUSE_SLOT + FUSE_NREGS,
    FLUSH_SLOT = PTOP_SLOT + PTOP_NREGS,
    XVE_SLOT = FLUSH_SLOT + FLUSH_NREGS,
    PFB_SLOT = XVE_SLOT + XVE_NREGS,
    PEXTDEV_SLOT = PFB_SLOT + PFB_NREGS,
    FBRAM_SLOT = PEXTDEV_SLOT + PEXTDEV_NREGS,
    PRI_SLOT = FBRAM_SLOT + FBRAM_NREGS,
    LTC_SLOT = PRI_SLOT + PRI_NREGS,
    FECS_SLOT = LTC_SLOT + LTC_NREGS,
    GPCCS_SLOT = FECS_SLOT + FECS_NREGS,
    DISP_SLOT = GPCCS_SLOT + GPCCS_NREGS,
    DISP2_SLOT = DISP_SLOT + DISP_NREGS,
    FBPA_SLOT = DISP2_SLOT + DISP2_NREGS,
    SLOTS_END = FBPA_SLOT + FBPA_NREGS,
};
QEMU_BUILD_BUG_ON(SLOTS_END != NV_GP107_NREGS);

/* Storage of register @reg of @unit. */
#define GP107_REG(s, unit, reg)     ((s)->regs[unit##_SLOT + R_##reg])

/* Each RegisterInfo's opaque is its unit. */
static NvGp107State *reg_dev(RegisterInfo *reg)
{
    return ((NvGp107Unit *)reg->opaque)->s;
}

/* Read-only and read-as-zero/write-ignored registers. */
#define GP107_RO(n, a, v)   { .name = (n), .addr = (a), .reset = (v), .ro = ~0 }
#define GP107_RW(n, a)      { .name = (n), .addr = (a) }
#define GP107_W1C(n, a)     { .name = (n), .addr = (a), .w1c = ~0 }

/* ---- PMC ---- */

/* The leaf's enable mask: INTR_EN_SET's storage. */
static uint32_t *pmc_intr_en(RegisterInfo *reg, hwaddr first)
{
    return &GP107_REG(reg_dev(reg), PMC, PMC_INTR_EN_SET_0) +
           (reg->access->addr - first) / 4;
}

/* gp100_mc_intr_allow/block/unarm/rearm: SET and CLEAR edit one mask. */
uint32_t nv_gp107_pmc_intr_en(NvGp107State *s, unsigned tree)
{
    return (&GP107_REG(s, PMC, PMC_INTR_EN_SET_0))[tree & 1];
}

static uint64_t pmc_intr_en_set_pre_write(RegisterInfo *reg, uint64_t val)
{
    return *pmc_intr_en(reg, A_PMC_INTR_EN_SET_0) | val;
}

static uint64_t pmc_intr_en_clear_pre_write(RegisterInfo *reg, uint64_t val)
{
    *pmc_intr_en(reg, A_PMC_INTR_EN_CLEAR_0) &= ~val;
    return 0;
}

static uint64_t pmc_intr_en_clear_post_read(RegisterInfo *reg, uint64_t val)
{
    return *pmc_intr_en(reg, A_PMC_INTR_EN_CLEAR_0);
}

static const RegisterAccessInfo pmc_regs[] = {
    /* nvkm_device_ctor: chipset 0x137 = GP107, revision a1 */
    GP107_RO("PMC_BOOT_0", A_PMC_BOOT_0, NV_PMC_BOOT_0_GP107),
    /* nvkm_device_endianness: 0 = little-endian, matching */
    GP107_RO("PMC_BOOT_1", A_PMC_BOOT_1, 0),
    /* nv04_mc_intr_pending: the model never raises an interrupt */
    GP107_RO("PMC_INTR_0", A_PMC_INTR_0, 0),
    GP107_RO("PMC_INTR_1", A_PMC_INTR_1, 0),
    { .name = "PMC_INTR_EN_SET_0", .addr = A_PMC_INTR_EN_SET_0,
      .pre_write = pmc_intr_en_set_pre_write },
    { .name = "PMC_INTR_EN_SET_1", .addr = A_PMC_INTR_EN_SET_1,
      .pre_write = pmc_intr_en_set_pre_write },
    { .name = "PMC_INTR_EN_CLEAR_0", .addr = A_PMC_INTR_EN_CLEAR_0,
      .pre_write = pmc_intr_en_clear_pre_write,
      .post_read = pmc_intr_en_clear_post_read },
    { .name = "PMC_INTR_EN_CLEAR_1", .addr = A_PMC_INTR_EN_CLEAR_1,
      .pre_write = pmc_intr_en_clear_pre_write,
      .post_read = pmc_intr_en_clear_post_read },
    { .name = "PMC_ENABLE", .addr = A_PMC_ENABLE, .reset = 0xffffffff },
};

/* ---- PBUS ---- */

/* gf100_bar_bar{1,2}_init/fini: the block register binds the BAR. */
static void pbus_bar1_block_post_write(RegisterInfo *reg, uint64_t val)
{
    nv_gp107_bar_bound(reg_dev(reg), NV_GP107_VBAR1, val);
}

static void pbus_bar2_block_post_write(RegisterInfo *reg, uint64_t val)
{
    nv_gp107_bar_bound(reg_dev(reg), NV_GP107_VBAR2, val);
}

uint32_t nv_gp107_bar_block(NvGp107State *s, NvGp107Bar bar)
{
    return bar == NV_GP107_VBAR1 ? GP107_REG(s, PBUS, PBUS_BAR1_BLOCK) :
                                   GP107_REG(s, PBUS, PBUS_BAR2_BLOCK);
}

static const RegisterAccessInfo pbus_regs[] = {
    GP107_W1C("BUS_INTR_0", A_PBUS_INTR_0),                 /* gf100_bus */
    GP107_RW("BUS_INTR_EN_0", A_PBUS_INTR_EN_0),
    /* nv50_instobj_*_slow: PRAMIN window base (PRAMIN reads it) */
    GP107_RW("BUS_BAR0_WINDOW", A_PBUS_BAR0_WINDOW),
    { .name = "BUS_BAR1_BLOCK", .addr = A_PBUS_BAR1_BLOCK,
      .post_write = pbus_bar1_block_post_write },
    /* gm107_bar_bar{1,2}_wait: binds complete at once */
    GP107_RO("BUS_BIND_STATUS", A_PBUS_BIND_STATUS, 0),
    { .name = "BUS_BAR2_BLOCK", .addr = A_PBUS_BAR2_BLOCK,
      .post_write = pbus_bar2_block_post_write },
};

/* ---- PFIFO: only the replayable fault buffer ---- */

static const RegisterAccessInfo pfifo_regs[] = {
    /* gp100_fault_buffer_init/fini (SVM builds only) */
    GP107_RW("FIFO_REPLAY_FAULT_BUFFER_LO", A_PFIFO_REPLAY_FAULT_BUFFER_LO),
    GP107_RW("FIFO_REPLAY_FAULT_BUFFER_HI", A_PFIFO_REPLAY_FAULT_BUFFER_HI),
    /* gp100_fault_buffer_info: entries; 0 would fail the fault oneinit */
    GP107_RO("FIFO_REPLAY_FAULT_BUFFER_SIZE", A_PFIFO_REPLAY_FAULT_BUFFER_SIZE,
             NV_GP107_FAULT_BUFFER_ENTRIES),
    GP107_RW("FIFO_REPLAY_FAULT_BUFFER_GET", A_PFIFO_REPLAY_FAULT_BUFFER_GET),
    GP107_RW("FIFO_REPLAY_FAULT_BUFFER_PUT", A_PFIFO_REPLAY_FAULT_BUFFER_PUT),
};

/* ---- PTIMER ---- */

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

static uint64_t ptimer_time_0_post_read(RegisterInfo *reg, uint64_t val)
{
    return (uint32_t)nv_gp107_ptimer_now(reg_dev(reg));
}

static uint64_t ptimer_time_1_post_read(RegisterInfo *reg, uint64_t val)
{
    return nv_gp107_ptimer_now(reg_dev(reg)) >> 32;
}

/* nv04_timer_time: TIME_1 first (its storage latches), then TIME_0. */
static void ptimer_time_0_post_write(RegisterInfo *reg, uint64_t val)
{
    NvGp107State *s = reg_dev(reg);
    uint64_t t = deposit64(val, 32, 32, GP107_REG(s, PTIMER, PTIMER_TIME_1));

    s->ptimer_offset = t - qemu_clock_get_ns(QEMU_CLOCK_VIRTUAL);
    s->ptimer_last = 0;
}

static const RegisterAccessInfo ptimer_regs[] = {
    GP107_W1C("PTIMER_INTR_0", A_PTIMER_INTR_0),            /* nv04_timer */
    GP107_RW("PTIMER_INTR_EN_0", A_PTIMER_INTR_EN_0),
    { .name = "PTIMER_TIME_0", .addr = A_PTIMER_TIME_0,
      .post_read = ptimer_time_0_post_read,
      .post_write = ptimer_time_0_post_write },
    { .name = "PTIMER_TIME_1", .addr = A_PTIMER_TIME_1,
      .post_read = ptimer_time_1_post_read },
    GP107_RW("PTIMER_ALARM_0", A_PTIMER_ALARM_0),
};

/* ---- GPIO / I2C AUX interrupt registers (gk104_gpio, gk104_aux) ---- */

static const RegisterAccessInfo gpio_regs[] = {
    GP107_W1C("GPIO_INTR_STAT_0", A_GPIO_INTR_STAT_0),
    GP107_RW("GPIO_INTR_EN_0", A_GPIO_INTR_EN_0),
    GP107_W1C("AUX_INTR_STAT", A_AUX_INTR_STAT),
    GP107_RW("AUX_INTR_EN", A_AUX_INTR_EN),
    GP107_W1C("GPIO_INTR_STAT_1", A_GPIO_INTR_STAT_1),
    GP107_RW("GPIO_INTR_EN_1", A_GPIO_INTR_EN_1),
};

/* ---- THERM, FUSE, PTOP ---- */

static const RegisterAccessInfo therm_regs[] = {
    /* gp100_temp_get: bit 29 clear = no sensor, so no alarms are armed */
    GP107_RO("THERM_TSENSOR", A_THERM_TSENSOR, 0),
};

static const RegisterAccessInfo fuse_regs[] = {
    /* gm107_devinit_disable: CE0/CE2 present, DISP fused off */
    GP107_RO("FUSE_CE_DISABLE", A_FUSE_CE_DISABLE, 0),
    GP107_RO("FUSE_DISP_DISABLE", A_FUSE_DISP_DISABLE, 1),
};

static const RegisterAccessInfo ptop_regs[] = {
    /* gf100_devinit_preinit: DEVINIT_COMPLETED, so no PMU POST */
    GP107_RO("PTOP_SCRATCH1", A_PTOP_SCRATCH1,
             NV_PTOP_SCRATCH1_DEVINIT_COMPLETED),
};

/* gk104_top_parse: an all-zero device-info table (no engines). */
static bool ptop_read(NvGp107State *s, uint32_t addr, unsigned size,
                      uint64_t *val)
{
    if (addr >= NV_PTOP_DEVICE_INFO(0) && addr < NV_PTOP_DEVICE_INFO(64)) {
        *val = 0;
        return true;
    }
    return false;
}

/* ---- FLUSH ---- */

static const RegisterAccessInfo flush_regs[] = {
    /* g84_bar_flush: write 1, poll bit 1 clear; completes at once */
    GP107_RO("UFLUSH_FB_FLUSH", A_UFLUSH_FB_FLUSH, 0),
};

/* ---- XVE: PCI config mirror ---- */

static const RegisterAccessInfo xve_regs[] = {
    /* nvkm_pci_rom_shadow: ROM shadow bit; PROM is served either way */
    GP107_RW("XVE_ROM_CTRL", A_XVE_ROM_CTRL),
};

/* The config space, outside XVE_ROM_CTRL (its register block). */
static bool xve_read(NvGp107State *s, uint32_t addr, unsigned size,
                     uint64_t *val)
{
    uint32_t off = addr - NV_XVE_BASE;

    if (off + size <= pci_config_size(PCI_DEVICE(s))) {
        *val = pci_default_read_config(PCI_DEVICE(s), off, size);
        return true;
    }
    return false;
}

static bool xve_write(NvGp107State *s, uint32_t addr, uint64_t val,
                      unsigned size)
{
    if (addr == NV_XVE_MSI_REARM) {
        /* gp100_pci_msi_rearm: nothing is ever pending, nothing to send */
        trace_nv_gp107_msi_rearm(msi_enabled(PCI_DEVICE(s)));
        return true;
    }
    return false;
}

/* ---- PFB / MMU ---- */

/* gp102_fb_vidmem_size: VRAM as LOWER_MAG << (LOWER_SCALE + 20). */
static uint64_t pfb_local_memory_range_post_read(RegisterInfo *reg,
                                                 uint64_t val)
{
    uint64_t mag = reg_dev(reg)->vram_size >> 20;
    unsigned scale = 0;

    while (mag > 0x3f || (!(mag & 1) && scale < 15 && mag > 1)) {
        mag >>= 1;
        scale++;
    }
    val = FIELD_DP32(0, PFB_MMU_LOCAL_MEMORY_RANGE, LOWER_SCALE, scale);
    return FIELD_DP32(val, PFB_MMU_LOCAL_MEMORY_RANGE, LOWER_MAG, mag);
}

/*
 * gf100_vmm_invalidate: TRIGGER runs the invalidate within the write (so
 * MMU_CTRL's PRI FIFO is always empty) and reads back 0.
 */
static void pfb_mmu_invalidate_post_write(RegisterInfo *reg, uint64_t val)
{
    NvGp107State *s = reg_dev(reg);

    if (FIELD_EX32(val, PFB_MMU_INVALIDATE, TRIGGER)) {
        nv_gp107_invalidate(s, val, GP107_REG(s, PFB, PFB_MMU_INVALIDATE_PDB),
                            GP107_REG(s, PFB, PFB_MMU_INVALIDATE_UPPER_PDB));
    }
    GP107_REG(s, PFB, PFB_MMU_INVALIDATE) =
        FIELD_DP32(val, PFB_MMU_INVALIDATE, TRIGGER, 0);
}

#define PFB_MMU_CTRL_STATUS \
    (R_PFB_MMU_CTRL_PRI_FIFO_EMPTY_MASK | R_PFB_MMU_CTRL_PRI_FIFO_SPACE_MASK)

static const RegisterAccessInfo pfb_regs[] = {
    /* gf100_fb_sysmem_flush_page_init */
    GP107_RW("FB_NISO_FLUSH_SYSMEM_ADDR", A_PFB_NISO_FLUSH_SYSMEM_ADDR),
    /* gp100_fb_init_remapper */
    GP107_RW("FB_REMAPPER", A_PFB_REMAPPER),
    /*
     * gf100_vmm_invalidate polls PRI_FIFO_SPACE != 0 before, PRI_FIFO_EMPTY
     * after: both fixed; the rest is storage (gm200_fb_init_page sets 11
     * and 12).
     */
    { .name = "FB_MMU_CTRL", .addr = A_PFB_MMU_CTRL,
      .reset = R_PFB_MMU_CTRL_PRI_FIFO_EMPTY_MASK |
               (0x20 << R_PFB_MMU_CTRL_PRI_FIFO_SPACE_SHIFT),
      .ro = PFB_MMU_CTRL_STATUS },
    GP107_RW("FB_MMU_INVALIDATE_PDB", A_PFB_MMU_INVALIDATE_PDB),
    { .name = "FB_MMU_INVALIDATE", .addr = A_PFB_MMU_INVALIDATE,
      .post_write = pfb_mmu_invalidate_post_write },
    /* gm200_fb_init */
    GP107_RW("FB_MMU_DEBUG_CTRL", A_PFB_MMU_DEBUG_CTRL),
    GP107_RW("FB_MMU_DEBUG_WR", A_PFB_MMU_DEBUG_WR),
    GP107_RW("FB_MMU_DEBUG_RD", A_PFB_MMU_DEBUG_RD),
    /* gp102_fb_vpr_scrub_required: bit 4 clear = VPR not locked */
    GP107_RO("FB_VPR_INFO", A_PFB_VPR_INFO, 0),
    { .name = "FB_MMU_LOCAL_MEMORY_RANGE", .addr = A_PFB_MMU_LOCAL_MEMORY_RANGE,
      .ro = ~0, .post_read = pfb_local_memory_range_post_read },
    GP107_RW("FB_MMU_INVALIDATE_UPPER_PDB", A_PFB_MMU_INVALIDATE_UPPER_PDB),
};

static const RegisterAccessInfo pextdev_regs[] = {
    /* strap: 27 MHz crystal, RAMCFG 0 (matches the VBIOS M0203 entry) */
    GP107_RO("PEXTDEV_BOOT_0", A_PEXTDEV_BOOT_0, 0x00400000),
};

static const RegisterAccessInfo fbram_regs[] = {
    /* gp100_ram_init writes it blindly */
    GP107_RO("FB_UNK_10ECC0", A_PFB_UNK_10ECC0, 0),
};

/* ---- priv ring, LTC (gp100_ltc_oneinit, ltc ZBC clears) ---- */

static const RegisterAccessInfo pri_regs[] = {
    GP107_RO("PRI_RINGMASTER_ENUM_LTC", A_PRI_RINGMASTER_ENUM_LTC, 2),
};

static const RegisterAccessInfo ltc_regs[] = {
    GP107_RO("LTCS_ZBC_STENCIL_CLEAR", A_PLTCG_LTCS_ZBC_STENCIL_CLEAR, 0),
    GP107_RO("LTCS_CBC_NUM_LTS", A_PLTCG_LTCS_CBC_NUM_LTS, 0x20000000),
    GP107_RO("LTCS_ZBC_INDEX", A_PLTCG_LTCS_ZBC_INDEX, 0),
    GP107_RO("LTCS_ZBC_COLOR_CLEAR_0", A_PLTCG_LTCS_ZBC_COLOR_CLEAR_0, 0),
    GP107_RO("LTCS_ZBC_COLOR_CLEAR_1", A_PLTCG_LTCS_ZBC_COLOR_CLEAR_1, 0),
    GP107_RO("LTCS_ZBC_COLOR_CLEAR_2", A_PLTCG_LTCS_ZBC_COLOR_CLEAR_2, 0),
    GP107_RO("LTCS_ZBC_COLOR_CLEAR_3", A_PLTCG_LTCS_ZBC_COLOR_CLEAR_3, 0),
    GP107_RO("LTCS_ZBC_DEPTH_CLEAR", A_PLTCG_LTCS_ZBC_DEPTH_CLEAR, 0),
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

/* ---- VGA CRTC (nvkm_lockvgac): an index and a read-as-zero data port ---- */

static bool vga_read(NvGp107State *s, uint32_t addr, unsigned size,
                     uint64_t *val)
{
    if (size != 1 ||
        (addr != NV_PRMVIO_CRTC_INDEX && addr != NV_PRMVIO_CRTC_DATA)) {
        return false;
    }
    *val = addr == NV_PRMVIO_CRTC_INDEX ? s->crtc_index : 0;
    return true;
}

static bool vga_write(NvGp107State *s, uint32_t addr, uint64_t val,
                      unsigned size)
{
    if (size != 1 ||
        (addr != NV_PRMVIO_CRTC_INDEX && addr != NV_PRMVIO_CRTC_DATA)) {
        return false;
    }
    if (addr == NV_PRMVIO_CRTC_INDEX) {
        s->crtc_index = val;
    }
    return true;
}

/* ---- GR's falcons (never started) ---- */

static const RegisterAccessInfo fecs_regs[] = {
    /* nvkm_falcon_oneinit via nvkm_acr_oneinit: sizes and version only */
    GP107_RO("FECS_FALCON_HWCFG", A_PGRAPH_FECS_FALCON_HWCFG,
             NV_GP107_FECS_HWCFG),
    GP107_RO("FECS_FALCON_HWCFG1", A_PGRAPH_FECS_FALCON_HWCFG1,
             NV_GP107_FALCON_HWCFG1),
};

static const RegisterAccessInfo gpccs_regs[] = {
    GP107_RO("GPCCS_FALCON_HWCFG", A_PGRAPH_GPCCS_FALCON_HWCFG,
             NV_GP107_GPCCS_HWCFG),
    GP107_RO("GPCCS_FALCON_HWCFG1", A_PGRAPH_GPCCS_FALCON_HWCFG1,
             NV_GP107_FALCON_HWCFG1),
};

/* ---- DISP leftovers ---- */

static const RegisterAccessInfo disp_regs[] = {
    /* gf119_disp_fini */
    GP107_RO("DISP_UNK_6100B0", A_PDISP_UNK_6100B0, 0),
};

static const RegisterAccessInfo disp2_regs[] = {
    /* bios pramin_init */
    GP107_RO("DISP_UNK_619F04", A_PDISP_UNK_619F04, 0),
};

/* ---- PRAMIN window ---- */

static bool pramin_read(NvGp107State *s, uint32_t addr, unsigned size,
                        uint64_t *val)
{
    *val = nv_gp107_pramin_read(s, GP107_REG(s, PBUS, PBUS_BAR0_WINDOW),
                                addr - NV_PRAMIN_BASE, size);
    return true;
}

static bool pramin_write(NvGp107State *s, uint32_t addr, uint64_t val,
                         unsigned size)
{
    nv_gp107_pramin_write(s, GP107_REG(s, PBUS, PBUS_BAR0_WINDOW),
                          addr - NV_PRAMIN_BASE, val, size);
    return true;
}

/* ---- FBPA broadcast (gp100_ram_init read-modify-writes) ---- */

static const RegisterAccessInfo fbpa_regs[] = {
    GP107_RW("FBPA_UNK_9A0160", A_PFBPA_UNK_9A0160),
    GP107_RW("FBPA_UNK_9A0584", A_PFBPA_UNK_9A0584),
    GP107_RW("FBPA_UNK_9A065C", A_PFBPA_UNK_9A065C),
};

/* ---- The BAR0 map ---- */

struct NvGp107UnitInfo {
    const char *name;
    uint32_t base, size;                /* the unit's BAR0 range */
    uint32_t regs_base;                 /* BAR0 offset of A_* 0 */
    unsigned slot, nslots;              /* s->regs[slot, slot + nslots) */
    const RegisterAccessInfo *regs;
    unsigned nregs;
    /* Windows and ports outside the table; false if not handled. */
    bool (*read)(NvGp107State *s, uint32_t addr, unsigned size,
                 uint64_t *val);
    bool (*write)(NvGp107State *s, uint32_t addr, uint64_t val,
                  unsigned size);
};

#define UNIT_REGS(u, table) \
    .regs_base = u##_REGS, .slot = u##_SLOT, .nslots = u##_NREGS, \
    .regs = (table), .nregs = ARRAY_SIZE(table)

/* In address order; a unit without a table is a window. */
static const NvGp107UnitInfo units[NV_GP107_NUNITS] = {
    { "PMC", 0x000000, 0x001000, UNIT_REGS(PMC, pmc_regs) },
    { "PBUS", 0x001000, 0x001000, UNIT_REGS(PBUS, pbus_regs) },
    { "PFIFO", 0x002000, 0x002000, UNIT_REGS(PFIFO, pfifo_regs) },
    { "PTIMER", 0x009000, 0x001000, UNIT_REGS(PTIMER, ptimer_regs) },
    { "GPIO", 0x00d000, 0x001000, UNIT_REGS(GPIO, gpio_regs) },
    { "THERM", 0x020000, 0x001000, UNIT_REGS(THERM, therm_regs) },
    { "FUSE", 0x021000, 0x001000, UNIT_REGS(FUSE, fuse_regs) },
    { "PTOP", 0x022000, 0x001000, UNIT_REGS(PTOP, ptop_regs),
      .read = ptop_read },
    { "FLUSH", 0x070000, 0x001000, UNIT_REGS(FLUSH, flush_regs) },
    { "XVE", NV_XVE_BASE, 0x001000, UNIT_REGS(XVE, xve_regs),
      .read = xve_read, .write = xve_write },
    { "PFB", 0x100000, 0x001000, UNIT_REGS(PFB, pfb_regs) },
    { "PEXTDEV", 0x101000, 0x001000, UNIT_REGS(PEXTDEV, pextdev_regs) },
    { "PFB_RAM", 0x10e000, 0x001000, UNIT_REGS(FBRAM, fbram_regs) },
    { "PRI", 0x120000, 0x010000, UNIT_REGS(PRI, pri_regs) },
    { "LTC", 0x140000, 0x040000, UNIT_REGS(LTC, ltc_regs) },
    { "PROM", NV_PROM_BASE, NV_PROM_SIZE, .read = prom_read },
    { "FECS", 0x409000, 0x001000, UNIT_REGS(FECS, fecs_regs) },
    { "GPCCS", 0x41a000, 0x001000, UNIT_REGS(GPCCS, gpccs_regs) },
    { "VGA", 0x601000, 0x001000, .read = vga_read, .write = vga_write },
    { "DISP", 0x610000, 0x001000, UNIT_REGS(DISP, disp_regs) },
    { "DISP_619", 0x619000, 0x001000, UNIT_REGS(DISP2, disp2_regs) },
    { "PRAMIN", NV_PRAMIN_BASE, NV_PRAMIN_SIZE, .read = pramin_read,
      .write = pramin_write },
    { "FBPA", 0x9a0000, 0x001000, UNIT_REGS(FBPA, fbpa_regs) },
};

/* ---- Dispatch ---- */

static uint64_t unhandled_read(NvGp107State *s, const char *unit,
                               uint32_t addr, unsigned size)
{
    s->unhandled++;
    trace_nv_gp107_unhandled_read(unit, addr, size);
    qemu_log_mask(LOG_UNIMP, "nv-gp107: %u-byte read of BAR0 0x%06x (%s) "
                  "unimplemented, reads 0\n", size, addr, unit);
    return 0;
}

static void unhandled_write(NvGp107State *s, const char *unit, uint32_t addr,
                            uint64_t val, unsigned size)
{
    s->unhandled++;
    trace_nv_gp107_unhandled_write(unit, addr, size, val);
    qemu_log_mask(LOG_UNIMP, "nv-gp107: %u-byte write of 0x%" PRIx64 " to "
                  "BAR0 0x%06x (%s) unimplemented, ignored\n", size, val,
                  addr, unit);
}

/* What a unit's table does not hold; @addr is a BAR0 offset. */
static uint64_t unit_read(NvGp107Unit *u, uint32_t addr, unsigned size)
{
    uint64_t val;

    if (u->info->read && u->info->read(u->s, addr, size, &val)) {
        trace_nv_gp107_bar0_read(u->info->name, addr, size, val);
        return val;
    }
    return unhandled_read(u->s, u->info->name, addr, size);
}

static void unit_write(NvGp107Unit *u, uint32_t addr, uint64_t val,
                       unsigned size)
{
    if (u->info->write && u->info->write(u->s, addr, val, size)) {
        trace_nv_gp107_bar0_write(u->info->name, addr, size, val);
        return;
    }
    unhandled_write(u->s, u->info->name, addr, val, size);
}

static uint64_t gp107_unit_read(void *opaque, hwaddr addr, unsigned size)
{
    NvGp107Unit *u = opaque;

    return unit_read(u, u->info->base + addr, size);
}

static void gp107_unit_write(void *opaque, hwaddr addr, uint64_t val,
                             unsigned size)
{
    NvGp107Unit *u = opaque;

    unit_write(u, u->info->base + addr, val, size);
}

/* The table register at @off of @u's block, or NULL. */
static RegisterInfo *unit_reg(NvGp107Unit *u, hwaddr off)
{
    RegisterInfo *r;

    if (off / 4 >= u->info->nslots) {
        return NULL;
    }
    r = &u->s->regs_info[u->info->slot + off / 4];
    return r->access ? r : NULL;
}

/*
 * A register block: any read size (of the aligned register), 32-bit
 * writes; other offsets of the block belong to the unit.
 */
static uint64_t gp107_reg_read(void *opaque, hwaddr off, unsigned size)
{
    RegisterInfoArray *ra = opaque;
    NvGp107Unit *u = ra->r[0]->opaque;
    uint32_t addr = u->info->regs_base + off;
    RegisterInfo *r = unit_reg(u, off & ~3);
    uint64_t val;

    if (!r) {
        return unit_read(u, addr, size);
    }
    /* Accesses are aligned to their size: a sub-word read stays inside. */
    val = extract64(register_read_memory(ra, off & ~3, 4), (off & 3) * 8,
                    size * 8);
    trace_nv_gp107_bar0_read(r->access->name, addr, size, val);
    return val;
}

static void gp107_reg_write(void *opaque, hwaddr off, uint64_t val,
                            unsigned size)
{
    RegisterInfoArray *ra = opaque;
    NvGp107Unit *u = ra->r[0]->opaque;
    uint32_t addr = u->info->regs_base + off;
    RegisterInfo *r = unit_reg(u, off & ~3);

    if (!r || size != 4) {
        if (r) {
            unhandled_write(u->s, r->access->name, addr, val, size);
        } else {
            unit_write(u, addr, val, size);
        }
        return;
    }
    trace_nv_gp107_bar0_write(r->access->name, addr, size, val);
    register_write_memory(ra, off, val, size);
}

/*
 * Registers are 32-bit; the VGA CRTC ports are 8-bit and PROM/PRAMIN take
 * any size up to 4.  Wider accesses are split by the memory core.
 */
#define GP107_BAR0_ACCESS \
    .endianness = DEVICE_LITTLE_ENDIAN, \
    .valid = { .min_access_size = 1, .max_access_size = 8 }, \
    .impl = { .min_access_size = 1, .max_access_size = 4 }

static const MemoryRegionOps gp107_reg_ops = {
    .read = gp107_reg_read,
    .write = gp107_reg_write,
    GP107_BAR0_ACCESS,
};

static const MemoryRegionOps gp107_unit_ops = {
    .read = gp107_unit_read,
    .write = gp107_unit_write,
    GP107_BAR0_ACCESS,
};

/* BAR0 outside every unit. */
static uint64_t gp107_bar0_read(void *opaque, hwaddr addr, unsigned size)
{
    return unhandled_read(opaque, "none", addr, size);
}

static void gp107_bar0_write(void *opaque, hwaddr addr, uint64_t val,
                             unsigned size)
{
    unhandled_write(opaque, "none", addr, val, size);
}

static const MemoryRegionOps gp107_bar0_ops = {
    .read = gp107_bar0_read,
    .write = gp107_bar0_write,
    GP107_BAR0_ACCESS,
};

/* ---- Life cycle ---- */

void nv_gp107_regs_init(NvGp107State *s)
{
    unsigned i, j;

    memory_region_init_io(&s->bar0, OBJECT(s), &gp107_bar0_ops, s,
                          "nv-gp107-bar0", NV_GP107_BAR0_SIZE);
    s->bar0.disable_reentrancy_guard = true;
    for (i = 0; i < ARRAY_SIZE(units); i++) {
        const NvGp107UnitInfo *info = &units[i];
        NvGp107Unit *u = &s->units[i];
        g_autofree char *lower = g_ascii_strdown(info->name, -1);
        g_autofree char *name = g_strdup_printf("nv-gp107-%s", lower);

        u->s = s;
        u->info = info;
        memory_region_init_io(&u->mr, OBJECT(s), &gp107_unit_ops, u, name,
                              info->size);
        if (info->nregs) {
            g_assert(info->regs_base - info->base + info->nslots * 4 <=
                     info->size);
            for (j = 0; j < info->nregs; j++) {
                g_assert(info->regs[j].addr / 4 < info->nslots);
            }
            u->ra = register_init_block32(DEVICE(s), info->regs, info->nregs,
                                          &s->regs_info[info->slot],
                                          &s->regs[info->slot],
                                          &gp107_reg_ops, false,
                                          info->nslots * 4);
            u->ra->prefix = info->name;
            for (j = 0; j < info->nregs; j++) {
                u->ra->r[j]->opaque = u;
            }
            memory_region_add_subregion(&u->mr, info->regs_base - info->base,
                                        &u->ra->mem);
            u->ra->mem.disable_reentrancy_guard = true;
        }
        /*
         * Only reachable through the guest's BAR (bar0_io, device.c), whose
         * handler already holds the device's re-entrancy guard.
         */
        u->mr.disable_reentrancy_guard = true;
        memory_region_add_subregion(&s->bar0, info->base, &u->mr);
    }
}

void nv_gp107_regs_finalize(NvGp107State *s)
{
    unsigned i;

    for (i = 0; i < ARRAY_SIZE(units); i++) {
        if (s->units[i].ra) {
            register_finalize_block(s->units[i].ra);
            s->units[i].ra = NULL;
        }
    }
}

void nv_gp107_regs_reset(NvGp107State *s)
{
    unsigned i, j;

    for (i = 0; i < ARRAY_SIZE(units); i++) {
        RegisterInfoArray *ra = s->units[i].ra;

        for (j = 0; ra && j < ra->num_elements; j++) {
            register_reset(ra->r[j]);
        }
    }
    s->crtc_index = 0;
    /* After the registers: TIME_0's reset wrote the time. */
    s->ptimer_offset = 0;
    s->ptimer_last = 0;
}

/*
 * A loaded register holds what its writes can leave: read-only bits as
 * reset, write-1-to-clear bits 0 (they reset to 0), slots between
 * registers 0.
 */
bool nv_gp107_regs_post_load(NvGp107State *s)
{
    unsigned i, j;

    for (i = 0; i < ARRAY_SIZE(units); i++) {
        const NvGp107UnitInfo *info = &units[i];

        for (j = 0; j < info->nslots; j++) {
            const RegisterAccessInfo *ac =
                s->regs_info[info->slot + j].access;
            uint32_t v = s->regs[info->slot + j];

            if (ac ? ((v ^ ac->reset) & ac->ro) || (v & ac->w1c) : v) {
                return false;
            }
        }
    }
    return true;
}
