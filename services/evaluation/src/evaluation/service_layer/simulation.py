"""What-if: the stored facts of a year graded under a ruleset and under a changed copy of it.
Reads only: nothing is stored and nothing is published."""

from __future__ import annotations

import asyncio
from typing import Any

from evaluation.domain.comparison import compare_each
from evaluation.domain.projection import assemble_facts, tenant_pairs
from evaluation.domain.ruleset_codec import with_changes
from evaluation.service_layer.context import bulk_work
from evaluation.service_layer.unit_of_work import EvaluationUnitOfWork


async def simulate(uow: EvaluationUnitOfWork, ruleset_id: str, year: int, changes: dict[str, Any],
                   limit: int) -> dict[str, Any]:
    async with uow:
        base = await uow.rulesets.get(ruleset_id)
        if base is None:
            raise LookupError(ruleset_id)
        changed = with_changes(base, {**changes, "id": f"{base.id}+what-if"})
        sources = await uow.facts.load_sources(year)
        depth = max(base.equity_link_search_depth, changed.equity_link_search_depth)
        pairs = tenant_pairs(sources.values(), year)
        # Links are looked up at the deeper of the two depths, then judged per ruleset.
        linked_deep = await uow.facts.linked_pairs(pairs, depth)
        linked_base = (linked_deep if depth == base.equity_link_search_depth
                       else await uow.facts.linked_pairs(pairs, base.equity_link_search_depth))
        linked_new = (linked_deep if depth == changed.equity_link_search_depth
                      else await uow.facts.linked_pairs(pairs, changed.equity_link_search_depth))
    today = uow.clock().date()
    pairs_of_facts = []
    for s in sources.values():
        before = assemble_facts(s, year, lambda a, b: (a, b) in linked_base, today, base.year_holder)
        after = (before if linked_base == linked_new and base.year_holder is changed.year_holder
                 else assemble_facts(s, year, lambda a, b: (a, b) in linked_new, today, changed.year_holder))
        pairs_of_facts.append((before, after))
    # Grading a whole year twice takes seconds: off the event loop, so requests keep flowing.
    with bulk_work():
        result = await asyncio.to_thread(compare_each, pairs_of_facts, base, changed)
    body = result.to_dict()
    body["moved"] = body["moved"][:limit]
    body.update(year=year, changes=changes, published=False)
    return body
