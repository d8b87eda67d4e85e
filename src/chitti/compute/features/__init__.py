"""Point-in-time features: one catalogue, one call for a whole universe.

>>> from chitti.compute.features import catalog, get_feature
>>> get_feature("ret_5d").lookback
5
>>> get_feature("ret_5d").group
'returns'

`compute_features` turns a `chitti.marketdata.panel.PricePanel` into a `FeaturePanel`;
see `chitti.compute.features.catalog` for the naming and NaN conventions.
"""

from chitti.compute.features.catalog import GROUPS, FeatureSpec, catalog, get_feature
from chitti.compute.features.panel import FeaturePanel, FeatureRows, compute_features

__all__ = [
    "GROUPS",
    "FeaturePanel",
    "FeatureRows",
    "FeatureSpec",
    "catalog",
    "compute_features",
    "get_feature",
]
