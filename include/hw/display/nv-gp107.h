/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * nv-vmbind-gp107: an NVIDIA GP107 (Pascal, pre-GSP) personality of the
 * nv-vmbind device, for Linux's unmodified nouveau driver.
 *
 * BAR0 register offsets the model implements, grouped by unit.  Names
 * follow NVIDIA's nvgpu headers for the sibling GP106/GP10B chips where
 * such names exist; behaviour follows nouveau (Linux 6.12).  Plain
 * constants only: shared by the device, qtests and guest tools, and the
 * one list of offsets (gp107/regs.c derives its REG32/FIELD definitions
 * from these).  Fields the device decodes have _SHIFT/_LENGTH pairs.  The
 * register reference is docs/specs/nv-vmbind-gp107.rst.
 */
#ifndef HW_DISPLAY_NV_GP107_H
#define HW_DISPLAY_NV_GP107_H

#define TYPE_NV_GP107               "nv-vmbind-gp107"

/* PCI identity */
#define NV_GP107_PCI_VENDOR_ID      0x10de
#define NV_GP107_PCI_DEVICE_ID      0x1c82      /* GeForce GTX 1050 Ti */
#define NV_GP107_PCI_REVISION       0xa1
#define NV_GP107_PCI_CLASS          0x030200    /* 3D controller */
#define NV_GP107_PCI_INT_PIN        1           /* INTA# */

/* BARs (PCI resource numbers) */
#define NV_GP107_BAR_REGS           0           /* BAR0: 16 MiB registers */
#define NV_GP107_BAR_FB             1           /* BAR1: VRAM via BAR1 VMM */
#define NV_GP107_BAR_INST           3           /* BAR3: BAR2 VMM aperture */
#define NV_GP107_BAR0_SIZE          (16u << 20)
#define NV_GP107_BAR1_SIZE_DEFAULT  (256ULL << 20)
#define NV_GP107_BAR3_SIZE_DEFAULT  (32ULL << 20)

/* ---- PMC 0x000000 ---- */
#define NV_PMC_BOOT_0               0x000000
#define NV_PMC_BOOT_0_GP107         0x137000a1
#define NV_PMC_BOOT_1               0x000004
#define NV_PMC_INTR(i)              (0x000100 + (i) * 4)
#define NV_PMC_INTR_EN_SET(i)       (0x000160 + (i) * 4)
#define NV_PMC_INTR_EN_CLEAR(i)     (0x000180 + (i) * 4)
#define NV_PMC_ENABLE               0x000200

/* ---- PBUS 0x001000 ---- */
#define NV_PBUS_INTR_0              0x001100
#define NV_PBUS_INTR_EN_0           0x001140
#define NV_PBUS_BAR0_WINDOW         0x001700    /* PRAMIN base >> 16 */
#define NV_PBUS_BAR0_WINDOW_BASE_MASK   0x00ffffffu
#define NV_PBUS_BAR1_BLOCK          0x001704
#define NV_PBUS_BIND_STATUS         0x001710
#define NV_PBUS_BAR2_BLOCK          0x001714
#define NV_PBUS_BLOCK_PTR_MASK      0x0fffffffu /* inst >> 12 */
#define NV_PBUS_BLOCK_TARGET_SHIFT  28
#define NV_PBUS_BLOCK_MODE_VIRTUAL  (1u << 31)

/* ---- PFIFO (fault buffer) ---- */
#define NV_PFIFO_REPLAY_FAULT_BUFFER_LO     0x002a70
#define NV_PFIFO_REPLAY_FAULT_BUFFER_HI     0x002a74
#define NV_PFIFO_REPLAY_FAULT_BUFFER_SIZE   0x002a78
#define NV_PFIFO_REPLAY_FAULT_BUFFER_GET    0x002a7c
#define NV_PFIFO_REPLAY_FAULT_BUFFER_PUT    0x002a80
#define NV_GP107_FAULT_BUFFER_ENTRIES       0xc0

/* ---- PTIMER 0x009000 ---- */
#define NV_PTIMER_INTR_0            0x009100
#define NV_PTIMER_INTR_EN_0         0x009140
#define NV_PTIMER_TIME_0            0x009400
#define NV_PTIMER_TIME_1            0x009410
#define NV_PTIMER_ALARM_0           0x009420

/* ---- GPIO and I2C AUX interrupts 0x00d000 (gk104_gpio, gk104_aux) ---- */
#define NV_GPIO_INTR_STAT_0         0x00dc00
#define NV_GPIO_INTR_EN_0           0x00dc08
#define NV_AUX_INTR_STAT            0x00dc60
#define NV_AUX_INTR_EN              0x00dc68
#define NV_GPIO_INTR_STAT_1         0x00dc80
#define NV_GPIO_INTR_EN_1           0x00dc88

/* ---- THERM / FUSE / PTOP ---- */
#define NV_THERM_TSENSOR            0x020460
#define NV_FUSE_CE_DISABLE          0x021c00
#define NV_FUSE_DISP_DISABLE        0x021c04
#define NV_PTOP_SCRATCH1            0x02240c
#define NV_PTOP_SCRATCH1_DEVINIT_COMPLETED  (1u << 1)
#define NV_PTOP_DEVICE_INFO(i)      (0x022700 + (i) * 4)    /* i < 64 */

/* ---- FLUSH ---- */
#define NV_UFLUSH_FB_FLUSH          0x070000

/* ---- XVE (PCI config mirror) 0x088000 ---- */
#define NV_XVE_BASE                 0x088000
#define NV_XVE_ROM_CTRL             0x088050
#define NV_XVE_MSI_REARM            0x088704

/* ---- PFB / MMU 0x100000 ---- */
#define NV_PFB_NISO_FLUSH_SYSMEM_ADDR   0x100c10
#define NV_PFB_REMAPPER             0x100c14
#define NV_PFB_MMU_CTRL             0x100c80
#define NV_PFB_MMU_CTRL_PRI_FIFO_EMPTY  (1u << 15)
#define NV_PFB_MMU_CTRL_PRI_FIFO_EMPTY_SHIFT    15
#define NV_PFB_MMU_CTRL_PRI_FIFO_EMPTY_LENGTH   1
#define NV_PFB_MMU_CTRL_PRI_FIFO_SPACE_SHIFT    16
#define NV_PFB_MMU_CTRL_PRI_FIFO_SPACE_LENGTH   8
#define NV_PFB_MMU_INVALIDATE_PDB   0x100cb8
#define NV_PFB_MMU_INVALIDATE       0x100cbc
#define NV_PFB_MMU_INVALIDATE_TRIGGER_SHIFT     31
#define NV_PFB_MMU_INVALIDATE_TRIGGER_LENGTH    1
#define NV_PFB_MMU_DEBUG_CTRL       0x100cc4
#define NV_PFB_MMU_DEBUG_WR         0x100cc8
#define NV_PFB_MMU_DEBUG_RD         0x100ccc
#define NV_PFB_VPR_INFO             0x100cd0
#define NV_PFB_MMU_LOCAL_MEMORY_RANGE   0x100ce0
#define NV_PFB_MMU_LOCAL_MEMORY_RANGE_LOWER_SCALE_SHIFT     0
#define NV_PFB_MMU_LOCAL_MEMORY_RANGE_LOWER_SCALE_LENGTH    4
#define NV_PFB_MMU_LOCAL_MEMORY_RANGE_LOWER_MAG_SHIFT       4
#define NV_PFB_MMU_LOCAL_MEMORY_RANGE_LOWER_MAG_LENGTH      6
#define NV_PFB_MMU_INVALIDATE_UPPER_PDB 0x100cec
#define NV_PEXTDEV_BOOT_0           0x101000
#define NV_PFB_UNK_10ECC0           0x10ecc0    /* gp100_ram_init */

/* ---- priv ring / LTC ---- */
#define NV_PRI_RINGMASTER_ENUM_LTC  0x12006c
#define NV_PLTCG_LTCS_ZBC_STENCIL_CLEAR 0x17e204
#define NV_PLTCG_LTCS_CBC_NUM_LTS   0x17e280
#define NV_PLTCG_LTCS_ZBC_INDEX     0x17e338
#define NV_PLTCG_LTCS_ZBC_COLOR_CLEAR_0 0x17e33c
#define NV_PLTCG_LTCS_ZBC_COLOR_CLEAR_1 0x17e340
#define NV_PLTCG_LTCS_ZBC_COLOR_CLEAR_2 0x17e344
#define NV_PLTCG_LTCS_ZBC_COLOR_CLEAR_3 0x17e348
#define NV_PLTCG_LTCS_ZBC_DEPTH_CLEAR   0x17e34c

/*
 * ---- GR's falcons, FECS and GPCCS: configuration read by ACR ----
 * nvkm_falcon_oneinit (through nvkm_acr_oneinit) reads their sizes and
 * version once; nothing is ever loaded into them.
 */
#define NV_PGRAPH_FECS_FALCON_HWCFG     0x409108    /* IMEM[8:0] DMEM[17:9] */
#define NV_PGRAPH_FECS_FALCON_HWCFG1    0x40912c    /* version[3:0] ports */
#define NV_PGRAPH_GPCCS_FALCON_HWCFG    0x41a108
#define NV_PGRAPH_GPCCS_FALCON_HWCFG1   0x41a12c
/* HWCFG: sizes in 256-byte blocks; FECS 32 KiB code, 8 KiB data */
#define NV_GP107_FECS_HWCFG             ((0x8000 >> 8) | ((0x2000 >> 8) << 9))
/* GPCCS 16 KiB code, 4 KiB data */
#define NV_GP107_GPCCS_HWCFG            ((0x4000 >> 8) | ((0x1000 >> 8) << 9))
/* HWCFG1: falcon version 5, no secret level, 1 code and 1 data port */
#define NV_GP107_FALCON_HWCFG1          0x00001105

/* ---- DISP leftovers (DISP is fused off) ---- */
#define NV_PDISP_UNK_6100B0         0x6100b0    /* gf119_disp_fini */
#define NV_PDISP_UNK_619F04         0x619f04    /* bios pramin_init */

/* ---- FBPA broadcast (gp100_ram_init read-modify-writes) ---- */
#define NV_PFBPA_UNK_9A0160         0x9a0160
#define NV_PFBPA_UNK_9A0584         0x9a0584
#define NV_PFBPA_UNK_9A065C         0x9a065c    /* rammap scripts only */

/* ---- windows ---- */
#define NV_PROM_BASE                0x300000    /* VBIOS, 1 MiB */
#define NV_PROM_SIZE                0x100000
#define NV_PRMVIO_CRTC_INDEX        0x6013d4    /* 8-bit VGA CRTC */
#define NV_PRMVIO_CRTC_DATA         0x6013d5
#define NV_PRAMIN_BASE              0x700000    /* VRAM window, 1 MiB */
#define NV_PRAMIN_SIZE              0x100000

#endif /* HW_DISPLAY_NV_GP107_H */
