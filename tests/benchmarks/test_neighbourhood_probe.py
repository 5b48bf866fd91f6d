"""The neighbourhood probe measures from the engine's plan: no probe loses value, and each
sub-MIP's bound covers what it found (it is the most that neighbourhood could give)."""

from __future__ import annotations

import numpy as np

from benchmarks.instances import Size, generate
from benchmarks.neighbourhood_probe import engine_plan, probe_masks, relaxation, run_probes


def test_probes_start_from_the_plan_and_their_bounds_cover_their_gains() -> None:
    arrays, groups, report = engine_plan(generate(Size(4, 8, 5), 1, False), limit=5, workers=1)
    assert report.x is not None
    lp = relaxation(arrays)
    masks = probe_masks(arrays, groups, lp, report.x, nations=2, programme_columns=20, years=2)
    assert masks and all(mask.any() and not (mask & ~arrays.integer).any() for mask in masks.values())
    if "RINS" in masks:
        assert np.array_equal(masks["RINS"], arrays.integer & (np.abs(lp - report.x) > 1e-6))
    tolerance = 1e-4 * max(1.0, abs(report.objective))
    for probe in run_probes(arrays, masks, report.x, seconds=5):
        assert probe.gain >= -1e-6, probe
        if probe.bound_gain is not None:
            assert probe.bound_gain >= probe.gain - tolerance, probe
        if probe.proven and probe.bound_gain is not None:
            assert probe.bound_gain <= probe.gain + tolerance + 1e-6, probe
