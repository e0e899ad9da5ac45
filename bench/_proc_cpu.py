"""CPU seconds of processes and process trees, read from /proc (Linux), for the web bench.

A tree's time is its root's own time, the time of the children it has reaped (cutime, cstime:
PostgreSQL backends that came and went) and the time of the children still alive, so that a
difference between two readings counts every process that ran in between exactly once.
"""

from __future__ import annotations

import os
from pathlib import Path

TICK = os.sysconf("SC_CLK_TCK")
PROC = Path("/proc")


def _fields(pid: int) -> list[str] | None:
    """The fields of /proc/PID/stat after the command name: [state, ppid, ...]."""
    try:
        text = (PROC / str(pid) / "stat").read_text()
    except OSError:
        return None
    return text[text.rindex(")") + 2 :].split()


def own_seconds(pid: int) -> float:
    """User + system CPU of one process (its live threads included), 0 once it is gone."""
    fields = _fields(pid)
    return 0.0 if fields is None else (int(fields[11]) + int(fields[12])) / TICK


def _children() -> dict[int, list[int]]:
    by_parent: dict[int, list[int]] = {}
    for entry in PROC.iterdir():
        if entry.name.isdigit():
            fields = _fields(int(entry.name))
            if fields is not None:
                by_parent.setdefault(int(fields[1]), []).append(int(entry.name))
    return by_parent


def tree_seconds(pid: int) -> float:
    """CPU of a process, of every live descendant, and of the descendants already reaped."""
    by_parent = _children()
    total, todo = 0.0, [pid]
    while todo:
        current = todo.pop()
        fields = _fields(current)
        if fields is None:
            continue
        total += sum(int(value) for value in fields[11:15]) / TICK
        todo.extend(by_parent.get(current, []))
    return total


def machine_busy_seconds() -> float:
    """CPU seconds the whole machine spent busy (every process, other people's included)."""
    first = (PROC / "stat").read_text().splitlines()[0].split()
    user, nice, system, _idle, _iowait, irq, softirq, steal = (int(v) for v in first[1:9])
    return (user + nice + system + irq + softirq + steal) / TICK


def load_average() -> str:
    return " ".join((PROC / "loadavg").read_text().split()[:3])


def parent_of(pid: int) -> int:
    fields = _fields(pid)
    if fields is None:
        raise ProcessLookupError(pid)
    return int(fields[1])
