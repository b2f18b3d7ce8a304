"""Regenerate ``rules/holidays/cn.yaml`` from the ``chinesecalendar`` package (extra ``calendar``).

    python -m triage.sla.holidays_data [FIRST_YEAR] > rules/holidays/cn.yaml

``chinesecalendar`` carries the State Council's yearly notices (holidays and 调休
make-up working days); a new release follows each notice, usually in November.
"""

from __future__ import annotations

import importlib.metadata
import sys


def render(first_year: int = 2020) -> str:
    """The YAML text for every year from ``first_year`` that chinesecalendar covers."""
    try:
        from chinese_calendar import constants
    except ImportError:  # pragma: no cover - message for users without the extra
        raise SystemExit("install the calendar extra: pip install 'triage[calendar]'") from None
    version = importlib.metadata.version("chinesecalendar")
    years = sorted({d.year for d in constants.holidays} | {d.year for d in constants.workdays})
    lines = [
        "# Chinese public holidays and 调休 make-up working days, per year.",
        "# Official data: State Council (国务院办公厅) notices, as published in the `chinesecalendar`",
        "# package (regenerate with: python -m triage.sla.holidays_data > rules/holidays/cn.yaml).",
        "# `rest`: days off (statutory holidays and the weekend days moved into them);",
        "# `work`: weekend days that are working days (调休).",
        "# Add a year here when its notice is published (usually November of the year before);",
        "# until then deadlines in that year are marked `estimated` (see rules/calendars.yaml).",
        "holidays:",
        "  cn:",
        f"    source: State Council notices via chinesecalendar {version}",
        "    years:",
    ]
    for year in (y for y in years if y >= first_year):
        rest = sorted(d for d in constants.holidays if d.year == year)
        work = sorted(d for d in constants.workdays if d.year == year)
        lines.append(f"      {year}:")
        lines.append("        rest: [" + ", ".join(f'"{d}"' for d in rest) + "]")
        lines.append("        work: [" + ", ".join(f'"{d}"' for d in work) + "]")
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    sys.stdout.write(render(int(sys.argv[1]) if len(sys.argv) > 1 else 2020))
