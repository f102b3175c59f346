#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""Seeds for QEMU's generic-fuzz on -device nv-vmbind and nv-vmbind-gp107.

generic-fuzz rarely assembles a ring of valid descriptors by itself, so
these inputs do what a driver does: DMA patterns that hold bind-queue and
copy-engine descriptors (the device's DMA reads of guest RAM are answered
with them, in turn), then the register writes that set up a ring and ring
its doorbell, the GMMU context, probes and fault buffer.  The input format
is generic_fuzz.c's: commands separated by "FUZZ", each an opcode byte and
its operands (op_write: u8 size, u8 region, 2 bytes padding, u32 offset,
u64 value; op_add_dma_pattern: u8 index, u8 stride, the pattern).  Region 0
is BAR0 (the first fuzzable range in address order); on nv-vmbind-gp107,
region 1 is BAR1.

The nv-vmbind-gp107 seeds take the accel path nouveau takes
(gp107_channel.py): page tables and RAMFC through PRAMIN, PFIFO, CCSR and
a runlist, a push buffer with a copy-engine launch and a semaphore, and
GP_PUT stored into USERD through BAR1 -- the write that runs the channel.

    gen-generic-corpus.py DIR             (nv-vmbind: writes DIR/seed-*)
    gen-generic-corpus.py --gp107 DIR     (nv-vmbind-gp107)
"""
import os
import struct
import sys

sys.dont_write_bytecode = True      # no __pycache__ in the tree
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import gp107_channel as gp  # noqa: E402

OP_WRITE, OP_ADD_DMA_PATTERN, OP_CLOCK_STEP = 3, 7, 9
LONG = 2
SEP = b'FUZZ'

# include/hw/display/nv-vmbind-regs.h
BIND_RING, CE_RING = 0x400, 0x500
RING_BASE_LO, RING_BASE_HI, RING_SIZE, RING_TAIL = 0x00, 0x04, 0x08, 0x10
CTX_TARGET, CTX_ADDR_LO = 0x140, 0x144
PROBE_VA_LO, PROBE_ACCESS, PROBE_DMA_ADDR_LO, PROBE_DMA_LEN, PROBE_CMD = \
    0x200, 0x208, 0x20c, 0x214, 0x218
FAULT_BUF_LO, FAULT_BUF_SIZE = 0x180, 0x190
INVALIDATE_PDB, INVALIDATE = 0x104, 0x10c
INTR_ENABLE = 0x24
OP_VM_CREATE, OP_BO_CREATE, OP_MAP, OP_UNMAP, OP_BO_MOVE = 1, 3, 5, 6, 7
OP_CE_COPY, OP_CE_FILL, OP_CE_SEMAPHORE = 0x10, 0x11, 0x12
FENCE_INTR = 3


def write(reg, value):
    return bytes([OP_WRITE]) + struct.pack('<BBxxIQ', LONG, 0, reg, value)


def pattern(desc, index=0x18, stride=1):
    return bytes([OP_ADD_DMA_PATTERN, index, stride]) + desc


def desc(opcode, args):
    """64-byte descriptor: opcode, flags (fence + interrupt), args at 0x18."""
    d = bytearray(64)
    struct.pack_into('<HHIQQ', d, 0, opcode, FENCE_INTR, 0xffffffff,
                     0x3000, 1)
    for off, fmt, val in args:
        struct.pack_into('<' + fmt, d, off, val)
    return bytes(d)


def ring(base_reg, base, size, tail):
    return [write(base_reg + RING_BASE_LO, base),
            write(base_reg + RING_BASE_HI, 0),
            write(base_reg + RING_SIZE, size),
            write(base_reg + RING_TAIL, tail)]


VM = desc(OP_VM_CREATE, [(0x18, 'I', 0), (0x20, 'Q', 0), (0x28, 'Q', 0)])
BO_VRAM = desc(OP_BO_CREATE, [(0x18, 'I', 1), (0x1c, 'I', 0),
                              (0x20, 'Q', 0x10000), (0x28, 'Q', 0x100000)])
BO_SYS = desc(OP_BO_CREATE, [(0x18, 'I', 2), (0x1c, 'I', 1),
                             (0x20, 'Q', 0x2000), (0x28, 'Q', 0x8000),
                             (0x30, 'I', 1)])
MAP = desc(OP_MAP, [(0x18, 'I', 0), (0x1c, 'I', 1), (0x20, 'Q', 0x100000),
                    (0x28, 'Q', 0x10000), (0x30, 'Q', 0), (0x38, 'I', 0)])
SPARSE = desc(OP_MAP, [(0x18, 'I', 0), (0x1c, 'I', 0),
                       (0x20, 'Q', 0x800000), (0x28, 'Q', 0x200000),
                       (0x38, 'I', 1 << 8)])
UNMAP = desc(OP_UNMAP, [(0x18, 'I', 0), (0x20, 'Q', 0x104000),
                        (0x28, 'Q', 0x4000)])
MOVE = desc(OP_BO_MOVE, [(0x18, 'I', 1), (0x1c, 'I', 0),
                         (0x20, 'Q', 0x10000), (0x28, 'Q', 0x200000)])
CE_FILL = desc(OP_CE_FILL, [(0x18, 'I', 0), (0x1c, 'I', 0xdeadbeef),
                            (0x28, 'Q', 0x100000), (0x30, 'Q', 0x3000)])
CE_COPY = desc(OP_CE_COPY, [(0x18, 'I', 0), (0x20, 'Q', 0x100000),
                            (0x28, 'Q', 0x108000), (0x30, 'Q', 0x4000)])
CE_SEM = desc(OP_CE_SEMAPHORE, [(0x18, 'I', 0), (0x28, 'Q', 0x10fff8),
                                (0x38, 'Q', 42)])
# Scatter list of BO_SYS (read by DMA after its descriptor): one 8 KiB run.
SG = struct.pack('<QQ', 0x20000, 0x2000)

SEEDS = {
    'bind-vm-bo-map': [pattern(VM, 0x18, 1), pattern(BO_VRAM, 0x18, 0),
                       pattern(MAP), pattern(UNMAP), pattern(SPARSE)]
    + ring(BIND_RING, 0x10000, 16, 6),
    'bind-sysmem-move': [pattern(VM), pattern(BO_SYS), pattern(SG),
                         pattern(MAP[:0x1c] + struct.pack('<I', 2) +
                                 MAP[0x20:]), pattern(BO_VRAM),
                         pattern(MOVE)] + ring(BIND_RING, 0x10000, 8, 7),
    'ce-after-bind': [pattern(VM), pattern(BO_VRAM), pattern(MAP)]
    + ring(BIND_RING, 0x10000, 4, 3)
    + [bytes([0x08])]                       # clear DMA patterns
    + [pattern(CE_FILL), pattern(CE_COPY), pattern(CE_SEM)]
    + ring(CE_RING, 0x20000, 4, 3),
    'gmmu-probe-fault': [write(INTR_ENABLE, 0xffffffff),
                         write(FAULT_BUF_LO, 0x30000 | 1),
                         write(FAULT_BUF_SIZE, (1 << 31) | 32),
                         write(CTX_TARGET, 0), write(CTX_ADDR_LO, 0x1000),
                         write(PROBE_VA_LO, 0x100000),
                         write(PROBE_ACCESS, 0),
                         write(PROBE_DMA_ADDR_LO, 0x40000),
                         write(PROBE_DMA_LEN, 0x2000),
                         write(PROBE_CMD, 1), write(PROBE_CMD, 2),
                         write(INVALIDATE_PDB, 0x1000),
                         write(INVALIDATE, 0x80000001)],
}


GP107_REGION = {'bar0': 0, 'bar1': 1}


def gp107(writes):
    return [bytes([OP_WRITE]) + struct.pack('<BBxxIQ', LONG, GP107_REGION[r],
                                            off, val)
            for r, off, val in writes]


GP107_SEEDS = {
    'gp107-channel-copy': gp107(gp.channel_writes()),
    # GP_PUT beyond the 512-entry ring: the PBDMA's gp-put error.
    'gp107-channel-gp-put': gp107(gp.channel_writes(gp_put=600)),
    # An entry longer than the push buffer: it runs into unmapped VAs.
    'gp107-channel-pb-fault': gp107(gp.channel_writes(entry_len=0x1000)),
    # The copy, then the runlist submitted again and GP_PUT rewritten.
    'gp107-channel-resubmit': gp107(gp.channel_writes()
                                    + [('bar0', gp.RUNLIST, 2),
                                       ('bar1', gp.CHID * gp.USERD_SIZE +
                                        gp.USERD_GP_PUT, 1)]),
}


def main():
    seeds = SEEDS
    if sys.argv[1] == '--gp107':
        seeds = GP107_SEEDS
        del sys.argv[1]
    out = sys.argv[1]
    os.makedirs(out, exist_ok=True)
    for name, cmds in seeds.items():
        with open(os.path.join(out, 'seed-' + name), 'wb') as f:
            f.write(SEP.join(cmds))
    return 0


if __name__ == '__main__':
    sys.exit(main())
