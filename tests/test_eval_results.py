"""eval/results.py: every benchmark section says which machine made it."""

from pathlib import Path

from eval.results import machine


def test_the_machine_line_names_the_cpu_and_whether_it_has_avx512_and_amx():
    model = next(line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
                 if line.startswith("model name"))
    line = machine()
    assert line.startswith(model) and "AVX-512 " in line and "AMX " in line and "cores" in line
