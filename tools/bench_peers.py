"""hostctl beside openstack and nova: the same commands, cloud and run.

Run with ``./run bench-peers`` (``./run bench`` runs this, then the bulk
benchmark). It

- installs python-openstackclient and python-novaclient (whose ``nova``
  shell is deprecated but still ships), each into its own virtual
  environment under ~/.cache/hostctl/bench (once; pinned in PEERS);
- starts the real local cloud (tests/functional/cloud) unless it is up,
  and stops it after if it started it;
- puts the tests' proxy on loopback in front of Keystone and Nova
  (tests/functional/faultproxy.py, with no faults), so that the requests
  each command sends are counted as the cloud receives them;
- runs every command of COMMANDS with each tool, round-robin, --runs times
  after one untimed warm-up (which, for hostctl, fills its token cache:
  the timed runs are warm-cache runs), and prints the median wall times,
  the ratios and the requests per command as one Markdown table;
- times, in the same rounds, the floor any Python client of the compute
  API pays: ``python -c "import keystoneauth1.session"`` plus the request
  itself (tools/bench_floor.py), and checks the targets against it.

All three tools get the same credentials: OS_* variables (an openrc), or,
for the rows marked clouds.yaml, a clouds.yaml and ``--os-cloud`` (nova
reads no clouds.yaml: it keeps the openrc there). They talk to the same
proxy. Nothing leaves the loopback interface, except pip to PyPI.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.request

TOP = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
# The tests' proxy, with no faults: it counts what each CLI sends.
sys.path.insert(0, TOP)
from tests.functional import faultproxy  # noqa: E402
from tools import bench_floor  # noqa: E402
from tools import bench_report  # noqa: E402
from tools.bench_report import CLOUDS_YAML  # noqa: E402
from tools.bench_report import TOOLS  # noqa: E402
from tools.bench_report import Measurement  # noqa: E402

HOSTCTL = os.path.join(os.path.dirname(sys.executable), 'hostctl')
# As ./run starts it: the launcher makes the cloud's own environments.
DEVCLOUD = ['python3', os.path.join(TOP, 'tests/functional/cloud/devcloud.py')]

#: Each peer, the packages of its environment, and its executable.
PEERS = {
    'openstack': ('python-openstackclient==10.5.0', 'openstack'),
    'nova': ('python-novaclient==18.13.1', 'nova'),
}
DOWN = 'service-force-down'
UNSET = 'service-force-down --unset'

#: The cloud name the clouds.yaml rows use.
CLOUD = 'bench'


def commands(host: str, uuid: str) -> list[tuple[str, dict[str, list[str]]]]:
    """(label, the argv of each tool) for each measured command.

    `host` is the compute host forced down and back up; `uuid` its
    nova-compute service, which nova's service-force-down takes from
    microversion 2.53 on (hostctl and openstack take host and binary).
    """
    return [
        (
            '--version',
            {
                'hostctl': ['--version'],
                'openstack': ['--version'],
                'nova': ['--version'],
            },
        ),
        (
            '--help',
            {
                'hostctl': ['--help'],
                'openstack': ['--help'],
                'nova': ['--help'],
            },
        ),
        (
            'service-list --help',
            {
                'hostctl': ['service-list', '--help'],
                'openstack': ['compute', 'service', 'list', '--help'],
                'nova': ['help', 'service-list'],
            },
        ),
        (
            'service-list',
            {
                'hostctl': ['service-list'],
                'openstack': ['compute', 'service', 'list'],
                'nova': ['service-list'],
            },
        ),
        (
            CLOUDS_YAML,
            {
                'hostctl': ['--os-cloud', CLOUD, 'service-list'],
                'openstack': [
                    '--os-cloud',
                    CLOUD,
                    'compute',
                    'service',
                    'list',
                ],
                'nova': ['service-list'],
            },
        ),
        (
            'hypervisor-list',
            {
                'hostctl': ['hypervisor-list'],
                'openstack': ['hypervisor', 'list'],
                'nova': ['hypervisor-list'],
            },
        ),
        (
            'server-list --all-projects',
            {
                'hostctl': ['server-list', '--all-projects'],
                'openstack': ['server', 'list', '--all-projects'],
                'nova': ['list', '--all-tenants'],
            },
        ),
        (
            'service-force-down',
            {
                'hostctl': ['service-force-down', host, 'nova-compute'],
                'openstack': [
                    'compute',
                    'service',
                    'set',
                    '--down',
                    host,
                    'nova-compute',
                ],
                'nova': ['service-force-down', uuid],
            },
        ),
        (
            'service-force-down --unset',
            {
                'hostctl': [
                    'service-force-down',
                    '--unset',
                    host,
                    'nova-compute',
                ],
                'openstack': [
                    'compute',
                    'service',
                    'set',
                    '--up',
                    host,
                    'nova-compute',
                ],
                'nova': ['service-force-down', '--unset', uuid],
            },
        ),
    ]


def say(text: str) -> None:
    print(f'bench-peers: {text}', file=sys.stderr, flush=True)


def bench_dir() -> str:
    base = os.environ.get('XDG_CACHE_HOME') or os.path.expanduser('~/.cache')
    return os.path.join(base, 'hostctl', 'bench')


def ensure_peer(name: str) -> str:
    """The peer's executable, its environment made if need be."""
    requirement, executable = PEERS[name]
    venv = os.path.join(bench_dir(), name)
    stamp = os.path.join(venv, '.bench-stamp')
    found = os.path.join(venv, 'bin', executable)
    try:
        with open(stamp) as f:
            if f.read() == requirement and os.path.exists(found):
                return found
    except FileNotFoundError:
        pass
    say(f'installing {requirement} into {venv}')
    subprocess.run([sys.executable, '-m', 'venv', '--clear', venv], check=True)
    done = subprocess.run(
        [
            os.path.join(venv, 'bin', 'pip'),
            'install',
            '-q',
            '--disable-pip-version-check',
            requirement,
        ],
        capture_output=True,
        text=True,
    )
    if done.returncode != 0:
        raise SystemExit(
            f'bench-peers: pip install {requirement} failed:\n{done.stderr}'
        )
    with open(stamp, 'w') as f:
        f.write(requirement)
    return found


def cloud_facts() -> dict | None:
    """cloud.json of a running local cloud, or None."""
    path = os.path.join(
        os.environ.get('HOSTCTL_CLOUD_DIR', os.path.join(TOP, '.cloud')),
        'cloud.json',
    )
    try:
        with open(path) as f:
            facts = json.load(f)
        with urllib.request.urlopen(facts['auth_url'], timeout=5):
            pass
        with urllib.request.urlopen(facts['compute_url'], timeout=5):
            pass
    except (OSError, ValueError, KeyError):
        return None
    return facts


def environment(facts: dict, proxy, cache_home: str) -> dict:
    """The same credentials for every tool, through the proxy."""
    admin = facts['users']['admin']
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(('OS_', 'HOSTCTL_'))
    }
    # Compiled modules are cached as on any user's machine (pip compiled
    # the peers'; hostctl's own are written on the warm-up run).
    env.pop('PYTHONDONTWRITEBYTECODE', None)
    env.update(
        XDG_CACHE_HOME=cache_home,
        OS_AUTH_URL=proxy.url('identity') + '/v3',
        OS_IDENTITY_API_VERSION='3',
        OS_USERNAME=admin['name'],
        OS_PASSWORD=admin['password'],
        OS_PROJECT_NAME=admin['project'],
        OS_USER_DOMAIN_ID='default',
        OS_PROJECT_DOMAIN_ID='default',
        OS_REGION_NAME='RegionOne',
        OS_INTERFACE='public',
    )
    return env


def clouds_yaml_environment(env: dict, cache_home: str) -> dict:
    """The same credentials in a clouds.yaml, and no OS_* variables."""
    path = os.path.join(cache_home, 'clouds.yaml')
    with open(path, 'w') as f:
        f.write(
            f'clouds:\n  {CLOUD}:\n    auth:\n'
            + ''.join(
                f'      {key}: {env["OS_" + key.upper()]}\n'
                for key in (
                    'auth_url',
                    'username',
                    'password',
                    'project_name',
                    'user_domain_id',
                    'project_domain_id',
                )
            )
            + '    region_name: RegionOne\n    interface: public\n'
            '    identity_api_version: 3\n'
        )
    clean = {k: v for k, v in env.items() if not k.startswith('OS_')}
    return dict(clean, OS_CLIENT_CONFIG_FILE=path)


def service_uuid(env: dict, host: str) -> str:
    done = subprocess.run(
        [HOSTCTL, 'service-list', '--host', host, '--binary', 'nova-compute']
        + ['-f', 'value', '-c', 'ID'],
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    return done.stdout.strip()


def run_once(argv, env, proxy, measurement: Measurement | None) -> None:
    proxy.reset()
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    done = subprocess.run(
        argv, env=env, capture_output=True, text=True, stdin=subprocess.DEVNULL
    )
    elapsed = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    # CPU time: what the command itself cost, whatever else the machine
    # was doing (wall time on a shared machine is mostly waiting).
    cpu = (after.ru_utime - before.ru_utime) + (
        after.ru_stime - before.ru_stime
    )
    if done.returncode != 0:
        failure = (
            f'{" ".join(argv[-6:])} exited {done.returncode}: '
            + (done.stderr.strip().splitlines() or [''])[-1]
        )
        if measurement is None:
            raise SystemExit(f'bench-peers: warm-up failed: {failure}')
        measurement.failure = measurement.failure or failure
    if measurement is not None:
        measurement.times.append(elapsed)
        measurement.cpu.append(cpu)
        measurement.requests.append(proxy.count())


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        '--runs',
        type=int,
        default=7,
        help='timed runs per command and tool (the median is reported)',
    )
    args = parser.parse_args()

    executables = {'hostctl': HOSTCTL}
    for name in PEERS:
        executables[name] = ensure_peer(name)

    started_cloud = False
    facts = cloud_facts()
    if facts is None:
        say('starting the local cloud')
        subprocess.run([*DEVCLOUD, 'start'], check=True)
        started_cloud = True
        facts = cloud_facts()
        if facts is None:
            raise SystemExit('bench-peers: the local cloud did not come up')
    proxy = faultproxy.FaultProxy(
        {'identity': facts['auth_url'], 'compute': facts['compute_url']}
    ).start()
    cache_home = tempfile.mkdtemp(prefix='hostctl-bench-')
    env = environment(facts, proxy, cache_home)
    clouds_env = clouds_yaml_environment(env, cache_home)
    floor_import, floor_request = Measurement(), Measurement()
    host = sorted(facts['hosts'])[-1]
    try:
        uuid = service_uuid(env, host)
        plan = commands(host, uuid)
        argvs_of = dict(plan)
        results = {
            label: {t: Measurement() for t in TOOLS} for label, _ in plan
        }
        say(
            f'{len(plan)} commands x {len(TOOLS)} tools x {args.runs} runs '
            '(after one warm-up each)'
        )
        # Round-robin, so that a noisy moment on the machine falls on every
        # tool alike; round 0 is the untimed warm-up. A tool's force-down
        # is followed at once by its own unset, which puts the host back.
        request = bench_floor.Request(env)
        for round_ in range(args.runs + 1):
            for label in argvs_of:
                if label == UNSET:
                    continue
                for tool in TOOLS:
                    steps = [label, UNSET] if label == DOWN else [label]
                    for step in steps:
                        run_once(
                            [executables[tool], *argvs_of[step][tool]],
                            clouds_env
                            if step == CLOUDS_YAML and tool != 'nova'
                            else env,
                            proxy,
                            results[step][tool] if round_ else None,
                        )
            if round_:
                run_once(
                    [sys.executable, *bench_floor.IMPORT],
                    env,
                    proxy,
                    floor_import,
                )
                floor_request.times.append(request.time())
        # hostctl without its cache, for what the cache buys.
        cold = Measurement()
        for _ in range(args.runs):
            run_once([HOSTCTL, '--no-cache', 'service-list'], env, proxy, cold)
    finally:
        _unset(env, host)
        proxy.stop()
        shutil.rmtree(cache_home, ignore_errors=True)
        if started_cloud:
            subprocess.run([*DEVCLOUD, 'stop'], check=False)

    labels = [label for label, _ in plan]
    print()
    print(
        f'Medians of {args.runs} runs each, one run, '
        f'{time.strftime("%Y-%m-%d")}, {bench_report.machine()}; '
        f'{bench_report.versions(executables, env)}; against the local cloud '
        '(Keystone, Nova on 127.0.0.1) through a counting proxy; hostctl '
        'with a warm cache.'
    )
    print()
    for line in bench_report.table(results, labels):
        print(line)
    print()
    print('CPU time (user + system) of the same runs, medians:')
    print()
    for line in bench_report.table(results, labels, cpu=True):
        print(line)
    print()
    print(
        f'hostctl --no-cache service-list: {cold.median_ms():.0f} ms, '
        f'{cold.requests_text()} requests.'
    )
    floor_ms = floor_import.median_ms() + floor_request.median_ms()
    floor_cpu = floor_import.median_ms(cpu=True) + floor_request.median_ms()
    print(
        f'Floor: python -c "import keystoneauth1.session" '
        f'{floor_import.median_ms():.0f} ms '
        f'({floor_import.median_ms(cpu=True):.0f} ms CPU) + the request '
        f'itself {floor_request.median_ms():.0f} ms = {floor_ms:.0f} ms '
        f'({floor_cpu:.0f} ms counting CPU).'
    )
    failures = [
        f'{label} ({tool}): {m.failure}'
        for label in labels
        for tool, m in results[label].items()
        if m.failure
    ]
    for failure in failures:
        print(f'FAILED: {failure}')

    checks = bench_report.checks(results, floor_ms)
    checks += bench_report.checks(results, floor_cpu, cpu=True)
    print()
    for ok, text in checks:
        print(f'{"ok  " if ok else "MISS"} {text}')
    # A missed target is a finding, printed above; a command that failed
    # makes the figures meaningless.
    return 1 if failures else 0


def _unset(env, host) -> None:
    """Bring the host's service back up, whatever happened."""
    subprocess.run(
        [HOSTCTL, 'service-force-down', '--unset', host, 'nova-compute'],
        env=env,
        capture_output=True,
        check=False,
    )


if __name__ == '__main__':
    sys.exit(main())
