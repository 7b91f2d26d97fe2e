"""Patch bodies are derived from their Create bodies: same fields and checks, all optional."""

from __future__ import annotations

import pytest
from pydantic import BaseModel, ValidationError

from api.schemas.engineers import EngineerCreate, EngineerPatch
from api.schemas.masterdata import (
    AssetCreate,
    AssetPatch,
    CustomerCreate,
    CustomerPatch,
    RegionCreate,
    RegionPatch,
    SiteCreate,
    SitePatch,
)

PAIRS = [
    (RegionCreate, RegionPatch),
    (CustomerCreate, CustomerPatch),
    (SiteCreate, SitePatch),
    (AssetCreate, AssetPatch),
    (EngineerCreate, EngineerPatch),
]


@pytest.mark.parametrize(("create", "patch"), PAIRS)
def test_a_patch_has_every_field_of_its_create_body_and_none_required(
    create: type[BaseModel], patch: type[BaseModel]
) -> None:
    assert list(patch.model_fields) == list(create.model_fields)
    assert not any(f.is_required() for f in patch.model_fields.values())
    assert patch.model_validate({}).model_dump(exclude_unset=True) == {}
    assert patch.__name__ == create.__name__.replace("Create", "Patch")
    with pytest.raises(ValidationError):
        patch.model_validate({"no_such_field": 1})


def test_a_patch_keeps_the_checks_of_its_create_body() -> None:
    assert RegionPatch.model_validate({"timezone": None}).model_dump(exclude_unset=True) == {
        "timezone": None
    }
    for body in ({"timezone": "x" * 65}, {"code": ""}, {"code": "a\x00"}):
        with pytest.raises(ValidationError):
            RegionPatch.model_validate(body)
    with pytest.raises(ValidationError):
        EngineerPatch.model_validate({"skills": [{"skill": "a", "level": 2}] * 51})
    with pytest.raises(ValidationError):
        SitePatch.model_validate({"address": ""})
    changed = EngineerPatch.model_validate({"max_jobs_per_day": 9, "phone": None})
    assert changed.model_dump(exclude_unset=True) == {"max_jobs_per_day": 9, "phone": None}
