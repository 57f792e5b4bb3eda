"""The outside systems and people that call landgrade, and the scopes each one's token carries
(the README's table of roles says the same, and a test holds them equal)."""

from __future__ import annotations

# The scopes the CLI's commands need (what a development token of the CLI carries).
PARCELS_WRITE = "parcels:write"
RUNS_WRITE = "runs:write"
GRADES_READ = "grades:read"
REGISTRY_READ = "registry:read"
BENEFITS_READ = "benefits:read"

ROLES: dict[str, list[str]] = {
    "tax-system": ["filings:write"],
    "business-registry": ["enterprises:write", "registry:read"],
    # Cases and benefit standing appear on a parcel's health card (体检表), which land staff read.
    "land-staff": ["parcels:write", "registry:read", "grades:read", "runs:write", "objections:decide",
                   "grades:reevaluate", "cases:read", "benefits:read"],
    "street-office": ["findings:write"],  # bound to one street/town by the jurisdiction claim
    "enforcement-staff": ["cases:write", "cases:read", "grades:read"],
    "credit-platform": ["grades:read", "credit:read", "credit:repair"],  # forwards repair applications
    "approval-system": ["benefits:read"],
    # The enterprise service portal forwards holders' objections and credit-repair applications.
    # An enterprise's token names its USCC (`uscc` claim): grades and credit files answer for its own only.
    "enterprise-portal": ["objections:write", "credit:repair", "grades:read", "credit:read"],
    "admin": ["admin"],
}

JURISDICTION_BOUND = {"street-office"}
