"""Pure rules of the enforcement service: inspections, evidence and cases.

Nothing here performs I/O or imports a framework; the service layer feeds
these rules with data it loaded and persists what they return.
"""
