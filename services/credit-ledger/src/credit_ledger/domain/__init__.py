"""The credit ledger's rules: pure data and functions, no I/O.

- `grades`: the A/B/C/D scale and what a grade event tells this service.
- `chain`: the append-only hash chain every credit record is written into.
- `penetration`: the penetration chain 地-企-责任人-责任人关联企业 (parcel → rights holder →
  responsible person → that person's other enterprises, plus equity links).
- `records`: which credit records a grade or an enforcement case produces.
- `repairs`: credit repair and objection (信用修复/异议).
- `benefits`: the benefits register (green channel, incentives, guidance, restriction).
"""
