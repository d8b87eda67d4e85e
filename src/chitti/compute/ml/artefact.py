"""A trained model as bytes (the ``artefact`` column of ``ml.models``) and back.

Layout: the magic line ``CHITTI-ML-MODEL/1\\n``, a 4-byte big-endian length, that many
bytes of UTF-8 JSON metadata (kind, feature names, target, horizon, estimator name and
parameters), then the payload:

* LightGBM: the booster's own text format (``Booster.model_to_string``), which LightGBM
  reads back exactly; the serving arrays are compiled again on load (about 0.3 s for a
  500-tree model), so they can never drift from the booster they came from, and read
  without LightGBM (:mod:`chitti.compute.ml.lgbm_text`);
* scikit-learn: a pickle of the fitted estimator.

Trust: unpickling runs code chosen by whoever wrote the bytes. Artefacts are only ever
loaded from this project's own database, written by its own ``train``; never load one
received from a user or another system. LightGBM artefacts contain no pickle.
"""

from __future__ import annotations

import json
import pickle
import struct
from typing import Any

from chitti.compute.ml.lgbm_text import TextBooster
from chitti.compute.ml.model import TrainedModel
from chitti.compute.ml.targets import TARGETS
from chitti.compute.ml.trees import compile_lightgbm
from chitti.errors import BadRequest

MAGIC = b"CHITTI-ML-MODEL/1\n"


def to_bytes(model: TrainedModel) -> bytes:
    """Serialise ``model`` (metadata + LightGBM text or a pickle) for ``ml.models``."""
    meta = {
        "kind": model.kind,
        "feature_names": list(model.feature_names),
        "target": model.target,
        "horizon_days": model.horizon_days,
        "estimator": model.estimator_name,
        "params": model.params,
    }
    header = json.dumps(meta, sort_keys=True).encode()
    if model.kind == "lightgbm":
        payload = str(model.estimator.model_to_string()).encode()
    else:
        payload = pickle.dumps(model.estimator, protocol=pickle.HIGHEST_PROTOCOL)
    return MAGIC + struct.pack(">I", len(header)) + header + payload


def _meta(data: bytes) -> tuple[dict[str, Any], bytes]:
    if not data.startswith(MAGIC) or len(data) < len(MAGIC) + 4:
        raise BadRequest("artefact: not a chitti model artefact (bad header); retrain the model")
    (size,) = struct.unpack(">I", data[len(MAGIC):len(MAGIC) + 4])
    start = len(MAGIC) + 4
    try:
        meta = json.loads(data[start:start + size])
    except ValueError as exc:
        raise BadRequest("artefact: corrupt metadata; retrain the model") from exc
    if meta.get("kind") not in ("lightgbm", "sklearn") or meta.get("target") not in TARGETS:
        raise BadRequest(f"artefact: unknown kind {meta.get('kind')!r} or target "
                         f"{meta.get('target')!r}; retrain the model")
    return meta, data[start + size:]


def from_bytes(data: bytes) -> TrainedModel:
    """Rebuild a :class:`TrainedModel` from :func:`to_bytes` output (see the trust note)."""
    meta, payload = _meta(bytes(data))
    names = tuple(str(n) for n in meta["feature_names"])
    forest = None
    if meta["kind"] == "lightgbm":
        # Held as its text: serving compiles the trees without importing lightgbm (~80 MB
        # a compute process would keep); the real booster is loaded if something asks.
        estimator: Any = TextBooster(payload.decode())
        forest = compile_lightgbm(estimator, feature_names=names)
    else:
        # Trusted input only: artefacts are written by our own train() into our database.
        estimator = pickle.loads(payload)  # noqa: S301
    return TrainedModel(
        kind=meta["kind"], estimator=estimator, feature_names=names, target=meta["target"],
        horizon_days=int(meta["horizon_days"]), estimator_name=str(meta["estimator"]),
        params=dict(meta.get("params") or {}), forest=forest,
    )
