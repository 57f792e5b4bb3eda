"""`landgrade` — the operator's command line.

    landgrade token --role tax-system
    landgrade import parcels parcels.xlsx --report errors.xlsx
    landgrade year run 2025            (then: year status | publish | finalize | summary 2025)
    landgrade export grades --year 2025 --out grades-2025.xlsx
    landgrade export public --year 2025 --out quality-holders-2025.xlsx
    landgrade dlq-replay landgrade.evaluation.grades.v1.dlq
    landgrade backtest --year 2024 --quarter 2

One module per group of commands; each has its own Typer `app`, merged here.
"""

from __future__ import annotations

import typer

from landgrade.cli import backtest, backup, export, imports, ops, status, templates, years
from landgrade.demo import command as demo

app = typer.Typer(help="Operate landgrade: tokens, imports, yearly runs, exports, DLQ replay.",
                  no_args_is_help=True)
for _group in (ops, imports, years, export, backup, templates, status, backtest, demo):
    app.registered_commands.extend(_group.app.registered_commands)
    app.registered_groups.extend(_group.app.registered_groups)
