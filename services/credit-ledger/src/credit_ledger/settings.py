from decimal import Decimal
from typing import Literal

from pydantic import Field

from credit_ledger.domain.disclosure import Downgraded, PublicListPolicy
from credit_ledger.domain.grades import Grade
from credit_ledger.domain.notices import NoticePolicy
from credit_ledger.domain.penetration import EquityRule
from servicekit.notices import NoticeSettings


class Settings(NoticeSettings):
    service_name: str = "credit-ledger"
    http_port: int = 8003
    # How often the chain head is anchored (stored and published on landgrade.credit.anchors.v1)
    # when records were appended since the last anchor.
    anchor_interval_seconds: float = 300.0
    # How often the whole hash chain is recomputed in the background (the outcome is the metric
    # `ledger_verifications{outcome}`, a broken chain also an error log naming the record); 0: only
    # on request (GET /v1/ledger/verify).
    ledger_verify_interval_seconds: float = Field(default=3600.0, ge=0)
    # Requests per client address to the public list, in a moving window (`limits` notation, e.g.
    # "120/minute"); beyond it the list answers 429 with Retry-After. The client address is the
    # connection's own (no X-Forwarded-For trusted).
    public_rate_limit: str = "120/minute"
    # A quality holder whose parcel has been graded at or below this grade since its final A (a
    # violation found: a provisional D) no longer stands as one: "withhold" leaves it off the public
    # list, "under_review" lists it marked `under_review`, until the parcel's grade is better again.
    public_list_review_from: Literal["B", "C", "D"] = "D"
    public_list_downgraded: Literal["withhold", "under_review"] = "withhold"

    def public_list(self) -> PublicListPolicy:
        return PublicListPolicy(Grade(self.public_list_review_from), Downgraded(self.public_list_downgraded))
    # The least equity stake, in percent of the investee, that makes two enterprises related parties
    # (penetration: they share benefits and restrictions); 0 = any stake. Paths name the stake.
    equity_link_min_share_pct: Decimal = Field(default=Decimal(0), ge=0, le=100)
    # Which dated relations (responsible persons, equity links) penetration walks for a graded year:
    # "any_day", those valid on some day of it (leaving on 30 December frees no one of that year);
    # "last_day", those valid on its last day.
    penetration_relations: Literal["any_day", "last_day"] = "any_day"

    # Notices (C or D grades, benefits withdrawn) go out through the channel of the `notice_*`
    # settings (servicekit.notices.NoticeSettings), e-mail to the address each enterprise registers
    # at PUT /v1/notice-contacts/{uscc}.
    # Days a notice gives the enterprise to act (object, apply, rectify), counted from the grading.
    notice_respond_days: int = Field(default=15, ge=1, le=365)

    def notice_policy(self) -> NoticePolicy:
        return NoticePolicy(self.notice_respond_days)

    def equity_rule(self) -> EquityRule:
        return EquityRule(self.equity_link_min_share_pct)
