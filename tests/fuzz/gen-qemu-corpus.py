#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""Seeds for our structured QEMU fuzz targets (tests/qtest/fuzz/).

nv-vmbind-gp107-bar (formats in nv_vmbind_gp107_fuzz.c): BAR1 and BAR3
reads and writes through the tree the target builds, table rewrites
(other pages, sparse, read-only, invalid) followed by invalidates and
checks, PRAMIN windows, rebinds to bad instance blocks, and the channel of
gp107_channel.py driven to a copy.  nv-vmbind-migration
(nv_vmbind_migration_fuzz.c): the unmodified section of each device, a few
patches, short replacements and truncated sections.

    gen-qemu-corpus.py gp107-bar DIR
    gen-qemu-corpus.py migration DIR
"""
import os
import struct
import sys

sys.dont_write_bytecode = True      # no __pycache__ in the tree
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import gp107_channel as gp  # noqa: E402

# nv_vmbind_gp107_fuzz.c
UNITS = [0x000000, 0x001000, 0x002000, 0x003000, 0x009000, 0x00d000,
         0x021000, 0x022000, 0x040000, 0x070000, 0x088000, 0x100000,
         0x10a000, 0x120000, 0x140000, 0x601000, 0x610000, 0x700000,
         0x800000, 0x9a0000]
TABLES = ['inst', 'pd3', 'pd2', 'pd1', 'pd0', 'spt', 'lpt']
SIZES = {1: 0, 2: 1, 4: 2, 8: 3}


def reg_w(reg, val):
    for i, base in sorted(enumerate(UNITS), key=lambda u: -u[1]):
        if base <= reg < base + 0x10000:
            return struct.pack('<BBHI', 0, i, reg - base, val)
    raise ValueError(hex(reg))


def bar_w(bar, off, size, val):
    return bytes([2 if bar == 1 else 4]) + struct.pack('<I', off)[:3] + \
        bytes([SIZES[size]]) + struct.pack('<Q', val)


def bar_r(bar, off, size):
    return bytes([3 if bar == 1 else 5]) + struct.pack('<I', off)[:3] + \
        bytes([SIZES[size]])


def pramin(window, off, val):
    return struct.pack('<BHHI', 6, window, off, val)


def table(name, idx, val):
    return struct.pack('<BBHQ', 7, TABLES.index(name), idx, val)


def inval(pdb, val):
    return struct.pack('<BII', 8, pdb, val)


def check(bar, va):
    return bytes([9, bar - 1]) + struct.pack('<I', va)[:3]


def channel(**kw):
    out = b''
    for region, off, val in gp.channel_writes(**kw):
        out += reg_w(off, val) if region == 'bar0' else bar_w(1, off, 4, val)
    return out


PAGES = 0x200000
GP107_BAR = {
    'rw': b''.join([bar_w(1, 0x10, 4, 0x12345678), bar_w(2, 0x1008, 8, 7),
                    bar_w(1, 0x10ffe, 2, 0xbeef), bar_w(2, 0x3, 1, 0x5a),
                    bar_r(1, 0x10, 4), bar_r(2, 0x1008, 8),
                    bar_r(1, 0x20000, 4), bar_r(2, 0xfffff8, 8)]
                   + [check(b, va) for b in (1, 2)
                      for va in (0, 0x1008, 0x10000, 0x1fff8, 0x20000)]),
    'tables': b''.join([table('spt', 1, gp.pte(PAGES + 0x8000)),
                        table('spt', 2, 1 << 8 | 1 << 6 | 1),  # read-only
                        table('spt', 3, 0x2),                  # sparse
                        table('lpt', 1, gp.pte(0x3000000)),    # beyond VRAM
                        table('pd0', 1, gp.pte(0x400000)),     # 2 MiB page
                        inval(0x11000 >> 8, 1),
                        bar_w(1, 0x2000, 4, 1), bar_w(1, 0x1000, 8, 2),
                        check(1, 0x1000), check(1, 0x2000),
                        check(2, 0x3000), check(1, 0x10000),
                        check(2, 0x200000), check(1, 0x200ff8)]),
    'pramin': b''.join([pramin(0x20, 0x10, 0xcafe), pramin(0x1ff, 0xfffc, 1),
                        pramin(0x200, 0, 1), pramin(0xffff, 0xfffc, 2),
                        pramin(0x8000, 0, 3), check(1, 0x10)]),
    'rebind': b''.join([reg_w(0x1704, 0x2000), check(1, 0),
                        reg_w(0x1704, 1 << 31 | 0x1fff), check(1, 0),
                        reg_w(0x1714, 1 << 31 | 2 << 28 | 0x10), check(2, 0),
                        reg_w(0x1714, 1 << 31 | 0x10), check(2, 0x1008),
                        table('inst', 0x40, 0x11000 | 1), check(1, 0),
                        table('inst', 0x41, 0xfff), check(1, 0x2000)]),
    'channel-copy': channel() + check(1, 3 * 0x200 + 0x88),
    'channel-gp-put': channel(gp_put=600),
    'channel-pb-fault': channel(entry_len=0x1000),
}

MIGRATION = {
    'pv-saved': b'\x00',
    'gp-saved': b'\x01',
    'pv-patch': b'\x00' + b''.join(struct.pack('<HB', o, 0xff)
                                   for o in (8, 64, 300, 600)),
    'gp-patch': b'\x01' + b''.join(struct.pack('<HB', o, 0x41)
                                   for o in (70, 200, 400)),
    'pv-replace': b'\x02' + bytes(64),
    'gp-replace': b'\x03' + bytes(range(64)),
    # Truncated: the gp107 section stops inside its live-PDB subsection,
    # after the entries were allocated (a leak until its pre_load).
    'gp-truncate-4': b'\x05' + struct.pack('<H', 4),
    'pv-truncate-8': b'\x04' + struct.pack('<H', 8),
    'pv-truncate-300': b'\x04' + struct.pack('<H', 300),
}


def main():
    target, out = sys.argv[1], sys.argv[2]
    seeds = {'gp107-bar': GP107_BAR, 'migration': MIGRATION}[target]
    os.makedirs(out, exist_ok=True)
    for name, data in seeds.items():
        with open(os.path.join(out, 'seed-' + name), 'wb') as f:
            f.write(data)
    return 0


if __name__ == '__main__':
    sys.exit(main())
