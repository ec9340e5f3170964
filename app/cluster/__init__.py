"""Reading pages on a Dask cluster while the library stays on the desktop (optional).

`pip install "folio[cluster]"` brings Dask's distributed scheduler; without it Folio is
unchanged and says how to get it when asked for a cluster. client.py is the desktop's
side, remote.py what the cluster's workers run, link.py the window's and manager's use.
Importing this package costs nothing: Dask is loaded only when a cluster is used.
"""

from __future__ import annotations

from types import ModuleType

from app.core.errors import FolioError

MISSING_SENTENCE = (
    "Reading pages on a Dask cluster needs Folio's cluster extra; "
    'install it with pip install "folio[cluster]".'
)

#: The library setting holding the window's scheduler address ("" or unset: read here).
SETTING_CLUSTER = "cluster.address"


class ClusterError(FolioError):
    """The cluster cannot be used: the extra is missing, or the scheduler is unreachable."""


def available() -> bool:
    """Whether the extra is installed (without loading Dask, which takes a second)."""
    import importlib.util

    return importlib.util.find_spec("distributed") is not None


def load_distributed() -> ModuleType:
    """The `distributed` module; ClusterError with how to get it when it is not installed."""
    try:
        import distributed
    except ImportError:
        raise ClusterError(MISSING_SENTENCE) from None
    return distributed
