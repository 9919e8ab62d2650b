"""The coordinator's preview benchmark at a tiny size, so it cannot rot (never timed)."""

import pytest

from benchmarks import preview
from tests.test_benchmarks import url_of

pytestmark = pytest.mark.load


async def test_preview_counts_everyone_and_the_fitting_offers(engine):
    figures = await preview.run(40, 20, 2, url_of(engine))
    # Offers come as time, time, expertise, gift: the call needs time and expertise.
    assert figures["reach"] == "Mensen die de oproep krijgen: 40. Mensen met een passend aanbod: 15."
