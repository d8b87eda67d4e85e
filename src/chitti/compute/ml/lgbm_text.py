"""LightGBM's text model format read without LightGBM, for serving.

A stored LightGBM model (the ``ml.models`` artefact) is the booster's own text
(``Booster.model_to_string``). Serving compiles its trees to arrays
(:mod:`chitti.compute.ml.trees`), which needs only the tree structure, not LightGBM: so a
compute process that serves predictions never imports ``lightgbm`` (and with it
scikit-learn), which would cost it about 80 MB for the rest of its life.
:class:`TextBooster` stands in for the booster: :meth:`TextBooster.dump_model` gives what
``Booster.dump_model()`` gives for the fields serving reads (the test compares the two
on trained models), and anything else a caller asks of it loads the real booster then.

Format (LightGBM v4, ``gbdt.cpp`` / ``tree.cpp``): header lines ``key=value``
(``objective=binary sigmoid:1``, ``feature_names=a b c``, a bare ``average_output`` line),
then per tree a ``Tree=i`` block with space-separated arrays per internal node
(``split_feature``, ``threshold``, ``decision_type``, ``left_child``, ``right_child``) and
per leaf (``leaf_value``), ending at ``end of trees``. A child ``>= 0`` is an internal node,
``< 0`` the leaf ``~child``. ``decision_type`` bits: 1 categorical, 2 default left, bits
2-3 the missing type (0 None, 1 Zero, 2 NaN).
"""

from __future__ import annotations

from typing import Any

from chitti.errors import BadRequest

__all__ = ["TextBooster", "dump_from_text"]

_MISSING = ("None", "Zero", "NaN")
#: ``Booster.dump_model()`` writes thresholds through LightGBM's AvoidInf, clamped to this.
_AVOID_INF = 1e300


def _floats(text: str) -> list[float]:
    return [float(x) for x in text.split()]


def _ints(text: str) -> list[int]:
    return [int(x) for x in text.split()]


def _avoid_inf(value: float) -> float:
    return max(-_AVOID_INF, min(_AVOID_INF, value))


def _tree(block: dict[str, str], index: int) -> dict[str, Any]:
    leaves = _floats(block["leaf_value"])
    linear = block.get("is_linear", "0") != "0"

    def leaf(i: int) -> dict[str, Any]:
        node: dict[str, Any] = {"leaf_index": i, "leaf_value": leaves[i]}
        if linear:
            node["leaf_coeff"] = []  # serving refuses linear trees (compile_dump says so)
        return node

    if int(block["num_leaves"]) == 1:
        return {"tree_index": index, "num_leaves": 1, "tree_structure": leaf(0)}
    feature = _ints(block["split_feature"])
    decision = _ints(block["decision_type"])
    left, right = _ints(block["left_child"]), _ints(block["right_child"])
    raw_threshold = block["threshold"].split()

    def node(i: int) -> dict[str, Any]:
        categorical = bool(decision[i] & 1)
        return {
            "split_index": i,
            "split_feature": feature[i],
            "threshold": raw_threshold[i] if categorical else _avoid_inf(float(raw_threshold[i])),
            "decision_type": "==" if categorical else "<=",
            "default_left": bool(decision[i] & 2),
            "missing_type": _MISSING[(decision[i] >> 2) & 3],
            "left_child": child(left[i]),
            "right_child": child(right[i]),
        }

    def child(k: int) -> dict[str, Any]:
        return node(k) if k >= 0 else leaf(~k)

    return {"tree_index": index, "num_leaves": len(leaves), "tree_structure": node(0)}


def dump_from_text(text: str) -> dict[str, Any]:
    """Return what ``Booster.dump_model()`` returns for the fields serving reads.

    Raises `BadRequest` for text that is not a LightGBM model.
    """
    header: dict[str, str] = {}
    trees: list[dict[str, Any]] = []
    block: dict[str, str] | None = None
    average = False
    for line in text.splitlines():
        if line.startswith("end of trees"):
            break
        key, sep, value = line.partition("=")
        if key == "Tree" and sep:
            if block is not None:
                trees.append(_tree(block, len(trees)))
            block = {}
        elif block is not None and sep:
            block[key] = value
        elif sep:
            header[key] = value
        elif line.strip() == "average_output":
            average = True
    if block is not None:
        trees.append(_tree(block, len(trees)))
    if "feature_names" not in header or not trees:
        raise BadRequest("artefact: not a LightGBM text model (no feature_names or no "
                         "trees); retrain the model")
    return {
        "num_class": int(header.get("num_class", 1)),
        "num_tree_per_iteration": int(header.get("num_tree_per_iteration", 1)),
        "objective": header.get("objective", "regression"),
        "average_output": average,
        "feature_names": header["feature_names"].split(),
        "tree_info": trees,
    }


class TextBooster:
    """A LightGBM model held as its text: enough to compile it for serving
    (``dump_model``, ``model_to_string``); any other attribute loads ``lightgbm.Booster``
    from the text and is answered by it."""

    def __init__(self, text: str) -> None:
        self._text = text
        self._booster: Any = None

    def dump_model(self) -> dict[str, Any]:
        """The tree structure, as ``Booster.dump_model()`` gives it (see the module)."""
        return dump_from_text(self._text)

    def model_to_string(self) -> str:
        """The model text, as stored."""
        return self._text

    @property
    def booster_(self) -> TextBooster:
        # what compile_lightgbm asks of a scikit-learn wrapper: answered without lightgbm
        return self

    def __getattr__(self, name: str) -> Any:
        if name.startswith("__"):
            raise AttributeError(name)
        if self._booster is None:
            import lightgbm

            self._booster = lightgbm.Booster(model_str=self._text)
        return getattr(self._booster, name)
