#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""Unpack a bzImage into the ELF kernel it carries, for a PVH boot.

    pvh-kernel.py BZIMAGE CACHE_DIR

Prints the path of the ELF (CACHE_DIR/<hash of the bzImage>.elf, made once)
and exits 0, or prints nothing and exits 1 when the kernel cannot be booted
that way: its payload uses a compression not handled here, or the ELF has no
PVH entry point (Xen note PHYS32_ENTRY; the kernel needs CONFIG_PVH).

Why: QEMU loads such an ELF itself and enters it through PVH, so the guest
neither runs the real-mode setup nor decompresses the kernel, which under
TCG takes about a second of every boot (Debian's 6.12 and 7.x kernels:
a 12 MB zstd payload, 58 MB unpacked).
"""

import gzip
import hashlib
import lzma
import os
import struct
import subprocess
import sys
import tempfile

XEN_ELFNOTE_PHYS32_ENTRY = 18


def payload(image):
    """The compressed kernel of a bzImage (boot protocol >= 2.08)."""
    if image[0x202:0x206] != b'HdrS' or struct.unpack_from('<H', image, 0x206)[0] < 0x208:
        raise ValueError('not a bzImage with a payload field')
    setup_sects = image[0x1f1] or 4
    start = (setup_sects + 1) * 512
    off, length = struct.unpack_from('<II', image, 0x248)
    return image[start + off:start + off + length]


def unpack(data):
    if data[:4] == b'\x28\xb5\x2f\xfd':
        # The kernel appends the unpacked size (4 bytes) after the frame.
        r = subprocess.run(['zstd', '-dcq'], input=data[:-4],
                           capture_output=True, check=True)
        return r.stdout
    if data[:6] == b'\xfd7zXZ\x00':
        return lzma.LZMADecompressor(format=lzma.FORMAT_XZ).decompress(data)
    if data[:2] == b'\x1f\x8b':
        return gzip.GzipFile(fileobj=__import__('io').BytesIO(data)).read()
    raise ValueError('payload compression %s not handled' % data[:6].hex())


def has_pvh_entry(elf):
    """True if a PT_NOTE segment of a 64-bit ELF holds Xen's PHYS32_ENTRY."""
    if elf[:4] != b'\x7fELF' or elf[4] != 2:
        return False
    phoff, = struct.unpack_from('<Q', elf, 0x20)
    phentsize, phnum = struct.unpack_from('<HH', elf, 0x36)
    for i in range(phnum):
        p = phoff + i * phentsize
        ptype, = struct.unpack_from('<I', elf, p)
        if ptype != 4:          # PT_NOTE
            continue
        off, = struct.unpack_from('<Q', elf, p + 8)
        size, = struct.unpack_from('<Q', elf, p + 32)
        pos, end = off, off + size
        while pos + 12 <= end:
            namesz, descsz, ntype = struct.unpack_from('<III', elf, pos)
            name = elf[pos + 12:pos + 12 + namesz].rstrip(b'\0')
            if name == b'Xen' and ntype == XEN_ELFNOTE_PHYS32_ENTRY:
                return True
            pos += 12 + (namesz + 3) // 4 * 4 + (descsz + 3) // 4 * 4
    return False


def main():
    if len(sys.argv) != 3:
        sys.exit('usage: pvh-kernel.py BZIMAGE CACHE_DIR')
    with open(sys.argv[1], 'rb') as f:
        image = f.read()
    out = os.path.join(sys.argv[2],
                       hashlib.sha256(image).hexdigest()[:16] + '.elf')
    if not os.path.exists(out):
        try:
            elf = unpack(payload(image))
        except (ValueError, subprocess.CalledProcessError, OSError,
                lzma.LZMAError, EOFError) as e:
            print('pvh-kernel.py: %s' % e, file=sys.stderr)
            return 1
        if not has_pvh_entry(elf):
            print('pvh-kernel.py: no PVH entry point (CONFIG_PVH)',
                  file=sys.stderr)
            return 1
        os.makedirs(sys.argv[2], exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=sys.argv[2])
        with os.fdopen(fd, 'wb') as f:
            f.write(elf)
        os.chmod(tmp, 0o644)
        os.replace(tmp, out)
    print(out)
    return 0


if __name__ == '__main__':
    sys.exit(main())
