"""Who spent the CPU of a measurement: the app's processes, PostgreSQL, the load generator, everything else, how
much of the machine stayed idle, and how much the hypervisor took for other guests (steal: on a shared virtual
machine, the share of the run that was not ours to use). Read from /proc before and after, so it costs nothing while the load runs.

At 32 connections a closed loop's latency is connections / throughput, and throughput on two shared cores is what
the CPU per request allows: these figures say which side of a slow endpoint to work on.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

_TICK = os.sysconf("SC_CLK_TCK")
SIDES = ("app", "PostgreSQL", "load", "other")


@dataclass
class Snapshot:
    seconds: dict[str, float]  # CPU seconds per side since each process started
    idle: float  # the machine's idle seconds since boot, all CPUs
    steal: float  # seconds the hypervisor ran something else while this machine wanted to run


def _side(pid: int, comm: str, app_pids: set[int]) -> str:
    if pid in app_pids:
        return "app"
    if comm == "postgres":
        return "PostgreSQL"
    if comm == "wrk" or pid == os.getpid():  # wrk is this process's child: once it ends, its CPU is counted here
        return "load"
    return "other"


def snapshot(app_pids: set[int]) -> Snapshot:
    seconds = dict.fromkeys(SIDES, 0.0)
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:  # it ended meanwhile
            continue
        comm = stat[stat.index("(") + 1 : stat.rindex(")")]
        fields = stat[stat.rindex(")") + 2 :].split()
        # utime + stime of every thread, + cutime + cstime: children that ended and were reaped (PostgreSQL's
        # backends and autovacuum workers, a wrk run) stay counted in their parent
        used = sum(int(f) for f in fields[11:15]) / _TICK
        seconds[_side(int(entry.name), comm, app_pids)] += used
    cpu = Path("/proc/stat").read_text().splitlines()[0].split()
    return Snapshot(seconds, (int(cpu[4]) + int(cpu[5])) / _TICK, int(cpu[8]) / _TICK)  # idle + iowait; steal


def per_request_ms(before: Snapshot, after: Snapshot, requests: int, wall_seconds: float) -> dict[str, float]:
    """ms of CPU per request on each side, and ``idle %`` and ``steal %`` of the machine over the measurement."""
    count = max(requests, 1)
    split = {side: max(after.seconds[side] - before.seconds[side], 0.0) * 1000 / count for side in SIDES}
    cpus = len(os.sched_getaffinity(0))
    for name, spent in (("idle %", after.idle - before.idle), ("steal %", after.steal - before.steal)):
        split[name] = 100 * max(spent, 0.0) / (wall_seconds * cpus) if wall_seconds else 0.0
    return split
