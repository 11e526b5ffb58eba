"""Re-encrypt EncryptedTextField values under the current field key (key rotation).

Put the new key first in FIELD_ENCRYPTION_KEYS and keep the old ones after it: every value
still decrypts, new writes use the new key. `rotate_field_keys()` then rewrites, in batches,
every stored value whose token names an older key, so the old key can later be removed."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from django.apps import apps
from django.db import models, transaction
from django.db.models.functions import Cast

from gonghui.core import crypto
from gonghui.core.fields import EncryptedTextField

BATCH_SIZE = 500


class RotationError(Exception):
    """A stored value that cannot be decrypted with any configured key."""


@dataclass
class FieldRotation:
    label: str
    reencrypted: int = 0


def encrypted_fields(
    model_classes: Iterable[type[models.Model]] | None = None,
) -> list[tuple[type[models.Model], EncryptedTextField]]:
    """Every (model, field) pair holding an EncryptedTextField, installed models by default."""
    found = []
    for model in apps.get_models() if model_classes is None else model_classes:
        if model._meta.proxy:
            continue
        for field in model._meta.concrete_fields:
            if isinstance(field, EncryptedTextField) and field.model is model:
                found.append((model, field))
    return found


def rotate_field(
    model: type[models.Model],
    field: EncryptedTextField,
    *,
    batch_size: int = BATCH_SIZE,
    on_batch: Callable[[FieldRotation], None] | None = None,
) -> FieldRotation:
    report = FieldRotation(label=f"{model._meta.label}.{field.name}")
    stale = (
        # The raw token, not the decrypted value: a plain text cast has no from_db_value.
        model._base_manager.annotate(_token=Cast(field.name, output_field=models.TextField()))
        .exclude(_token__isnull=True)
        .exclude(_token="")
        .exclude(_token__startswith=crypto.current_key_id() + "$")
        .order_by("pk")
    )
    last_pk: Any = None
    while True:
        with transaction.atomic():
            batch = stale if last_pk is None else stale.filter(pk__gt=last_pk)
            # Locked until the batch is rewritten: a concurrent edit of the same row waits
            # instead of being overwritten with the value read here.
            rows = list(batch.select_for_update().values_list("pk", "_token")[:batch_size])
            changed = []
            for pk, token in rows:
                if not crypto.needs_reencryption(token):
                    continue
                try:
                    plaintext = crypto.decrypt(token)
                except Exception as exc:
                    raise RotationError(
                        f"{report.label} of row {pk} cannot be decrypted with any key in "
                        f"FIELD_ENCRYPTION_KEYS ({exc.__class__.__name__}: {exc})"
                    ) from exc
                obj = model(pk=pk)
                setattr(obj, field.attname, plaintext)  # encrypted with the current key on save
                changed.append(obj)
            if changed:
                model._base_manager.bulk_update(changed, [field.name])
        report.reencrypted += len(changed)
        if on_batch is not None and rows:
            on_batch(report)
        if len(rows) < batch_size:
            return report
        last_pk = rows[-1][0]


def rotate_field_keys(
    model_classes: Iterable[type[models.Model]] | None = None,
    *,
    batch_size: int = BATCH_SIZE,
    on_batch: Callable[[FieldRotation], None] | None = None,
) -> list[FieldRotation]:
    """Rotate every encrypted field; one report per field, in the order they were done."""
    return [
        rotate_field(model, field, batch_size=batch_size, on_batch=on_batch)
        for model, field in encrypted_fields(model_classes)
    ]
