"""Is each server alive? The whole of server-fping but its command line.

- `selection`: which servers (names, --include/--exclude, --monitored,
  --host), each listing asked for at most once;
- `check`: through Nova's os-fping API (the compute API part lives in
  hostctl.v2_1.fping) or by probing, and the fallback between the two;
- `probe`: ICMP echo or TCP connects from where hostctl runs.
"""
