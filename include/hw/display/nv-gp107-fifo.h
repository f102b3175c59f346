/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * nv-vmbind-gp107: PFIFO, PBDMA, CCSR and PTOP registers, the GPFIFO entry
 * and push-buffer header formats, and the host (PASCAL_CHANNEL_GPFIFO_A,
 * c06f) and copy-engine (PASCAL_DMA_COPY_A/B, c0b5/c1b5) methods the model
 * executes.  Names follow NVIDIA's nvgpu gp10b headers and open-gpu-doc's
 * clc06f.h / clc0b5.h; behaviour follows nouveau 6.12 (the map is
 * shared/reference/gp107-fifo.md, the spec docs/specs/nv-vmbind-gp107.rst).
 * Fixed-width types only: shared by the core, the device, qtests and unit
 * tests.
 */
#ifndef HW_DISPLAY_NV_GP107_FIFO_H
#define HW_DISPLAY_NV_GP107_FIFO_H

/* ---- PMC ---- */
#define NV_PMC_INTR_PFIFO               (1u << 8)   /* PMC_INTR_0 leaf bit */
#define NV_PMC_ENABLE_PFIFO             (1u << 8)
#define NV_PMC_ENABLE_PB                0x000204    /* PBDMA enable mask */

/* ---- PFIFO 0x002000 ---- */
#define NV_PFIFO_CFG0                   0x002004    /* NUM_PBDMA[7:0] */
#define NV_PFIFO_CFG1                   0x002008    /* channels */
#define NV_PFIFO_INTR_0                 0x002100
#define   NV_PFIFO_INTR_0_BIND_ERROR            (1u << 0)
#define   NV_PFIFO_INTR_0_MMU_FAULT             (1u << 28)  /* derived */
#define   NV_PFIFO_INTR_0_PBDMA_INTR            (1u << 29)  /* derived */
#define   NV_PFIFO_INTR_0_RUNLIST_EVENT         (1u << 30)  /* derived */
#define   NV_PFIFO_INTR_0_CHANNEL_INTR          (1u << 31)  /* non-stall */
#define NV_PFIFO_INTR_EN_0              0x002140
#define NV_PFIFO_BAR1_BASE              0x002254
#define   NV_PFIFO_BAR1_BASE_PTR_MASK           0x0fffffffu
#define   NV_PFIFO_BAR1_BASE_VALID              (1u << 28)
#define NV_PFIFO_RUNLIST_BASE           0x002270    /* TARGET[29:28], PTR */
#define NV_PFIFO_RUNLIST                0x002274    /* ID[23:20], LEN[15:0] */
#define   NV_PFIFO_RUNLIST_ID_SHIFT             20
#define   NV_PFIFO_RUNLIST_LEN_MASK             0xffffu
#define NV_PFIFO_ENG_RUNLIST(r)         (0x002284 + (r) * 8)
#define   NV_PFIFO_ENG_RUNLIST_PENDING          (1u << 20)
#define NV_PFIFO_PBDMA_MAP(p)           (0x002390 + (p) * 4)
#define NV_PFIFO_INTR_BIND_ERROR        0x00252c
#define NV_PFIFO_INTR_EN_1              0x002528
#define NV_PFIFO_INTR_SCHED_ERROR       0x00254c
#define NV_PFIFO_INTR_CHSW_ERROR        0x00256c
#define NV_PFIFO_INTR_MMU_FAULT_ID      0x00259c
#define NV_PFIFO_INTR_PBDMA_ID          0x0025a0
#define NV_PFIFO_ERROR_SCHED_DISABLE    0x00262c
#define NV_PFIFO_SCHED_DISABLE          0x002630
#define NV_PFIFO_PREEMPT                0x002634
#define   NV_PFIFO_PREEMPT_ID_MASK              0xfffu
#define   NV_PFIFO_PREEMPT_PENDING              (1u << 20)
#define   NV_PFIFO_PREEMPT_TYPE_TSG             (1u << 24)
#define NV_PFIFO_ENGINE_STATUS(e)       (0x002640 + (e) * 8)
#define NV_PFIFO_MMU_FAULT_INST(u)      (0x002800 + (u) * 16)
#define NV_PFIFO_MMU_FAULT_LO(u)        (0x002804 + (u) * 16)
#define NV_PFIFO_MMU_FAULT_HI(u)        (0x002808 + (u) * 16)
#define NV_PFIFO_MMU_FAULT_INFO(u)      (0x00280c + (u) * 16)
#define   NV_PFIFO_MMU_FAULT_INFO_CLIENT_SHIFT  8
#define   NV_PFIFO_MMU_FAULT_INFO_ACCESS_SHIFT  16
#define   NV_PFIFO_MMU_FAULT_INFO_HUB           (1u << 20)
#define NV_PFIFO_RUNLIST_INTR           0x002a00
#define NV_PFIFO_FB_TIMEOUT             0x002a04
#define NV_PFIFO_TRIGGER_MMU_FAULT(e)   (0x002a30 + (e) * 4)
#define NV_PFIFO_PBDMA_STATUS(p)        (0x003080 + (p) * 4)

/* MMU fault units (engine fault ids) and hub clients the model reports. */
#define NV_GP107_FAULT_UNIT_HOST0       0x06
#define NV_GP107_FAULT_UNIT_CE0         0x15
#define NV_GP107_FAULT_UNITS            0x20
#define NV_GP107_FAULT_CLIENT_CE0       0x01
#define NV_GP107_FAULT_CLIENT_HOST      0x06

/* ---- PBDMA p: 0x040000 + 0x2000 p ---- */
#define NV_PPBDMA_BASE(p)               (0x040000 + (p) * 0x2000)
#define NV_PPBDMA_SIZE                  0x2000
#define NV_PPBDMA_METHOD0               0x0c0
#define NV_PPBDMA_DATA0                 0x0c4
#define NV_PPBDMA_INTR_0                0x108
#define   NV_PPBDMA_INTR_0_MEMREQ               (1u << 0)
#define   NV_PPBDMA_INTR_0_GPFIFO               (1u << 13)
#define   NV_PPBDMA_INTR_0_GPPTR                (1u << 14)
#define   NV_PPBDMA_INTR_0_GPENTRY              (1u << 15)
#define   NV_PPBDMA_INTR_0_PBENTRY              (1u << 18)
#define   NV_PPBDMA_INTR_0_METHOD               (1u << 21)
#define   NV_PPBDMA_INTR_0_DEVICE               (1u << 23)
#define   NV_PPBDMA_INTR_0_SEMAPHORE            (1u << 24)
#define NV_PPBDMA_INTR_EN_0             0x10c
#define NV_PPBDMA_CHANNEL               0x120       /* current chid */
#define NV_PPBDMA_TIMEOUT               0x12c
#define NV_PPBDMA_INTR_STALL            0x13c
#define NV_PPBDMA_INTR_STALL_1          0x140
#define NV_PPBDMA_INTR_1                0x148
#define   NV_PPBDMA_INTR_1_HCE_ILLEGAL_CLASS    (1u << 4)
#define NV_PPBDMA_INTR_EN_1             0x14c

/* ---- CE 0 interrupt registers (gp100_ce_intr): read as zero ---- */
#define NV_PCE_INTR_EN(i)               (0x10440c + (i) * 0x80)
#define NV_PCE_INTR_STATUS(i)           (0x104410 + (i) * 0x80)
#define NV_PCE_LAUNCHERR(i)             (0x104418 + (i) * 0x80)

/* ---- PTOP device info: CE0, engine 1, runlist 0 (map 1.3) ---- */
#define NV_GP107_TOP_CE0_ENUM           0x84028c3eu
#define NV_GP107_TOP_CE0_DATA           0x801040adu
#define NV_GP107_TOP_CE0_TYPE           0x00000007u
/*
 * GR, engine 0, runlist 0, interrupt and reset bit 12, PRI base 0x400000,
 * fault id 0.  Listed so that nouveau constructs GR and with it its
 * graphics channel (drm->channel), which user channels require; GR itself
 * is never initialised (docs/specs/nv-vmbind-gp107.rst, "GR").
 */
#define NV_GP107_TOP_GR_ENUM            0x8006183eu
#define NV_GP107_TOP_GR_DATA            0x80400005u
#define NV_GP107_TOP_GR_TYPE            0x00000003u

/* ---- CCSR: channel c at 0x800000 + 8 c ---- */
#define NV_PCCSR_CHANNEL_INST(c)        (0x800000 + (c) * 8)
#define   NV_PCCSR_INST_PTR_MASK                0x0fffffffu
#define   NV_PCCSR_INST_TARGET_SHIFT            28
#define   NV_PCCSR_INST_BIND                    (1u << 31)
#define NV_PCCSR_CHANNEL(c)             (0x800004 + (c) * 8)
#define   NV_PCCSR_CHANNEL_ENABLE               (1u << 0)
#define   NV_PCCSR_CHANNEL_ENABLE_SET           (1u << 10)
#define   NV_PCCSR_CHANNEL_ENABLE_CLR           (1u << 11)
#define   NV_PCCSR_CHANNEL_PBDMA_FAULTED        (1u << 22)
#define   NV_PCCSR_CHANNEL_ENG_FAULTED          (1u << 23)
#define   NV_PCCSR_CHANNEL_BUSY                 (1u << 28)

/* Channels the model has (NV_PFIFO_CFG1) and runlist entries it reads. */
#define NV_GP107_CHANNELS               512
#define NV_GP107_RUNLIST_MAX_ENTRIES    (2 * NV_GP107_CHANNELS)

/* ---- RAMFC (instance block) words the model reads ---- */
#define NV_RAMFC_USERD                  0x008       /* TARGET[1:0] ADDR[31:9] */
#define NV_RAMFC_USERD_HI               0x00c
#define NV_RAMFC_GP_GET                 0x014       /* saved at preempt */
#define NV_RAMFC_PB_GET                 0x018
#define NV_RAMFC_PB_GET_HI              0x01c
#define NV_RAMFC_GP_BASE                0x048
#define NV_RAMFC_GP_BASE_HI             0x04c       /* HI[7:0], LIMIT2[20:16] */
#define NV_RAMFC_HCE_CTRL               0x0e4       /* nouveau: 0x20 if priv */
#define   NV_RAMFC_HCE_CTRL_HCE_PRIV            (1u << 5)
#define NV_RAMFC_CHID                   0x0e8

/* ---- USERD (0x200 bytes per channel) ---- */
#define NV_USERD_SIZE                   0x200
#define NV_USERD_GET                    0x044
#define NV_USERD_REF                    0x048
#define NV_USERD_TOP_LEVEL_GET          0x058
#define NV_USERD_TOP_LEVEL_GET_HI       0x05c
#define NV_USERD_GET_HI                 0x060
#define NV_USERD_GP_GET                 0x088
#define NV_USERD_GP_PUT                 0x08c

/* ---- GP entry (8 bytes) ---- */
#define NV_GP_ENTRY0_FETCH_CONDITIONAL  (1u << 0)
#define NV_GP_ENTRY0_GET_MASK           0xfffffffcu
#define NV_GP_ENTRY0_OPCODE_MASK        0xffu       /* LENGTH 0 entries */
#define NV_GP_ENTRY1_GET_HI_MASK        0xffu
#define NV_GP_ENTRY1_PRIV               (1u << 8)
#define NV_GP_ENTRY1_LEVEL_SUBROUTINE   (1u << 9)
#define NV_GP_ENTRY1_LENGTH_SHIFT       10
#define NV_GP_ENTRY1_LENGTH_MASK        0x1fffffu   /* dwords */
#define NV_GP_ENTRY1_SYNC_WAIT          (1u << 31)
#define NV_GP_OPCODE_NOP                0
#define NV_GP_OPCODE_ILLEGAL            1
#define NV_GP_OPCODE_GP_CRC             2
#define NV_GP_OPCODE_PB_CRC             3

/* ---- Method header ---- */
#define NV_PB_HDR_ADDR_MASK             0xfffu      /* method >> 2 */
#define NV_PB_HDR_SUBCH_SHIFT           13
#define NV_PB_HDR_COUNT_SHIFT           16
#define NV_PB_HDR_COUNT_MASK            0x1fffu     /* also IMMD data */
#define NV_PB_HDR_SEC_OP_SHIFT          29
#define NV_PB_SEC_OP_GRP0               0
#define NV_PB_SEC_OP_INC                1
#define NV_PB_SEC_OP_GRP2               2
#define NV_PB_SEC_OP_NON_INC            3
#define NV_PB_SEC_OP_IMMD               4
#define NV_PB_SEC_OP_ONE_INC            5
#define NV_PB_SEC_OP_RESERVED6          6
#define NV_PB_SEC_OP_END_PB_SEGMENT     7
/* GRP0 TERT_OP[17:16]: 1..3 subdevice-mask operations */
#define NV_PB_TERT_OP_SHIFT             16

/* Header encoder (the qtests and unit tests build push buffers with it). */
#define NV_PB_HDR(op, subc, mthd, count) \
    (((uint32_t)(op) << NV_PB_HDR_SEC_OP_SHIFT) | \
     (((uint32_t)(count) & NV_PB_HDR_COUNT_MASK) << NV_PB_HDR_COUNT_SHIFT) | \
     (((uint32_t)(subc) & 7) << NV_PB_HDR_SUBCH_SHIFT) | \
     (((uint32_t)(mthd) >> 2) & NV_PB_HDR_ADDR_MASK))

/* ---- Host methods (PASCAL_CHANNEL_GPFIFO_A, c06f): below 0x100 ---- */
#define NV_HOST_CLASS                   0xc06f
#define NV_HOST_METHOD_LIMIT            0x100
#define NVC06F_SET_OBJECT               0x000
#define   NVC06F_SET_OBJECT_CLASS_MASK          0xffffu
#define NVC06F_ILLEGAL                  0x004
#define NVC06F_NOP                      0x008
#define NVC06F_SEMAPHOREA               0x010
#define NVC06F_SEMAPHOREB               0x014
#define NVC06F_SEMAPHOREC               0x018
#define NVC06F_SEMAPHORED               0x01c
#define   NVC06F_SEMAPHORED_OP_MASK             0x1fu
#define   NVC06F_SEMAPHORED_OP_ACQUIRE          0x01
#define   NVC06F_SEMAPHORED_OP_RELEASE          0x02
#define   NVC06F_SEMAPHORED_OP_ACQ_GEQ          0x04
#define   NVC06F_SEMAPHORED_OP_ACQ_AND          0x08
#define   NVC06F_SEMAPHORED_OP_REDUCTION        0x10
#define   NVC06F_SEMAPHORED_RELEASE_SIZE_4BYTE  (1u << 24)
#define NVC06F_NON_STALL_INTERRUPT      0x020
#define NVC06F_FB_FLUSH                 0x024
#define NVC06F_MEM_OP_A                 0x028
#define NVC06F_MEM_OP_B                 0x02c
#define NVC06F_MEM_OP_C                 0x030
#define NVC06F_MEM_OP_D                 0x034
#define   NVC06F_MEM_OP_D_OPERATION_SHIFT       27
#define   NVC06F_MEM_OP_D_MEMBAR                0x05
#define   NVC06F_MEM_OP_D_MMU_TLB_INVALIDATE    0x09
#define   NVC06F_MEM_OP_D_L2_FLUSH_DIRTY        0x10
#define NVC06F_SET_REFERENCE            0x050
#define NVC06F_WFI                      0x078
#define NVC06F_YIELD                    0x080

/* ---- Copy engine (PASCAL_DMA_COPY_A/B): 0x100 and up ---- */
#define NV_CE_CLASS_A                   0xc0b5
#define NV_CE_CLASS_B                   0xc1b5
#define NVC0B5_NOP                      0x100
#define NVC0B5_PM_TRIGGER               0x140
#define NVC0B5_SET_SEMAPHORE_A          0x240       /* UPPER[16:0] */
#define NVC0B5_SET_SEMAPHORE_B          0x244
#define NVC0B5_SET_SEMAPHORE_PAYLOAD    0x248
#define NVC0B5_SET_RENDER_ENABLE_A      0x254
#define NVC0B5_SET_RENDER_ENABLE_B      0x258
#define NVC0B5_SET_RENDER_ENABLE_C      0x25c
#define NVC0B5_SET_SRC_PHYS_MODE        0x260
#define NVC0B5_SET_DST_PHYS_MODE        0x264
#define NVC0B5_LAUNCH_DMA               0x300
#define   NVC0B5_LAUNCH_DMA_TRANSFER_MASK       0x3u
#define   NVC0B5_LAUNCH_DMA_FLUSH               (1u << 2)
#define   NVC0B5_LAUNCH_DMA_SEM_SHIFT           3
#define   NVC0B5_LAUNCH_DMA_SEM_MASK            0x3u
#define   NVC0B5_LAUNCH_DMA_SEM_NONE            0
#define   NVC0B5_LAUNCH_DMA_SEM_ONE_WORD        1
#define   NVC0B5_LAUNCH_DMA_SEM_FOUR_WORD       2
#define   NVC0B5_LAUNCH_DMA_SRC_PITCH           (1u << 7)
#define   NVC0B5_LAUNCH_DMA_DST_PITCH           (1u << 8)
#define   NVC0B5_LAUNCH_DMA_MULTI_LINE          (1u << 9)
#define   NVC0B5_LAUNCH_DMA_REMAP               (1u << 10)
#define   NVC0B5_LAUNCH_DMA_SRC_PHYSICAL        (1u << 12)
#define   NVC0B5_LAUNCH_DMA_DST_PHYSICAL        (1u << 13)
#define   NVC0B5_LAUNCH_DMA_REDUCTION_ENABLE    (1u << 14)
#define NVC0B5_OFFSET_IN_UPPER          0x400       /* [16:0] */
#define NVC0B5_OFFSET_IN_LOWER          0x404
#define NVC0B5_OFFSET_OUT_UPPER         0x408
#define NVC0B5_OFFSET_OUT_LOWER         0x40c
#define NVC0B5_PITCH_IN                 0x410
#define NVC0B5_PITCH_OUT                0x414
#define NVC0B5_LINE_LENGTH_IN           0x418
#define NVC0B5_LINE_COUNT               0x41c
/*
 * Remap and block-linear geometry: 0x700..0x750.  The remap of constants
 * (a fill) is supported; the rest is accepted and refused at LAUNCH_DMA.
 */
#define NVC0B5_GEOMETRY_FIRST           0x700
#define NVC0B5_GEOMETRY_LAST            0x750
#define NVC0B5_SET_REMAP_CONST_A        0x700
#define NVC0B5_SET_REMAP_CONST_B        0x704
#define NVC0B5_SET_REMAP_COMPONENTS     0x708
#define   NVC0B5_REMAP_DST_X_MASK               0x7u        /* [2:0] */
#define   NVC0B5_REMAP_DST_CONST_A              4
#define   NVC0B5_REMAP_DST_CONST_B              5
#define   NVC0B5_REMAP_DST_NO_WRITE             6
#define   NVC0B5_REMAP_COMPONENT_SIZE_SHIFT     16          /* bytes - 1 */
#define   NVC0B5_REMAP_NUM_DST_COMPONENTS_SHIFT 24          /* count - 1 */
#define NVC0B5_OFFSET_UPPER_MASK        0x1ffffu

#endif /* HW_DISPLAY_NV_GP107_FIFO_H */
