"""The machine a measurement ran on, for the reports of the benchmark and the load test."""

from __future__ import annotations

import os
import platform
from pathlib import Path


def machine() -> dict:
    """CPUs and their model, RAM, the system, and the versions of Python and of the libraries that are measured."""
    import duckdb
    import pandas
    import psutil
    import streamlit

    cpuinfo = Path("/proc/cpuinfo")
    model = (
        next(
            (
                line.split(":", 1)[1].strip()
                for line in cpuinfo.read_text().splitlines()
                if line.startswith("model name")
            ),
            platform.processor(),
        )
        if cpuinfo.exists()
        else ""
    )
    return {
        "cpus": os.cpu_count(),
        "cpu_model": model,
        "ram_bytes": psutil.virtual_memory().total,
        "system": platform.platform(),
        "python": platform.python_version(),
        "duckdb": duckdb.__version__,
        "pandas": pandas.__version__,
        "streamlit": streamlit.__version__,
    }
