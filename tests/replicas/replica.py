"""One `briefbot run` process, as the replica tests and `bench/bench_replicas.py` run it: its own
folder (no `.env` from the repository), its own port, its output in a file per start (not a pipe:
nobody reads a pipe, and a full one would stall the bot), watched through GET /healthz, stopped
by SIGTERM or killed by SIGKILL."""

from __future__ import annotations

import asyncio
import os
import signal
import socket
import sys
import time
from pathlib import Path

import aiohttp

BRIEFBOT = Path(sys.executable).with_name("briefbot")


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class Replica:
    def __init__(self, name: str, folder: Path, env: dict[str, str]) -> None:
        self.name = name
        self.folder = folder / name
        self.folder.mkdir(parents=True, exist_ok=True)
        # Kept across restarts: the load balancer knows a replica by its address.
        self.port = free_port()
        self.env = {
            "PATH": os.environ.get("PATH", ""),
            "HOME": str(self.folder),
            "BRIEFBOT_HOME": str(self.folder),
            "HTTP_HOST": "127.0.0.1",
            "HTTP_PORT": str(self.port),
            "LOG_LEVEL": "INFO",
            **env,
        }
        self.process: asyncio.subprocess.Process | None = None
        self.logs: list[Path] = []

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def pid(self) -> int:
        assert self.process is not None, f"{self.name} was never started"
        return self.process.pid

    @property
    def running(self) -> bool:
        return self.process is not None and self.process.returncode is None

    async def start(self) -> None:
        assert not self.running, f"{self.name} is already running"
        path = self.folder / f"run{len(self.logs) + 1}.log"
        self.logs.append(path)
        with path.open("wb") as sink:
            self.process = await asyncio.create_subprocess_exec(
                str(BRIEFBOT), "run", cwd=self.folder, env=self.env, stdout=sink, stderr=sink
            )

    async def wait_healthy(self, within: float = 30.0) -> None:
        deadline = time.monotonic() + within
        async with aiohttp.ClientSession() as http:
            while True:
                if not self.running:
                    raise AssertionError(f"{self.name} exited early:\n{self.log()[-3000:]}")
                try:
                    async with http.get(f"{self.url}/healthz") as response:
                        if response.status == 200:
                            return
                except aiohttp.ClientError:
                    pass  # not listening yet
                if time.monotonic() > deadline:
                    raise AssertionError(f"{self.name} is not healthy:\n{self.log()[-3000:]}")
                await asyncio.sleep(0.1)

    async def terminate(self, within: float = 20.0) -> int:
        """SIGTERM, as an orchestrator stops a replica; returns the exit status."""
        assert self.process is not None
        if self.running:
            self.process.send_signal(signal.SIGTERM)
        return await asyncio.wait_for(self.process.wait(), within)

    async def kill(self) -> None:
        """SIGKILL: no clean-up at all, as when a machine or container dies."""
        if self.process is not None and self.running:
            self.process.kill()
            await self.process.wait()

    def log(self) -> str:
        """Everything every start of this replica wrote."""
        return "".join(path.read_text(errors="replace") for path in self.logs if path.exists())
