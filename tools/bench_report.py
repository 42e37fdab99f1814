"""The peer benchmark's figures: measurements, the table, the targets.

tools/bench_peers.py runs the commands; this module holds what it
measured and says what it means: the Markdown table of the README, and the
issue's targets checked on the figures.
"""

from __future__ import annotations

import os
import platform
import statistics
import subprocess

TOOLS = ('hostctl', 'openstack', 'nova')
CLOUDS_YAML = 'service-list, clouds.yaml'

# What the issue asks for, checked at the end of the run.
HELP_BUDGET_MS = 120
SPEEDUP_OVER = {'openstack': 6.0, 'nova': 2.5}
#: A warm service-list within this factor of the floor.
FLOOR_FACTOR = 1.3
#: hostctl --help within this factor of hostctl service-list --help.
HELP_FACTOR = 1.2


class Measurement:
    def __init__(self) -> None:
        self.times: list[float] = []
        self.cpu: list[float] = []
        self.requests: list[int] = []
        self.failure: str | None = None

    def median_ms(self, cpu: bool = False) -> float:
        return statistics.median(self.cpu if cpu else self.times) * 1000

    def requests_text(self) -> str:
        if not self.requests:
            return '-'
        low, high = min(self.requests), max(self.requests)
        return str(low) if low == high else f'{low}-{high}'


def machine() -> str:
    model = platform.processor() or 'unknown CPU'
    try:
        with open('/proc/cpuinfo') as f:
            for line in f:
                if line.startswith('model name'):
                    model = line.split(':', 1)[1].strip()
                    break
    except OSError:
        pass
    return (
        f'{os.cpu_count()} CPUs ({model}), {platform.system()} '
        f'{platform.release()}, Python {platform.python_version()}'
    )


def versions(executables: dict[str, str], env: dict) -> str:
    parts = []
    for tool, path in executables.items():
        done = subprocess.run(
            [path, '--version'], env=env, capture_output=True, text=True
        )
        text = (done.stdout or done.stderr).strip().splitlines()
        parts.append(f'{tool} {text[-1].split()[-1] if text else "?"}')
    return ', '.join(parts)


def table(results, labels, cpu: bool = False) -> list[str]:
    lines = [
        '| command | hostctl | openstack | nova | openstack ÷ hostctl '
        '| nova ÷ hostctl | requests (hostctl / openstack / nova) |',
        '| --- | ---: | ---: | ---: | ---: | ---: | :---: |',
    ]
    for label in labels:
        row = results[label]
        h = row['hostctl'].median_ms(cpu)
        cells = [f'`{label}`']
        for tool in TOOLS:
            m = row[tool]
            cells.append(
                f'{m.median_ms(cpu):.0f} ms'
                + (' (failed)' if m.failure else '')
            )
        for tool in ('openstack', 'nova'):
            cells.append(f'{row[tool].median_ms(cpu) / h:.1f}x')
        cells.append(' / '.join(row[t].requests_text() for t in TOOLS))
        lines.append('| ' + ' | '.join(cells) + ' |')
    return lines


def checks(results, floor_ms: float, cpu: bool = False):
    """The issue's targets, checked on these figures: [(met, words)].

    `cpu`: on CPU times (the floor then counts its import's CPU time).
    """
    checks = []
    unit = ' CPU' if cpu else ''
    help_ms = results['service-list --help']['hostctl'].median_ms(cpu)
    checks.append(
        (
            help_ms <= HELP_BUDGET_MS,
            f'hostctl service-list --help {help_ms:.0f} ms{unit} '
            f'(budget {HELP_BUDGET_MS} ms)',
        )
    )
    whole = results['--help']['hostctl'].median_ms(cpu)
    checks.append(
        (
            whole <= HELP_FACTOR * help_ms,
            f'hostctl --help {whole:.0f} ms{unit}, {whole / help_ms:.2f}x '
            f'service-list --help (target {HELP_FACTOR}x)',
        )
    )
    for label in ('service-list', CLOUDS_YAML):
        row = results[label]
        ours = row['hostctl'].median_ms(cpu)
        if not cpu:
            checks.append(
                (
                    row['hostctl'].requests_text() == '1',
                    f'warm {label} sends {row["hostctl"].requests_text()} '
                    'request(s) (target 1)',
                )
            )
        checks.append(
            (
                ours <= FLOOR_FACTOR * floor_ms,
                f'{label} {ours:.0f} ms{unit}, {ours / floor_ms:.2f}x the '
                f'floor (target {FLOOR_FACTOR}x)',
            )
        )
        for peer, target in SPEEDUP_OVER.items():
            ratio = row[peer].median_ms(cpu) / ours
            checks.append(
                (
                    ratio >= target,
                    f'{label} {ratio:.1f}x faster than {peer}{unit} '
                    f'(target {target}x)',
                )
            )
    return checks
