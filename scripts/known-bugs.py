#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""Known kernel bugs as expected failures.

Each file docs/known-bugs/*.rst documents one kernel bug and starts with a
field list the harness reads:

    :Bug: nouveau-large-pages
    :Affected: >= 6.19
    :Expect: gp107: ^host: after "unmap everything"
             gp107-repro-a: .

``Affected`` is a comma-separated list of constraints on the kernel version
(x.y[.z]); every one must hold.  Each ``Expect`` line is "SUITE: REGEX"
(SUITE may end in '*'): on an affected kernel, a TAP result of that suite
whose name matches REGEX must fail, and then counts as an expected failure
(rewritten as "not ok ... # TODO known kernel bug ..."); if it passes,
or no result matches at all, that is a failure ("the bug is not detected
any more": a fixed kernel or a broken test must be noticed).  On other
kernels the results are left as they are.

    known-bugs.py apply --kernel VERSION --suite SUITE IN.tap OUT.tap
    known-bugs.py list [--kernel VERSION]
    known-bugs.py affects --kernel VERSION --suite SUITE   (exit 0: yes)

NVVB_KNOWN_BUGS_FIXED="ID ..." declares bugs fixed in the kernel under test
(a patched kernel): their failures are failures again.  A bug's optional
``:Fixed-By:`` field names patch files (by file name); when the modules under
test were built with one of them (NVVB_APPLIED_PATCHES, a file listing the
applied patches, written by scripts/guest/patched-modules.sh), the bug counts
as fixed too.
"""

import argparse
import fnmatch
import glob
import os
import re
import sys

TOP = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
DOCS = os.environ.get('NVVB_KNOWN_BUGS_DIR') or os.path.join(TOP, 'docs', 'known-bugs')
TAP_LINE = re.compile(r'^(ok|not ok) (\d+)( - (.*?))?( # .*)?$')


def version_tuple(text):
    m = re.match(r'^(\d+)\.(\d+)(?:\.(\d+))?', text.strip())
    if not m:
        raise ValueError('not a kernel version: %r' % text)
    return tuple(int(x or 0) for x in m.groups())


def holds(constraint, version):
    m = re.match(r'^\s*(>=|<=|>|<|==)\s*([0-9.]+)\s*$', constraint)
    if not m:
        raise ValueError('bad Affected constraint %r' % constraint)
    op, v = m.group(1), version_tuple(m.group(2))
    return {'>=': version >= v, '<=': version <= v, '>': version > v,
            '<': version < v, '==': version == v}[op]


def load():
    """Every documented bug: dict(id, file, affected, expect=[(suite, re)])."""
    bugs = []
    for path in sorted(glob.glob(os.path.join(DOCS, '*.rst'))):
        fields, key = {}, None
        with open(path, encoding='utf-8') as f:
            for line in f:
                m = re.match(r'^:([A-Za-z-]+):\s*(.*)$', line)
                if m:
                    key = m.group(1).lower()
                    fields.setdefault(key, []).append(m.group(2).strip())
                elif key and line.startswith((' ', '\t')) and line.strip():
                    fields[key].append(line.strip())
                elif key and not line.strip():
                    key = None
                    if 'bug' in fields:
                        break
        if 'bug' not in fields:
            continue
        expect = []
        for e in fields.get('expect', []):
            suite, _, rx = e.partition(':')
            expect.append((suite.strip(), re.compile(rx.strip())))
        affected = ','.join(fields.get('affected', [])).split(',')
        bugs.append({'id': fields['bug'][0], 'file': os.path.relpath(path, TOP),
                     'affected': [a for a in affected if a.strip()],
                     'fixed_by': [os.path.basename(x) for x in
                                  ' '.join(fields.get('fixed-by', [])).split()],
                     'expect': expect})
    return bugs


def applied_patches():
    path = os.environ.get('NVVB_APPLIED_PATCHES', '')
    if not path or not os.path.exists(path):
        return set()
    with open(path, encoding='utf-8') as f:
        return {os.path.basename(l.strip()) for l in f if l.strip()}


def active(bugs, kernel):
    fixed = set(os.environ.get('NVVB_KNOWN_BUGS_FIXED', '').split())
    applied = applied_patches()
    v = version_tuple(kernel)
    return [b for b in bugs if b['id'] not in fixed and b['affected'] and
            not (set(b['fixed_by']) & applied) and
            all(holds(c, v) for c in b['affected'])]


def apply(args):
    bugs = active(load(), args.kernel)
    with open(args.input, encoding='utf-8', errors='replace') as f:
        lines = f.read().splitlines()
    rules = [(b, rx) for b in bugs for (s, rx) in b['expect']
             if fnmatch.fnmatchcase(args.suite, s)]
    seen = set()
    out = []
    for line in lines:
        m = TAP_LINE.match(line.strip())
        if not m or not rules:
            out.append(line)
            continue
        ok, num, name = m.group(1) == 'ok', m.group(2), m.group(4) or ''
        hit = next(((b, rx) for b, rx in rules if rx.search(name)), None)
        if not hit:
            out.append(line)
            continue
        b, rx = hit
        seen.add((b['id'], rx.pattern))
        if ok:
            out.append('not ok %s - %s # known kernel bug %s no longer detected '
                       'on %s (fixed? update %s)' % (num, name, b['id'],
                                                      args.kernel, b['file']))
        else:
            out.append('not ok %s - %s # TODO known kernel bug %s (%s)' %
                       (num, name, b['id'], b['file']))
    n = len([l for l in out if TAP_LINE.match(l.strip())])
    for b, rx in rules:
        if (b['id'], rx.pattern) not in seen:
            n += 1
            out.append('not ok %d - known kernel bug %s: no result of suite %s '
                       'matches /%s/, so the bug is not detected (see %s)' %
                       (n, b['id'], args.suite, rx.pattern, b['file']))
    out = [l for l in out if not re.match(r'^1\.\.\d+$', l.strip())]
    out.append('1..%d' % n)
    with open(args.output, 'w', encoding='utf-8') as f:
        f.write('\n'.join(out) + '\n')
    return 0


def list_bugs(args):
    bugs = load()
    act = {b['id'] for b in active(bugs, args.kernel)} if args.kernel else set()
    for b in bugs:
        state = ''
        if args.kernel:
            state = ' [affects %s]' % args.kernel if b['id'] in act else \
                    ' [not %s]' % args.kernel
        print('%s: %s, affected %s%s' % (b['id'], b['file'],
                                          ' and '.join(b['affected']), state))
        for s, rx in b['expect']:
            print('    expected to fail in %s: /%s/' % (s, rx.pattern))
    return 0


def main():
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = ap.add_subparsers(dest='cmd', required=True)
    a = sub.add_parser('apply')
    a.add_argument('--kernel', required=True)
    a.add_argument('--suite', required=True)
    a.add_argument('input')
    a.add_argument('output')
    aff = sub.add_parser('affects', help='exit 0 if a documented bug affects '
                         'SUITE on this kernel')
    aff.add_argument('--kernel', required=True)
    aff.add_argument('--suite', required=True)
    lst = sub.add_parser('list')
    lst.add_argument('--kernel')
    args = ap.parse_args()
    if args.cmd == 'affects':
        hit = [b['id'] for b in active(load(), args.kernel)
               if any(fnmatch.fnmatchcase(args.suite, s) for s, _ in b['expect'])]
        print(' '.join(hit))
        return 0 if hit else 1
    return apply(args) if args.cmd == 'apply' else list_bugs(args)


if __name__ == '__main__':
    sys.exit(main())
