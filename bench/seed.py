"""Benchmark: seed the sandbox with 1,000,000 activity entries on a scratch SQLite database.

python bench/seed.py                  # 1,000,000 entries
python bench/seed.py --activity 200000
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--activity", type=int, default=1_000_000)
    parser.add_argument("--limit-seconds", type=float, default=120.0)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as scratch:
        env = {
            **os.environ,
            "DATABASE_URL": f"sqlite:///{scratch}/bench.sqlite3",
            "TEAMSADMIN_VAR_DIR": scratch,
            "DJANGO_SETTINGS_MODULE": "teamsadmin.settings",
        }
        manage = [sys.executable, str(ROOT / "manage.py")]
        subprocess.run([*manage, "migrate", "--no-input", "-v", "0"], env=env, check=True, cwd=ROOT)
        started = time.perf_counter()
        subprocess.run(
            [
                *manage,
                "sandbox_seed",
                "--tenants",
                "12",
                "--members",
                "120",
                "--activity",
                str(args.activity),
                "--seed",
                "1",
            ],
            env=env,
            check=True,
            cwd=ROOT,
            stdout=subprocess.DEVNULL,
        )
        elapsed = time.perf_counter() - started
    rate = args.activity / elapsed
    print(f"sandbox_seed --activity {args.activity}: {elapsed:.1f} s, {rate:,.0f} rows/s (SQLite)")
    if elapsed > args.limit_seconds:
        print(f"FAIL: slower than {args.limit_seconds:.0f} s")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
