"""Synthetic E-Town demo data: generated deterministically for a seed and dated from the clock
(`dataset.rows`, the one generator), loaded through the public REST APIs exactly as the outside
systems would send it (`loader`), laid out on the map around Yizhuang (`layout`)."""
