#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""Coverage of nv-vmbind's code from libFuzzer's -print_coverage=1 output.

Reads the COVERED_FUNC / UNCOVERED_FUNC lines of a run (stdin or FILE) and
prints, per layer folder of hw/display/nv-vmbind/, the edges and functions
the corpus reached.
"""
import collections
import re
import sys

LINE = re.compile(r'(UN)?COVERED_FUNC: hits: \d+ edges: (\d+)/(\d+) \S+ (\S+):\d+')
MARK = '/hw/display/nv-vmbind/'


def main():
    src = open(sys.argv[1]) if len(sys.argv) > 1 else sys.stdin
    tot = collections.defaultdict(lambda: [0, 0, 0, 0])
    for line in src:
        m = LINE.match(line)
        if not m or MARK not in m.group(4):
            continue
        t = tot[m.group(4).split(MARK)[1].split('/')[0]]
        t[0] += int(m.group(2))
        t[1] += int(m.group(3))
        t[2] += m.group(1) is None
        t[3] += 1
    for part, (edges, all_edges, funcs, all_funcs) in sorted(tot.items()):
        print('  %-9s edges %5d/%-5d (%3d%%)  functions %3d/%d'
              % (part + '/', edges, all_edges,
                 100 * edges // max(all_edges, 1), funcs, all_funcs))
    return 0 if tot else 1


if __name__ == '__main__':
    sys.exit(main())
