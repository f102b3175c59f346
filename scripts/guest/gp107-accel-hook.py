# SPDX-License-Identifier: GPL-2.0-or-later
"""The boot.py hook of gp107-accel.sh: two host checks on one protocol port.

The accelerated suite runs two guest programs one after the other on the
same protocol port (the guest's ttyS1, a QEMU socket chardev that accepts
one connection): nouveau-accel-test.c stops at "@nvvb check" lines for
the page-table check (gp107-check.py), nouveau-exec-test.c at "@nvvb
ce-check", "expect-unmapped" and "ce-mark" lines for the check of the
copy engine's accesses (gp107-ce-check.py).  This hook owns the port and
hands every protocol line to both; each answers only its own commands,
so the guest gets exactly one answer per stop.

ctx.args: proto=PATH, device=ID, gpuvm=PATH (gp107-check.py), expect=
ok|corrupt (gp107-ce-check.py: x-corrupt-user-ce; the page tables stay
right, so gp107-check.py always expects them to match).
"""

import importlib.util
import os
import threading


def load(name):
    path = os.path.join(os.path.dirname(os.path.abspath(__file__)), name)
    spec = importlib.util.spec_from_file_location(
        name[:-3].replace('-', '_'), path)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


class SubCtx:
    """boot.py's hook context with arguments of its own, no protocol port
    (the sub-hook then takes its lines from proto_line and answers through
    send, which this hook points at the port)."""

    def __init__(self, ctx, args, send):
        self.__dict__.update(ctx.__dict__)
        self.args = args
        self.send = send


class Hook:
    def __init__(self, ctx):
        self.ctx = ctx
        self.sock = None
        self.lock = threading.Lock()
        self.errors = []
        dev = ctx.args.get('device', 'gpu0')
        pt = SubCtx(ctx, {'device': dev, 'gpuvm': ctx.args['gpuvm']},
                    self.send)
        ce = SubCtx(ctx, {'device': dev,
                          'expect': ctx.args.get('expect', 'ok')}, self.send)
        self.hooks = [load('gp107-check.py').Hook(pt),
                      load('gp107-ce-check.py').Hook(ce)]
        path = ctx.args.get('proto')
        if path:
            try:
                self.sock = ctx.connect_unix(path, 10)
            except OSError:
                ctx.log('protocol port %s: cannot connect' % path)
            else:
                threading.Thread(target=self.reader, daemon=True).start()

    def reader(self):
        self.ctx.read_lines(self.sock, self.dispatch)

    def dispatch(self, text):
        for h in self.hooks:
            try:
                h.proto_line(text)
            except Exception as e:  # noqa: BLE001 - reported
                self.errors.append((False, 'host: protocol line raised '
                                    '%r\n# %s' % (e, text)))

    def send(self, text):
        if not self.sock:
            self.ctx.send(text)
            return
        with self.lock:
            try:
                self.sock.sendall(text.encode())
            except OSError:
                pass

    def line(self, text):
        # Console lines: post-mortems on an Oops; without a port, the
        # protocol itself.
        for h in self.hooks:
            if self.sock and '@nvvb ' in text:
                continue
            h.line(text)

    def results(self):
        res = list(self.errors)
        for h in self.hooks:
            # A check may still be running (the boot was stopped early);
            # the sub-hooks have no reader thread, so they do not wait.
            got = h.lock.acquire(timeout=10)
            try:
                res += h.results()
            finally:
                if got:
                    h.lock.release()
        return res
