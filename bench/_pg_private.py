"""A PostgreSQL server of the bench's own, in a temporary folder, so that its CPU is the bench's.

On a machine shared with other work, the shared server's processes serve others too; a private
cluster (initdb + pg_ctl from PATH, run as the ``postgres`` user when the bench runs as root)
holds only the bench's backends, and its process tree is exactly the database's CPU.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path


def _as_postgres(command: list[str]) -> list[str]:
    if os.geteuid() != 0:
        return command
    return ["runuser", "-u", "postgres", "--", *command]


class PrivatePostgres:
    def __init__(self, folder: Path, port: int) -> None:
        self.data = folder / "pgdata"
        self.port = port
        for tool in ("initdb", "pg_ctl"):
            if shutil.which(tool) is None:
                raise SystemExit(f"--private-postgres needs {tool} on PATH")

    def start(self) -> str:
        """initdb, start on 127.0.0.1:port, create the bench's database; returns its URL."""
        self.data.mkdir(parents=True)
        if os.geteuid() == 0:
            # The postgres user must reach its folder inside ours.
            os.chmod(self.data.parent, 0o755)  # noqa: S103 - a temporary folder of the bench's
            shutil.chown(self.data, "postgres", "postgres")
        subprocess.run(
            _as_postgres(["initdb", "-D", str(self.data), "-A", "trust", "-U", "postgres"]),
            stdout=subprocess.DEVNULL,
            check=True,
        )
        options = f"-p {self.port} -k {self.data} -c listen_addresses=127.0.0.1"
        subprocess.run(
            _as_postgres(["pg_ctl", "-D", str(self.data), "-o", options, "-w", "start"]),
            stdout=subprocess.DEVNULL,
            check=True,
        )
        import psycopg

        with psycopg.connect(
            f"postgresql://postgres@127.0.0.1:{self.port}/postgres", autocommit=True
        ) as conn:
            conn.execute("CREATE DATABASE bench")
        return f"postgres://postgres@127.0.0.1:{self.port}/bench"

    def postmaster_pid(self) -> int:
        return int((self.data / "postmaster.pid").read_text().split()[0])

    def stop(self) -> None:
        subprocess.run(
            _as_postgres(["pg_ctl", "-D", str(self.data), "-m", "fast", "-w", "stop"]),
            stdout=subprocess.DEVNULL,
            check=False,
        )
