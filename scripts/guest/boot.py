#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""Boot a guest kernel + initramfs under QEMU and collect its results.

    boot.py --qemu QEMU --kernel BZIMAGE --initrd INITRD [options] [-- QEMU ARGS]

The guest console (ttyS0) is QEMU's stdio: every line is shown live on
stderr (prefixed with the time since start) and saved with --log.  The
guest's stdin is the same serial line, so a host-side hook can answer it.

Results are read from the console:
  * TAP lines "ok N - name" / "not ok N - name" from the guest program;
  * "nvvb-guest: exit N" from the initramfs /init (scripts/guest/initramfs.sh);
  * kernel Oops / BUG / WARNING / panic lines, each a failure.
--tap FILE writes them as TAP (the guest's lines, then one line for the
kernel log and one for the exit status).

Fail fast: the first Oops / BUG / WARNING / panic line ends the boot.  The
harness keeps reading the console for --grace seconds (the trace), then
quits QEMU (QMP 'quit', then kill), all within 10 s.  It records the test
that was running (the one announced by the guest's last "# running: NAME"
line, else the one after the last result) and counts every test that did
not run as a failure: the guest announces its plan with "1..N" before its
first result, or the suite script passes --planned N.  --idle-timeout ends
a boot whose console has been silent that long (a hang, not a slow test).

Hooks (--hook FILE.py): a Python file defining `class Hook` with
  __init__(self, ctx)      ctx.qmp (a QMP client, when --qmp), ctx.send(str)
                           (to the guest's console), ctx.log(str), ctx.args
  line(self, text)         every console line
  results(self)            a list of (ok: bool, name: str) appended to the TAP
The hook runs in the reader thread: a slow hook stalls the guest only if
the guest waits for an answer.

Accelerator: --accel auto uses KVM only if /dev/kvm is usable and backed by
hardware virtualisation (vmx/svm in /proc/cpuinfo, not kvm_pvm); otherwise
TCG.  Under TCG the CPU is "max" without the fast-string features (ERMS,
FSRM, FSRS, FZRM, FSRC) and without 5-level paging: with them the kernel
clears and copies with "rep stosb/movsb", which TCG runs one byte per
iteration, and every softmmu TLB miss walks five levels.  Guest RAM is
backed by 4 KiB host pages (PR_SET_THP_DISABLE): a TCG guest touches its
memory sparsely, and with transparent huge pages each first touch makes
the host clear 2 MiB.  Both measured in docs/user-guide.rst ("Guest VM_BIND
benchmark"); NVVB_CPU overrides the CPU model, NVVB_THP=1 keeps huge pages.
Every boot has "noreplace-smp": with one CPU the kernel would otherwise
rewrite each LOCK prefix of its text and of every module it loads through
text_poke(), a TLB flush each (0.15 s of a TCG boot), and it keeps the
SMP code that real multi-CPU machines run.  NVVB_QEMU_ARGS="..." adds
arguments to QEMU's command line (for experiments).
The exit status is 0 only if the guest reached its exit line with
status 0, nothing failed, and the timeout did not fire (124 then).
"""

import argparse
import json
import os
import re
import select
import socket
import subprocess
import sys
import tempfile
import threading
import time
import importlib.util

# The TCG guest CPU: see the module's docstring.
TCG_CPU = 'max,erms=off,fsrm=off,fsrs=off,fzrm=off,fsrc=off,la57=off'
PR_SET_THP_DISABLE = 41


def disable_thp():
    """In the child before exec: 4 KiB pages for QEMU's guest RAM."""
    import ctypes
    ctypes.CDLL(None, use_errno=True).prctl(PR_SET_THP_DISABLE, 1, 0, 0, 0)


KERNEL_BAD = re.compile(
    r'(Oops[: ]|BUG: |WARNING: (CPU|at)|Kernel panic|general protection fault|'
    r'Call Trace:|kernel BUG at|unable to handle)')
TAP_LINE = re.compile(r'^(ok|not ok) (\d+)( - (.*))?$')
# A kernel message the console printed into the middle of a guest line
# (loglevel=7) ends that line: "ok 3 - name[   44.94] nouveau ...".
KMSG_TAIL = re.compile(r'\[\s*\d+\.\d+\] .*$')
PLAN_LINE = re.compile(r'^1\.\.(\d+)$')
RUNNING_LINE = re.compile(r'^# running:? (.*)$')
EXIT_LINE = re.compile(r'nvvb-guest: exit (\d+)')


def kvm_usable():
    """True if KVM here is real hardware virtualisation."""
    if not os.access('/dev/kvm', os.R_OK | os.W_OK):
        return False
    try:
        with open('/proc/modules') as f:
            if any(l.startswith('kvm_pvm ') for l in f):
                return False
        with open('/proc/cpuinfo') as f:
            flags = f.read()
        if not re.search(r'\b(vmx|svm)\b', flags):
            return False
    except OSError:
        return False
    return True


def connect_unix(path, timeout):
    """A unix socket connected to PATH, which QEMU may still be creating."""
    deadline = time.time() + timeout
    while True:
        sock = socket.socket(socket.AF_UNIX)
        try:
            sock.connect(path)
            return sock
        except OSError:
            sock.close()
            if time.time() > deadline:
                raise
            time.sleep(0.05)


def read_lines(sock, handle, log):
    """Call handle(line) for each line SOCK sends until it closes (a
    hook's protocol port), logging each as 'proto: LINE'."""
    buf = b''
    while True:
        try:
            chunk = sock.recv(65536)
        except OSError:
            return
        if not chunk:
            return
        buf += chunk
        while b'\n' in buf:
            raw, buf = buf.split(b'\n', 1)
            text = raw.decode('utf-8', 'replace').strip('\r\0')
            log('proto: ' + text)
            handle(text)


class Qmp:
    """Minimal QMP client over a unix socket."""

    def __init__(self, path, timeout=30):
        self.sock = connect_unix(path, timeout)
        self.f = self.sock.makefile('rw')
        self._read()            # greeting
        self.cmd('qmp_capabilities')
        self.lock = threading.Lock()

    def _read(self):
        while True:
            line = self.f.readline()
            if not line:
                raise EOFError('QMP connection closed')
            msg = json.loads(line)
            if 'event' not in msg:
                return msg

    def cmd(self, name, **args):
        """Run a command; return its 'return' or raise QmpError."""
        req = {'execute': name}
        if args:
            req['arguments'] = {k.replace('_', '-'): v for k, v in args.items()}
        lock = getattr(self, 'lock', None)
        if lock:
            lock.acquire()
        try:
            self.f.write(json.dumps(req) + '\n')
            self.f.flush()
            rsp = self._read()
        finally:
            if lock:
                lock.release()
        if 'error' in rsp:
            raise QmpError(name, rsp['error'].get('desc', str(rsp['error'])))
        return rsp['return']

    def close(self):
        try:
            self.sock.close()
        except OSError:
            pass


class QmpError(Exception):
    def __init__(self, cmd, desc):
        super().__init__('%s: %s' % (cmd, desc))
        self.desc = desc


class Ctx:
    pass


def describe_running(running, tap):
    """Name the test that was running when the boot was interrupted."""
    if running:
        return 'test "%s"' % running
    if tap:
        return 'the test after #%d ("%s")' % (len(tap), tap[-1][1][:60])
    return 'the first test (or boot, before any result)'


def stop_qemu(proc, qmp):
    """Quit QEMU: over QMP if it is there, else SIGTERM; SIGKILL after 5 s."""
    try:
        if qmp:
            qmp.sock.settimeout(2)
            qmp.cmd('quit')
        else:
            proc.terminate()
    except Exception:
        proc.terminate()
    try:
        proc.wait(timeout=5)
    except subprocess.TimeoutExpired:
        proc.kill()


def main():
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument('--qemu', required=True)
    ap.add_argument('--kernel', required=True)
    ap.add_argument('--initrd', required=True)
    ap.add_argument('--append', default='', help='extra kernel command line')
    ap.add_argument('--memory', default='1G')
    ap.add_argument('--accel', default=os.environ.get('NVVB_ACCEL', 'auto'),
                    choices=['auto', 'kvm', 'tcg'])
    ap.add_argument('--timeout', type=float, default=600,
                    help='seconds before the guest is killed (default 600)')
    ap.add_argument('--idle-timeout', type=float, default=120,
                    help='seconds of console silence before the guest is '
                    'killed (default 120)')
    ap.add_argument('--grace', type=float, default=3,
                    help='seconds the console is still read after an Oops '
                    'before QEMU is stopped (default 3, at most 8)')
    ap.add_argument('--planned', type=int, default=0,
                    help='number of tests the guest runs, if it does not '
                    'print its plan first')
    ap.add_argument('--no-fail-fast', action='store_true',
                    help='keep running after an Oops (until exit/timeout)')
    ap.add_argument('--log', help='save the console here')
    ap.add_argument('--tap', help='write results as TAP here')
    ap.add_argument('--qmp', action='store_true', help='open a QMP socket for hooks')
    ap.add_argument('--hook', help='Python file with a Hook class')
    ap.add_argument('--hook-arg', action='append', default=[],
                    help='KEY=VALUE passed to the hook as ctx.args')
    ap.add_argument('--quiet', action='store_true', help='do not echo the console')
    ap.add_argument('qemu_args', nargs='*')
    a = ap.parse_args()

    accel = a.accel
    if accel == 'auto':
        accel = 'kvm' if kvm_usable() else 'tcg'
    cpu = 'host' if accel == 'kvm' else TCG_CPU
    cpu = os.environ.get('NVVB_CPU', cpu)
    no_thp = accel == 'tcg' and os.environ.get('NVVB_THP') != '1'
    append = ('console=ttyS0 loglevel=4 panic=-1 rdinit=/init noreplace-smp '
              + a.append)
    tmpdir = tempfile.mkdtemp(prefix='nvvb-boot-')
    qmp_path = os.path.join(tmpdir, 'qmp.sock')
    cmd = [a.qemu, '-M', 'pc', '-accel', accel, '-cpu', cpu, '-m', a.memory,
           '-smp', '1', '-nographic', '-nodefaults', '-serial', 'stdio',
           '-no-reboot', '-kernel', a.kernel, '-initrd', a.initrd,
           '-append', append.strip()]
    if a.qmp or a.hook:
        cmd += ['-qmp', 'unix:%s,server=on,wait=off' % qmp_path]
    cmd += a.qemu_args
    cmd += os.environ.get('NVVB_QEMU_ARGS', '').split()

    t0 = time.time()
    logf = open(a.log, 'w') if a.log else None

    def say(msg):
        line = '[%7.2fs] %s' % (time.time() - t0, msg)
        if not a.quiet:
            print(line, file=sys.stderr, flush=True)
        if logf:
            logf.write(line + '\n')
            logf.flush()

    say('accel %s: %s' % (accel, ' '.join(cmd)))
    try:
        proc = subprocess.Popen(cmd, stdin=subprocess.PIPE,
                                stdout=subprocess.PIPE,
                                stderr=subprocess.STDOUT, bufsize=0,
                                preexec_fn=disable_thp if no_thp else None)
    except OSError as e:
        say('cannot start QEMU: %s' % e)
        if a.tap:
            with open(a.tap, 'w') as f:
                f.write('not ok 1 - QEMU did not start: %s\n1..1\n' % e)
        return 1
    ctx = Ctx()
    ctx.qmp = None
    ctx.args = dict(kv.split('=', 1) for kv in a.hook_arg)
    ctx.log = lambda m: say('host: ' + m)
    ctx.t0 = t0
    ctx.connect_unix = connect_unix
    ctx.read_lines = lambda sock, handle: read_lines(sock, handle, ctx.log)

    def send(text):
        try:
            proc.stdin.write(text.encode())
            proc.stdin.flush()
        except OSError:
            pass
    ctx.send = send
    hook = None
    if a.qmp or a.hook:
        try:
            ctx.qmp = Qmp(qmp_path)
        except Exception as e:  # QEMU failed to start
            say('host: no QMP connection: %s' % e)
    if a.hook:
        spec = importlib.util.spec_from_file_location('nvvb_hook', a.hook)
        mod = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(mod)
        hook = mod.Hook(ctx)

    tap = []            # (ok, name) from the guest
    kernel_bad = []
    exit_status = None
    timed_out = False
    idle_out = False
    planned = a.planned
    running = None      # the guest's "# running: NAME"
    bad_at = None       # when the first Oops/BUG/WARNING/panic was seen
    buf = b''
    deadline = t0 + a.timeout
    last_output = time.time()
    grace = max(0.0, min(a.grace, 8.0))
    fd = proc.stdout.fileno()
    while True:
        now = time.time()
        if bad_at is not None and now - bad_at >= grace:
            break
        left = deadline - now
        if left <= 0:
            timed_out = True
            break
        if now - last_output > a.idle_timeout:
            idle_out = True
            break
        r, _, _ = select.select([fd], [], [], min(left, 0.5))
        if not r:
            continue
        chunk = os.read(fd, 65536)
        if not chunk:
            break
        last_output = time.time()
        buf += chunk
        while b'\n' in buf:
            raw, buf = buf.split(b'\n', 1)
            text = raw.decode('utf-8', 'replace').rstrip('\r')
            say(text)
            m = TAP_LINE.match(KMSG_TAIL.sub('', text))
            if m:
                tap.append((m.group(1) == 'ok', m.group(4) or ''))
                running = None
            m = PLAN_LINE.match(text)
            if m and not tap:
                planned = int(m.group(1))
            m = RUNNING_LINE.match(text)
            if m:
                running = m.group(1).strip()
            if KERNEL_BAD.search(text):
                kernel_bad.append(text.strip())
                if bad_at is None and not a.no_fail_fast:
                    bad_at = time.time()
                    say('FAIL FAST: kernel reported "%s" during %s; stopping '
                        'QEMU in %.0f s' % (text.strip()[:100], describe_running(
                            running, tap), grace))
            m = EXIT_LINE.search(text)
            if m:
                exit_status = int(m.group(1))
            if hook:
                try:
                    hook.line(text)
                except Exception as e:
                    import traceback
                    traceback.print_exc()
                    kernel_bad.append('host hook raised %r' % e)
    if timed_out:
        say('TIMEOUT: no power-off after %.0f s; killing QEMU' % a.timeout)
    elif idle_out:
        say('TIMEOUT: console silent for %.0f s; killing QEMU' % a.idle_timeout)
    if proc.poll() is None:
        stop_qemu(proc, ctx.qmp if bad_at is not None else None)
    rc = proc.wait()
    if buf:
        say(buf.decode('utf-8', 'replace'))
    elapsed = time.time() - t0
    hook_results = hook.results() if hook else []
    if ctx.qmp:
        ctx.qmp.close()

    results = list(tap)
    results += hook_results
    if bad_at is not None or timed_out or idle_out:
        why = ('after "%s"' % kernel_bad[0][:80] if bad_at is not None
               else 'timeout')
        results.append((False, 'interrupted during %s (%s)' %
                        (describe_running(running, tap), why)))
        missing = planned - len(tap) - 1
        if missing > 0:
            results.append((False, '%d further planned test(s) did not run (%s)'
                            % (missing, why)))
    results.append((not kernel_bad,
                    'guest kernel log has no Oops/BUG/WARNING/panic' +
                    ('' if not kernel_bad else ' (first: %s)' % kernel_bad[0][:120])))
    results.append((exit_status == 0 and not timed_out and not idle_out,
                    'guest ran to completion in %.1f s (exit %s%s, QEMU rc %s)' %
                    (elapsed, exit_status,
                     ', TIMEOUT' if timed_out or idle_out else
                     ', stopped after a kernel error' if bad_at is not None else '',
                     rc)))
    if a.tap:
        with open(a.tap, 'w') as f:
            for i, (ok, name) in enumerate(results, 1):
                f.write('%s %d - %s\n' % ('ok' if ok else 'not ok', i, name))
            f.write('1..%d\n' % len(results))
    npass = sum(1 for ok, _ in results if ok)
    nfail = len(results) - npass
    say('boot: %.1f s, %d passed, %d failed%s' %
        (elapsed, npass, nfail, ' (timeout)' if timed_out or idle_out else
         ' (stopped after a kernel error)' if bad_at is not None else ''))
    if logf:
        logf.close()
    if timed_out or idle_out:
        return 124
    return 0 if nfail == 0 else 1


if __name__ == '__main__':
    sys.exit(main())
