"""`landgrade` — the operator's command line.

    landgrade token --role tax-system
    landgrade import-parcels parcels.xlsx
    landgrade run-evaluation --year 2025
    landgrade export grades --year 2025 --out grades-2025.xlsx
    landgrade export public --year 2025 --out quality-holders-2025.xlsx
    landgrade dlq-replay landgrade.evaluation.grades.v1.dlq

One module per group of commands; each has its own Typer `app`, merged here.
"""

from __future__ import annotations

import typer

from landgrade.cli import export, imports, ops, years

app = typer.Typer(help="Operate landgrade: tokens, imports, yearly runs, exports, DLQ replay.",
                  no_args_is_help=True)
for _group in (ops, imports, years, export):
    app.registered_commands.extend(_group.app.registered_commands)
    app.registered_groups.extend(_group.app.registered_groups)
