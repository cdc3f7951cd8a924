#!/usr/bin/env python3
"""bench/nets_torch.py: PyTorch's samples/s on the two reference CNNs (nets.mjs runs it as a
child process with /usr/bin/python3 and reads the one JSON line it prints on stdout).

Same work as nets.mjs measures for kindling: batch 64 of random 1x28x28 inputs and random
labels, SGD(lr=0.01, momentum=0.9) + CrossEntropyLoss, one thread. Training is the plain
loop (zero_grad, forward, loss, backward, step); inference is a forward under no_grad.
Reported, never asserted. Not a correctness test.

usage: /usr/bin/python3 bench/nets_torch.py [--nets=A,B] [--rounds=3] [--rep-ms=800] [--warm-ms=600]
       /usr/bin/python3 bench/nets_torch.py --serve [--nets=A,B]   (how nets.mjs drives it; see serve())
"""
import json
import os
import sys
import time

import torch
from torch import nn

BATCH = 64


def net_a():
    return nn.Sequential(nn.Conv2d(1, 32, 3), nn.ReLU(), nn.Conv2d(32, 64, 3), nn.ReLU(), nn.MaxPool2d(2),
                         nn.Flatten(), nn.Linear(9216, 128), nn.ReLU(), nn.Linear(128, 10))


def net_b():
    return nn.Sequential(nn.Conv2d(1, 6, 5, padding=2), nn.ReLU(), nn.MaxPool2d(2), nn.Conv2d(6, 16, 5), nn.ReLU(),
                         nn.MaxPool2d(2), nn.Flatten(), nn.Linear(400, 120), nn.ReLU(), nn.Linear(120, 84), nn.ReLU(),
                         nn.Linear(84, 10))


NETS = {'A': net_a, 'B': net_b}


def options(argv):
    out = {'nets': 'A,B', 'rounds': '3', 'rep-ms': '800', 'warm-ms': '600'}
    for arg in argv:
        if arg.startswith('--'):
            key, _, value = arg[2:].partition('=')
            out[key] = value
    return out


def timed_rep(fn, rep_s):
    """Runs fn until rep_s seconds have passed (at least twice); returns seconds per call,
    by wall clock and by this process's CPU time."""
    n, start, cpu0 = 0, time.perf_counter(), time.process_time()
    while True:
        fn()
        n += 1
        elapsed = time.perf_counter() - start
        if n >= 2 and elapsed >= rep_s:
            return elapsed / n, (time.process_time() - cpu0) / n


def blas_library():
    """The BLAS this process really loaded (Debian switches it with update-alternatives)."""
    try:
        with open('/proc/self/maps') as maps:
            paths = {line.split()[-1] for line in maps if 'blas' in line.lower() and '/' in line}
    except OSError:
        return 'BLAS unknown'
    names = sorted(os.path.realpath(p) for p in paths)
    if any('openblas' in p for p in names):
        return 'OpenBLAS'
    if any('/blas/libblas' in p for p in names):
        return "Debian's reference BLAS"
    return ', '.join(os.path.basename(p) for p in names) or 'no BLAS library mapped'


def make_jobs(nets):
    torch.manual_seed(0)
    x = torch.randn(BATCH, 1, 28, 28)
    y = torch.randint(0, 10, (BATCH,))
    jobs = {}
    for name in nets:
        model = NETS[name]()
        optimizer = torch.optim.SGD(model.parameters(), lr=0.01, momentum=0.9)
        criterion = nn.CrossEntropyLoss()

        def train(model=model, optimizer=optimizer, criterion=criterion):
            optimizer.zero_grad()
            loss = criterion(model(x), y)
            loss.backward()
            optimizer.step()

        def infer(model=model):
            with torch.no_grad():
                model(x)

        jobs[f'{name} train'] = train
        jobs[f'{name} infer'] = infer
    return jobs


def meta():
    return {'version': torch.__version__, 'threads': torch.get_num_threads(), 'blas_library': blas_library(),
            'mkldnn': torch.backends.mkldnn.is_available()}


def serve(jobs):
    """nets.mjs's mode: one request per stdin line, '<net> <mode> <ms>' (e.g. 'A train 1500'),
    answered by one JSON line {"wall": s, "cpu": s} per call, so that PyTorch's rounds
    interleave with the in-process systems' rounds and share the same host noise."""
    print(json.dumps(meta()), flush=True)
    for line in sys.stdin:
        parts = line.split()
        if len(parts) != 3:
            break
        sec, cpu = timed_rep(jobs[f'{parts[0]} {parts[1]}'], float(parts[2]) / 1000)
        print(json.dumps({'wall': sec, 'cpu': cpu}), flush=True)


def main():
    opts = options(sys.argv[1:])
    torch.set_num_threads(1)
    jobs = make_jobs(opts['nets'].split(','))
    if 'serve' in opts:
        serve(jobs)
        return
    rounds, rep_s, warm_s = int(opts['rounds']), float(opts['rep-ms']) / 1000, float(opts['warm-ms']) / 1000
    for fn in jobs.values():  # warm-up: allocator, oneDNN primitive caches
        timed_rep(fn, warm_s)
    best, best_cpu = {}, {}
    for _ in range(rounds):  # interleaved rounds, best of, as nets.mjs does
        for key, fn in jobs.items():
            sec, cpu = timed_rep(fn, rep_s)
            best[key] = min(best.get(key, float('inf')), sec)
            best_cpu[key] = min(best_cpu.get(key, float('inf')), cpu)
    print(json.dumps({
        **meta(),
        'samples_per_s': {key: BATCH / sec for key, sec in best.items()},
        'cpu_samples_per_s': {key: BATCH / sec for key, sec in best_cpu.items()},
    }))


if __name__ == '__main__':
    main()
