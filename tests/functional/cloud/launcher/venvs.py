"""One venv per service, made from its pinned requirements and reused while
a stamp of them matches."""

import concurrent.futures
import hashlib
import shutil
import sys
import time

from launcher.processes import run_logged
from launcher.settings import HERE, say


def requirement_files(name):
    files = [HERE / "requirements" / (f"{name}.txt")]
    extra = HERE / (f"{name}_requirements.txt")
    if extra.exists():
        files.append(extra)
    return files


def _venv_stamp(name):
    digest = hashlib.sha256(sys.version.encode())
    for path in requirement_files(name):
        digest.update(path.read_bytes())
    return digest.hexdigest()


def ensure_venv(settings, name):
    venv = settings.venv(name)
    stamp_file = venv / "devcloud.stamp"
    stamp = _venv_stamp(name)
    python = settings.python(name)
    if (
        python.exists()
        and stamp_file.exists()
        and stamp_file.read_text().strip() == stamp
    ):
        return "reused"
    settings.venvs_dir.mkdir(parents=True, exist_ok=True)
    log = settings.venvs_dir / (f"{name}.install.log")
    started = time.monotonic()
    if not python.exists():
        if venv.exists():
            shutil.rmtree(venv)
        run_logged(
            [sys.executable, "-m", "venv", venv], log, what=f"creating the {name} venv"
        )
    argv = [python, "-m", "pip", "install", "--disable-pip-version-check"]
    for path in requirement_files(name):
        argv += ["-r", path]
    run_logged(argv, log, what=f"installing the {name} venv")
    stamp_file.write_text(stamp + "\n")
    return f"installed in {time.monotonic() - started:.0f}s"


def ensure_venvs(settings, names):
    with concurrent.futures.ThreadPoolExecutor(len(names)) as pool:
        futures = {name: pool.submit(ensure_venv, settings, name) for name in names}
        for name, future in futures.items():
            say(f"venv {name}: {future.result()}")
