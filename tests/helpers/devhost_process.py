"""Tests start devhost through devhost.process (shared with the evaluation runner and the benchmarks)."""

from devhost.process import devhost_log, free_port, kill_devhost, run_devhost

__all__ = ["devhost_log", "free_port", "kill_devhost", "run_devhost"]
