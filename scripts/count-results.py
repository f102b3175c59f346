#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""Sum test results into one 'N passed, N failed' line.

Expected failures ("not ok ... # TODO", the documented kernel bugs that
scripts/known-bugs.py marks) count as neither; they are summed on the line
before the last.  Inputs are meson testlog.json files (each line one test; TAP tests carry
their subtests in "stdout") and raw TAP files.  A test program that died
without reporting a failing subtest counts as one failure, so a crash can
never look like success.
"""
import json
import re
import sys

TAP_OK = re.compile(r'^ok\b')
TAP_NOT_OK = re.compile(r'^not ok\b')


XFAIL = 0   # "not ok ... # TODO": documented kernel bugs (scripts/known-bugs.py)


def count_tap(text):
    global XFAIL
    passed = failed = skipped = 0
    for line in text.splitlines():
        line = line.strip()
        if TAP_NOT_OK.match(line):
            if '# TODO' in line:
                XFAIL += 1
                continue
            failed += 1
        elif TAP_OK.match(line):
            if '# SKIP' in line or '# skip' in line:
                skipped += 1
            else:
                passed += 1
    return passed, failed, skipped


def main(args):
    passed = failed = skipped = 0
    for path in args:
        kind, _, path = path.partition(':')
        if kind == 'fail':
            # A suite or matrix row that could not even run.
            print('count-results: %s did not finish' % path, file=sys.stderr)
            failed += 1
            continue
        with open(path, encoding='utf-8', errors='replace') as f:
            data = f.read()
        if kind == 'meson':
            for line in data.splitlines():
                if not line.strip():
                    continue
                t = json.loads(line)
                result = t.get('result')
                # TAP tests (protocol: 'tap') carry their subtests in
                # stdout; anything else is one test.
                p, fl, s = count_tap(t.get('stdout') or '')
                if p + fl + s == 0:
                    p = 1 if result == 'OK' else 0
                    s = 1 if result == 'SKIP' else 0
                if result not in ('OK', 'SKIP', 'EXPECTEDFAIL') and fl == 0:
                    fl = 1
                passed += p
                failed += fl
                skipped += s
        elif kind == 'tap':
            p, fl, s = count_tap(data)
            passed += p
            failed += fl
            skipped += s
        elif kind == 'fail':
            # A suite that could not even run.
            failed += 1
        else:
            sys.exit('count-results: unknown input kind %r' % kind)
    if skipped or XFAIL:
        print('(%d skipped; %d expected failures of documented kernel bugs, '
              'each still detected: docs/known-bugs/)' % (skipped, XFAIL))
    # The last line is exactly this: CI reads it.
    print('%d passed, %d failed' % (passed, failed))
    return 1 if failed else 0


if __name__ == '__main__':
    sys.exit(main(sys.argv[1:]))
