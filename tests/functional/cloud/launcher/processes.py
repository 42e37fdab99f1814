"""The services' processes: spawn, record in pids/, find, stop, sweep."""

import json
import os
import signal
import socket
import subprocess
import time

from launcher.settings import HOST, DevCloudError, say, write_json


def _start_ticks(pid):
    """The start time of a process, to tell it from a later one."""
    try:
        with open(f"/proc/{pid}/stat") as f:
            stat = f.read()
        return int(stat.rsplit(")", 1)[1].split()[19])
    except (OSError, ValueError, IndexError):
        return None


def _group_alive(pgid):
    """Whether any process of the group is still running (not a zombie)."""
    try:
        os.killpg(pgid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    if not os.path.isdir("/proc"):
        return True
    # killpg also finds zombies, which stay until whoever adopted them
    # reaps them: they run nothing, so they do not count.
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as f:
                fields = f.read().rsplit(")", 1)[1].split()
        except (OSError, IndexError):
            continue
        if int(fields[2]) == pgid and fields[0] not in ("Z", "X"):
            return True
    return False


def service_env():
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.lower().endswith("_proxy") and not k.startswith(("OS_", "PYTHON"))
    }
    env["NO_PROXY"] = env["no_proxy"] = "127.0.0.1,localhost"
    env["PYTHONUNBUFFERED"] = "1"
    return env


class Services:
    """The processes of one run dir: started here or found in pids/."""

    def __init__(self, settings):
        self.settings = settings
        self.procs = {}

    def spawn(self, name, argv, log_name=None):
        settings = self.settings
        out = settings.logs / f"{log_name or name}.out"
        with open(out, "ab") as f:
            proc = subprocess.Popen(
                [str(a) for a in argv],
                stdin=subprocess.DEVNULL,
                stdout=f,
                stderr=subprocess.STDOUT,
                cwd=settings.run_dir,
                env=service_env(),
                start_new_session=True,
            )
        self.procs[name] = proc
        write_json(
            settings.pids / (f"{name}.json"),
            {
                "name": name,
                "pid": proc.pid,
                "start_ticks": _start_ticks(proc.pid),
                "argv": [str(a) for a in argv],
                "out": str(out),
            },
        )
        return proc

    def records(self):
        found = []
        if self.settings.pids.is_dir():
            for path in sorted(self.settings.pids.glob("*.json")):
                try:
                    found.append((path, json.loads(path.read_text())))
                except (OSError, ValueError):
                    path.unlink(missing_ok=True)
        return found

    def ours(self, record):
        """Whether the group recorded is still there and still ours."""
        pid = record["pid"]
        ticks = _start_ticks(pid)
        if ticks is not None and record.get("start_ticks") not in (None, ticks):
            return False  # the pid is someone else's now: ours is gone
        return _group_alive(pid)

    def _signal_and_wait(self, records, sig, wait):
        for record in records:
            try:
                os.killpg(record["pid"], sig)
            except ProcessLookupError:
                pass
        deadline = time.monotonic() + wait
        left = list(records)
        while left and time.monotonic() < deadline:
            time.sleep(0.1)
            for proc in self.procs.values():
                proc.poll()  # reap our own children
            left = [r for r in left if _group_alive(r["pid"])]
        return left

    def stop_all(self, quiet=False, grace=10.0):
        """Stop every recorded process group; True if none is left.

        SIGTERM to every group at once, SIGKILL to what is left after
        `grace` seconds.
        """
        found = self.records()
        running = [record for _, record in found if self.ours(record)]
        if not quiet:
            for record in running:
                say(f"stopping {record['name']} (process group {record['pid']})")
        left = self._signal_and_wait(running, signal.SIGTERM, grace)
        for record in left:
            say(f"{record['name']} did not stop within {grace:.0f}s: killing it")
        left = self._signal_and_wait(left, signal.SIGKILL, 5.0)
        for record in left:
            say(
                f"could not stop {record['name']}: "
                f"process group {record['pid']} is still there"
            )
        gone = {r["name"] for r in left}
        for path, record in found:
            if record["name"] not in gone:
                path.unlink(missing_ok=True)
        return self.sweep() and not left

    def sweep(self):
        """End any process left that runs from this run dir; True if none."""
        marker = str(self.settings.run_dir) + os.sep
        left = []
        for entry in os.listdir("/proc") if os.path.isdir("/proc") else []:
            if not entry.isdigit() or int(entry) == os.getpid():
                continue
            try:
                with open(f"/proc/{entry}/cmdline", "rb") as f:
                    cmdline = f.read().replace(b"\0", b" ").decode("utf-8", "replace")
            except OSError:
                continue
            if marker in cmdline and "devcloud.py" not in cmdline:
                left.append((int(entry), cmdline))
        for pid, cmdline in left:
            say(f"ending leftover process {pid}: {cmdline[:120]}")
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        if left:
            time.sleep(0.5)
            return all(_start_ticks(pid) is None for pid, _ in left)
        return True


def wait_until(what, check, proc, timeout, log):
    deadline = time.monotonic() + timeout
    while True:
        if proc is not None and proc.poll() is not None:
            raise DevCloudError(
                f"{what} exited with status {proc.returncode} while starting", log
            )
        if check():
            return
        if time.monotonic() > deadline:
            raise DevCloudError(f"{what} not ready after {timeout}s", log)
        time.sleep(0.2)


def run_logged(argv, log, env=None, what=None):
    with open(log, "ab") as f:
        f.write(("\n$ " + " ".join(str(a) for a in argv) + "\n").encode())
        f.flush()
        result = subprocess.run(
            [str(a) for a in argv],
            stdin=subprocess.DEVNULL,
            stdout=f,
            stderr=subprocess.STDOUT,
            env=env,
            check=False,
        )
    if result.returncode:
        what = what or os.path.basename(str(argv[0]))
        raise DevCloudError(f"{what} failed with status {result.returncode}", log)


def check_ports_free(settings, names):
    for name in names:
        port = settings.ports[name]
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
            # As the servers do: old connections in TIME_WAIT do not count.
            s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            try:
                s.bind((HOST, port))
            except OSError:
                option = name.replace("_", "-")
                raise DevCloudError(
                    f"port {port} ({name}) is in use on {HOST}; choose another "
                    f"with --{option}-port or HOSTCTL_CLOUD_{name.upper()}_PORT"
                ) from None
