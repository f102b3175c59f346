#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""The core layer (hw/display/nv-vmbind/core/) includes no QEMU header.

The core is built alone (unit tests, fuzzers, tools, benchmarks) and is the
part of the device a reviewer can reason about without QEMU; a QEMU header
there would tie it to QEMU's build and to its global state.  Allowed:
system and GLib headers (<...>), the core's own headers ("x.h" in core/),
and the guest ABI headers in include/hw/display/ that are plain C.

Prints TAP.  With --self-test, also checks that a planted violation is
reported, so the check cannot silently pass.
"""
import os
import re
import sys
import tempfile

TOP = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
CORE = os.path.join(TOP, 'hw', 'display', 'nv-vmbind', 'core')
ABI = os.path.join(TOP, 'include', 'hw', 'display')
INCLUDE = re.compile(r'^\s*#\s*include\s*([<"])([^>"]+)[>"]')


def abi_headers():
    """Guest ABI headers: allowed only while they include no QEMU header."""
    ok = set()
    for name in os.listdir(ABI):
        with open(os.path.join(ABI, name), encoding='utf-8') as f:
            if not any(m and m.group(1) == '"' for m in map(INCLUDE.match, f)):
                ok.add('hw/display/' + name)
    return ok


def violations(core_dir, allowed_abi):
    own = set(os.listdir(core_dir))
    for name in sorted(own):
        if not name.endswith(('.c', '.h')):
            continue
        path = os.path.join(core_dir, name)
        with open(path, encoding='utf-8') as f:
            for lineno, line in enumerate(f, 1):
                m = INCLUDE.match(line)
                if not m or m.group(1) == '<':
                    continue
                hdr = m.group(2)
                if hdr in own or hdr in allowed_abi:
                    continue
                yield '%s:%d: includes "%s"' % (name, lineno, hdr)


def main():
    tests = []
    abi = abi_headers()
    bad = list(violations(CORE, abi))
    tests.append(('core/ includes no QEMU header', not bad, bad))
    if '--self-test' in sys.argv:
        with tempfile.TemporaryDirectory() as d:
            with open(os.path.join(d, 'planted.c'), 'w') as f:
                f.write('#include <stdint.h>\n#include "qemu/osdep.h"\n')
            planted = list(violations(d, abi))
        tests.append(('a planted "qemu/osdep.h" is reported',
                      len(planted) == 1, planted))
    print('1..%d' % len(tests))
    for i, (name, ok, detail) in enumerate(tests, 1):
        print('%s %d - %s' % ('ok' if ok else 'not ok', i, name))
        for d in detail if not ok else []:
            print('# ' + d)
    return 0 if all(t[1] for t in tests) else 1


if __name__ == '__main__':
    sys.exit(main())
