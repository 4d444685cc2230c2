"""Browser tests: where their screenshots go."""

from pathlib import Path

import pytest

SCREENSHOTS = Path(__file__).resolve().parents[2] / "artifacts" / "screenshots"


@pytest.fixture
def screenshots() -> Path:
    """artifacts/screenshots/, kept after the run for people to look at. Every test names its files
    after itself (and its parameters), so tests running in parallel xdist workers never write the
    same file."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    return SCREENSHOTS
