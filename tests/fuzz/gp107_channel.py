# SPDX-License-Identifier: GPL-2.0-or-later
"""A GP107 channel as nouveau sets one up, as a list of register writes.

Shared by the seed generators of the QEMU fuzz targets (generic-fuzz on
nv-vmbind-gp107, nv-vmbind-gp107-bar): VRAM is written through PRAMIN
(0x1700 window + 0x700000), then PFIFO, CCSR and the runlist are
programmed as tests/qtest/nv-vmbind-gp107-fifo-test.c does, a push buffer
(object, copy, semaphore release, non-stall interrupt) and a GP entry are
written, and GP_PUT is stored into the channel's USERD through BAR1.

channel_writes() returns ('bar0', offset, u32) and ('bar1', offset, u32)
tuples; the caller encodes them in its target's input format.
"""
import struct

# VER2 encoders (include/hw/display/nv-gmmu-ver2.h), VRAM targets only.
def pde(addr):
    return (addr >> 4) | 2          # address[..12] << 8, aperture VID


def pte(addr):
    return (addr >> 4) | 1          # VALID, aperture VID


RAMIN_VER2_64K = 0xc00              # USE_VER2_PT_FORMAT | BIG_PAGE 64 KiB

# include/hw/display/nv-gp107.h, nv-gp107-fifo.h
BAR0_WINDOW, PRAMIN = 0x1700, 0x700000
BAR1_BLOCK, BLOCK_VIRTUAL = 0x1704, 1 << 31
PMC_ENABLE_PB, PMC_INTR_EN_SET0, PMC_INTR_PFIFO = 0x204, 0x160, 0x100
PFIFO_BAR1_BASE, BAR1_BASE_VALID = 0x2254, 1 << 28
PFIFO_INTR_0, PFIFO_INTR_EN_0, PPBDMA_INTR_EN_0 = 0x2100, 0x2140, 0x4010c
RUNLIST_BASE, RUNLIST = 0x2270, 0x2274
CCSR_INST, CCSR_CHANNEL = 0x800000, 0x800004
INST_BIND, ENABLE_SET = 1 << 31, 1 << 10
RAMFC_USERD, RAMFC_GP_BASE, RAMFC_GP_BASE_HI, RAMFC_CHID = 0x8, 0x48, 0x4c, \
    0xe8
USERD_SIZE, USERD_GP_PUT = 0x200, 0x8c

CH_VM, BAR1_VM = 0x100000, 0x110000     # instance block, PD3..PD0, PT
USERD_PA, RL_PA = 0x180000, 0x1c0000
GP_PA, PB_PA, DST_PA, BACK_PA, SEM_PA = 0x200000, 0x210000, 0x300000, \
    0x320000, 0x340000
GP_VA, PB_VA, DST_VA, BACK_VA, SEM_VA = 0, 0x10000, 0x80000, 0xa0000, 0xc0000
CHID, TSGID = 3, 7


def hdr(op, subc, mthd, count):
    return op << 29 | (count & 0x1fff) << 16 | subc << 13 | mthd >> 2


INC, IMMD = 1, 4
PUSH = [hdr(INC, 4, 0x000, 1), 0xc1b5,                  # SET_OBJECT CE
        hdr(INC, 4, 0x400, 8), 0, DST_VA, 0, BACK_VA,   # offsets
        0x1000, 0x1000, 0x1000, 4,                      # pitches, lines
        hdr(IMMD, 4, 0x300, 0x386),                     # LAUNCH_DMA
        hdr(INC, 0, 0x010, 4), 0, SEM_VA, 7, 2,         # SEMAPHORE release
        hdr(IMMD, 0, 0x020, 0)]                         # NON_STALL_INTERRUPT


class Vram:
    """PRAMIN writes, moving the 64 KiB window only when needed."""

    def __init__(self, out):
        self.out, self.window = out, None

    def w32(self, addr, val):
        if addr >> 16 != self.window:
            self.window = addr >> 16
            self.out.append(('bar0', BAR0_WINDOW, self.window))
        self.out.append(('bar0', PRAMIN + (addr & 0xffff), val & 0xffffffff))

    def w64(self, addr, val):
        self.w32(addr, val)
        self.w32(addr + 4, val >> 32)


def vm(v, base, maps):
    """Instance block at base, PD3..PD0 after it, one 4 KiB PT at +0x5000."""
    v.w64(base + 0x200, base + 0x1000 | RAMIN_VER2_64K)
    v.w64(base + 0x208, (1 << 40) - 1)
    for lvl in range(3):
        v.w64(base + 0x1000 * (lvl + 1), pde(base + 0x1000 * (lvl + 2)))
    v.w64(base + 0x4008, pde(base + 0x5000))            # PD0 small PT
    for va, pa, pages in maps:
        for i in range(pages):
            v.w64(base + 0x5000 + ((va >> 12) + i) * 8, pte(pa + i * 0x1000))


def channel_writes(gp_put=1, push=PUSH, entry_len=None):
    """The writes of a channel running @push as GP entry 0."""
    out = []
    v = Vram(out)
    vm(v, CH_VM, [(GP_VA, GP_PA, 1), (PB_VA, PB_PA, 1), (DST_VA, DST_PA, 4),
                  (BACK_VA, BACK_PA, 4), (SEM_VA, SEM_PA, 1)])
    vm(v, BAR1_VM, [(0, USERD_PA, 1)])
    out.append(('bar0', BAR1_BLOCK, BLOCK_VIRTUAL | BAR1_VM >> 12))
    # VRAM outlives resets: RAMFC and USERD as nouveau leaves them (zeroed).
    for off in range(0, 0x100, 4):
        v.w32(CH_VM + off, 0)
        v.w32(USERD_PA + CHID * USERD_SIZE + off, 0)
    v.w32(CH_VM + RAMFC_USERD, USERD_PA + CHID * USERD_SIZE)
    v.w32(CH_VM + RAMFC_GP_BASE, GP_VA)
    v.w32(CH_VM + RAMFC_GP_BASE_HI, 9 << 16)
    v.w32(CH_VM + RAMFC_CHID, CHID)
    for i, d in enumerate(push):
        v.w32(PB_PA + 4 * i, d)
    n = len(push) if entry_len is None else entry_len
    v.w64(GP_PA, (PB_VA & 0xfffffffc) | (n << 10) << 32)
    for reg, val in [(PMC_ENABLE_PB, 1),
                     (PFIFO_BAR1_BASE, BAR1_BASE_VALID),
                     (PFIFO_INTR_0, 0xffffffff), (PFIFO_INTR_EN_0, 0xffffffff),
                     (PPBDMA_INTR_EN_0, 0xfffffeff),
                     (PMC_INTR_EN_SET0, PMC_INTR_PFIFO),
                     (CCSR_INST + CHID * 8, INST_BIND | CH_VM >> 12),
                     (CCSR_CHANNEL + CHID * 8, ENABLE_SET)]:
        out.append(('bar0', reg, val))
    v.w32(RL_PA, 1 << 26 | 128 << 18 | 3 << 14 | 0x2000 | TSGID)
    v.w32(RL_PA + 4, 0)
    v.w32(RL_PA + 8, CHID)
    v.w32(RL_PA + 12, CH_VM >> 12)
    out.append(('bar0', RUNLIST_BASE, RL_PA >> 12))
    out.append(('bar0', RUNLIST, 2))
    out.append(('bar1', CHID * USERD_SIZE + USERD_GP_PUT, gp_put))
    return out


def pack_u32(v):
    return struct.pack('<I', v)
