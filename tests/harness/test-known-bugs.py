#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""The known-bug rules (scripts/known-bugs.py) and the result count
(scripts/count-results.py) on made-up bugs and TAP, as TAP."""

import os
import subprocess
import sys
import tempfile

TOP = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
KB = os.path.join(TOP, 'scripts', 'known-bugs.py')
COUNT = os.path.join(TOP, 'scripts', 'count-results.py')
BUG = """:Bug: demo
:Affected: >= 6.19, < 7.4
:Expect: s1: ^stale PTE
         s2*: ^oops
:Fixed-By: 0001-fix-demo.patch

Demo
====
"""
n = 0


def check(cond, name):
    global n
    n += 1
    print('%s %d - %s' % ('ok' if cond else 'not ok', n, name))


def apply(tmp, kernel, suite, tap, env=None):
    src, dst = os.path.join(tmp, 'in.tap'), os.path.join(tmp, 'out.tap')
    with open(src, 'w') as f:
        f.write(tap)
    e = dict(os.environ, NVVB_KNOWN_BUGS_DIR=tmp, **(env or {}))
    subprocess.run([sys.executable, KB, 'apply', '--kernel', kernel, '--suite',
                    suite, src, dst], check=True, env=e)
    with open(dst) as f:
        return f.read()


def count(tmp, tap):
    path = os.path.join(tmp, 'c.tap')
    with open(path, 'w') as f:
        f.write(tap)
    r = subprocess.run([sys.executable, COUNT, 'tap:' + path],
                       capture_output=True, text=True)
    return r.stdout.strip().splitlines()[-1], r.returncode


with tempfile.TemporaryDirectory() as tmp:
    with open(os.path.join(tmp, 'demo.rst'), 'w') as f:
        f.write(BUG)
    failing = 'ok 1 - boot\nnot ok 2 - stale PTE at 0x1000\n1..2\n'
    out = apply(tmp, '7.3.4', 's1', failing)
    check('not ok 2 - stale PTE at 0x1000 # TODO known kernel bug demo' in out,
          'affected kernel: the documented failure becomes an expected failure')
    check(count(tmp, out) == ('1 passed, 0 failed', 0),
          'an expected failure counts as neither passed nor failed')
    out = apply(tmp, '7.3.4', 's1', 'ok 1 - boot\nok 2 - stale PTE at 0x1000\n')
    check('no longer detected' in out and count(tmp, out)[0] == '1 passed, 1 failed',
          'affected kernel: the documented test passing is a failure')
    out = apply(tmp, '7.3.4', 's1', 'ok 1 - boot\n')
    check('is not detected' in out and count(tmp, out)[1] == 1,
          'affected kernel: no result matching the rule is a failure')
    out = apply(tmp, '6.12.118', 's1', failing)
    check('# TODO' not in out and count(tmp, out)[0] == '1 passed, 1 failed',
          'kernel outside Affected (below): the failure stays a failure')
    out = apply(tmp, '7.4.0', 's1', failing)
    check('# TODO' not in out, 'kernel outside Affected (upper bound): unchanged')
    out = apply(tmp, '7.3.4', 's2-x', 'not ok 1 - oops in foo\n')
    check('# TODO' in out, 'suite patterns with * match')
    out = apply(tmp, '7.3.4', 'other', failing)
    check('# TODO' not in out, 'other suites are not rewritten')
    fixed = os.path.join(tmp, 'applied')
    with open(fixed, 'w') as f:
        f.write('/x/0001-fix-demo.patch\n')
    out = apply(tmp, '7.3.4', 's1', failing, {'NVVB_APPLIED_PATCHES': fixed})
    check('# TODO' not in out, 'the Fixed-By patch applied: the bug counts as fixed')
    out = apply(tmp, '7.3.4', 's1', failing, {'NVVB_KNOWN_BUGS_FIXED': 'demo'})
    check('# TODO' not in out, 'NVVB_KNOWN_BUGS_FIXED: the bug counts as fixed')
    check(count(tmp, 'ok 1 - a\n')[1] == 0 and count(tmp, 'not ok 1 - a\n')[1] == 1,
          'count-results exits non-zero only on a failure')
print('1..%d' % n)
